package dev.candela.explainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.candela.explain.Explanation;
import dev.candela.explain.cam.CamOptions;
import dev.candela.graph.GraphBuilder;
import dev.candela.graph.Model;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Axiom: the masked forwards of a perturbation method give the same bits whether they run one per batch,
 * seven per batch or thirty-two per batch, on one thread or split between two. The batch size follows --cam-batch-size and the memory budget
 * (a quarter of -Xmx), so a Spark executor with a smaller heap cuts other batches than the CLI. The model's
 * head is a Linear with 48 inputs (more than a vector's lanes) after global average pooling: the old Linear
 * summed small batches (up to 8) in vector lanes and larger ones by GEMM, so Score-CAM's logits, and its
 * map, changed with the batch size.
 */
class BatchSizeBitsTest {
    static final int[] BATCHES = {1, 7, 32};

    static Model model() {
        GraphBuilder b = new GraphBuilder("x", Shape.of(3, 16, 16), 10);
        String x = b.conv("conv1", "x", 16, 3, 1, 1);
        x = b.relu("relu1", x);
        x = b.conv("conv2", x, 48, 3, 1, 1);
        x = b.relu("relu2", x);
        x = b.globalAvgPool("gap", x);
        x = b.flatten("flat", x);
        x = b.linear("fc", x, 10);
        return b.build(x);
    }

    static Tensor input(long seed) {
        Random r = new Random(seed);
        float[] d = new float[3 * 16 * 16];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return Tensor.of(d, 1, 3, 16, 16);
    }

    static int[] bits(float[] m) {
        int[] b = new int[m.length];
        for (int i = 0; i < m.length; i++) b[i] = Float.floatToRawIntBits(m[i]);
        return b;
    }

    static void assertBatchSizeFree(String spec) {
        Model m = model();
        Method method = Methods.parse(List.of(spec), Methods.Defaults.none(), m).get(0);
        // and of the thread count: with 2 threads each batch is split between them (Executor.perThread)
        try (Explainer one = Explainer.of(m, 1); Explainer two = Explainer.of(m, 2)) {
            for (long seed = 1; seed <= 2; seed++) {
                int[] first = null;
                for (Explainer ex : List.of(one, two)) {
                    for (int bs : BATCHES) {
                        Explanation e = ex.explain(input(seed), method, Explainer.Request.defaults()
                                .options(CamOptions.defaults().withBatchSize(bs).withSeed(5)));
                        int[] b = bits(e.maps().data());
                        if (first == null) first = b;
                        else assertArrayEquals(first, b, spec + ": batch " + bs + (ex == two ? ", 2 threads," : "")
                                + " differs from batch " + BATCHES[0] + " on 1 thread (input seed " + seed + ")");
                    }
                }
            }
        }
    }

    @Test
    void scoreCamBitsDoNotDependOnBatchSize() {
        assertBatchSizeFree("score-cam");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ss-cam", "is-cam", "group-cam", "ablation-cam", "occlusion(window=4,stride=4)",
            "rise(masks=64,cells=4)", "lime-cam(n-samples=64)"})
    void perturbationMethodBitsDoNotDependOnBatchSize(String spec) {
        assertBatchSizeFree(spec);
    }
}
