package dev.candela.explain;

import dev.candela.explainer.Explainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.explainer.CamMethods;
import dev.candela.graph.GraphBuilder;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ExplainerTest {

    private static Model tiny() {
        GraphBuilder b = new GraphBuilder("input", Shape.of(3, 16, 16), 11);
        String x = b.conv("c1", "input", 8, 3, 2, 1);
        x = b.relu("r1", x);
        x = b.conv("c2", x, 8, 3, 1, 1);
        x = b.relu("r2", x);
        x = b.globalAvgPool("gap", x);
        x = b.flatten("flat", x);
        b.linear("fc", x, 5);
        return b.build("fc");
    }

    private static Tensor input(int n, long seed) {
        Random r = new Random(seed);
        float[] d = new float[n * 3 * 16 * 16];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return Tensor.of(d, n, 3, 16, 16);
    }

    @Test
    void autoLayerIsTheLastSpatialLayerAndItIsReported() {
        try (Explainer ex = Explainer.of(tiny(), 1)) {
            assertEquals("r2", ex.autoLayer().tensor());
            Explanation e = ex.explain(input(2, 1), "grad-cam");
            assertEquals(List.of("r2"), e.layers());
            assertArrayEquals(new int[]{2, 16, 16}, e.maps().shape().dims());
            assertArrayEquals(new int[]{2, 8, 8}, e.rawMaps().shape().dims());
            assertArrayEquals(new int[]{2, 8}, e.coefficients().shape().dims());
            assertArrayEquals(new int[]{2, 5}, e.logits().shape().dims());
            assertEquals(2, e.targets().size());
        }
    }

    @Test
    void oneExplainerSharedByFourThreadsGivesTheSameBitsAsSequentialCalls() throws Exception {
        List<String> names = List.of("grad-cam", "score-cam", "ablation-cam", "eigen-cam", "layer-cam");
        try (Explainer ex = Explainer.of(tiny(), 2)) {
            List<float[]> expected = new ArrayList<>();
            for (int i = 0; i < 8; i++) expected.add(ex.explain(input(1, i), names.get(i % names.size())).maps().data());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[]>> fs = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    int k = i;
                    fs.add(pool.submit(() -> ex.explain(input(1, k), names.get(k % names.size())).maps().data()));
                }
                for (int i = 0; i < 8; i++) assertArrayEquals(expected.get(i), fs.get(i).get(), "call " + i);
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void badRequestsAreIllegalArgumentsWithAReason() {
        try (Explainer ex = Explainer.of(tiny(), 1)) {
            var e1 = assertThrows(IllegalArgumentException.class, () -> ex.explain(input(1, 1), CamMethods.byName("grad-cam"), Explainer.Request.defaults().layers("fc")));
            assertTrue(e1.getMessage().contains("C x h x w"), e1.getMessage());
            var e2 = assertThrows(IllegalArgumentException.class, () -> ex.explain(Tensor.zeros(1, 3, 8, 8), "grad-cam"));
            assertTrue(e2.getMessage().contains("must have shape"), e2.getMessage());
            assertThrows(IllegalArgumentException.class, () -> CamMethods.byName("gradcam"));
        }
    }

    @Test
    void theRealMobileNetExplainsItsGoldenInputThroughTheFrontDoor() throws Exception {
        Path model = Path.of("../shared/models/mobilenet_v1_0.25_224_imagenet.onnx");
        Path in = Path.of("testdata/golden/runtime/mobilenet_v1_chelsea/input.npy");
        Assumptions.assumeTrue(Files.exists(model) && Files.exists(in), "shared MobileNet or runtime golden input absent");
        try (Explainer ex = Explainer.load(model)) {
            Explanation e = ex.explain(Npy.read(in), CamMethods.byName("grad-cam"), Explainer.Request.defaults().targets(Target.classIndex(281)));
            assertEquals("conv_pw_13_relu", ex.model().graph().producer(e.layers().get(0)).name().replaceAll(".*/", ""), "auto layer");
            assertArrayEquals(new int[]{1, 224, 224}, e.maps().shape().dims());
            assertArrayEquals(new int[]{1, 256}, e.coefficients().shape().dims());
            assertEquals(1f, e.maps().max(), 1e-6f);
        }
    }
}
