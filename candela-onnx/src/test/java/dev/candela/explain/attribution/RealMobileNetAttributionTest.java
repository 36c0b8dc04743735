package dev.candela.explain.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.candela.explain.shapley.ShapleyEstimate;
import dev.candela.explain.shapley.ShapleyReference;
import dev.candela.format.ModelFiles;
import dev.candela.graph.Linear;
import dev.candela.graph.Model;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * DeepLIFT and LIFT-CAM on the real MobileNet v1 0.25 (ReLU6, depthwise convs, BN, GAP + FC head), when
 * ../shared is present: summation-to-delta at the input, and at conv_pw_13_relu LIFT-CAM = exact Shapley
 * = FC weight x channel mean (the head is affine).
 */
class RealMobileNetAttributionTest {
    static final Path ONNX = Path.of("../shared/models/mobilenet_v1_0.25_224_imagenet.onnx");

    @Test
    void deepLiftConservesAndLiftCamIsExactShapleyOnTheRealMobileNet() throws Exception {
        assumeTrue(Files.exists(ONNX), "shared MobileNet absent");
        Model m = ModelFiles.load(ONNX);
        try (Parallel p = new Parallel(2)) {
            Executor ex = Executor.fast(m, p);
            Tensor x = Seeds.uniform(3, -1, 1, 1, 3, 224, 224);
            int c = TargetWeights.argmax(ex.forward(x, java.util.Set.of()).output())[0];
            Tensor w = TargetWeights.oneHot(m.numClasses(), c);
            DeepLiftResult r = new DeepLift(ex).attribute(x, Tensor.zeros(x.shape()), w, null, null);
            assertEquals(0, r.convergenceDelta()[0], 1e-5 * (TestModels.absSum(r.attributions()) + Math.abs(r.targetDelta()[0])) + 1e-5,
                    "summation-to-delta at the input, dY = " + r.targetDelta()[0]);

            String layer = "conv_pw_13_relu";
            LiftCamResult lift = new LiftCam(ex).explain(x, layer, w);
            double dy = lift.score()[0] - lift.zeroScore()[0];
            assertEquals(0, lift.residual()[0], 1e-5 * (1 + Math.abs(dy)), "completeness");
            Tensor a = ex.forward(x, java.util.Set.of(layer)).get(layer);
            Linear fc = null;
            for (var n : m.graph().nodes()) if (n.op() instanceof Linear l) fc = l;
            int k = a.dim(1), hw = a.dim(2) * a.dim(3);
            ShapleyEstimate sampled = new ShapleyReference(ex, layer, 256).sampled(a, w, 2, 7);
            for (int j = 0; j < k; j++) {
                double mean = 0;
                for (int i = 0; i < hw; i++) mean += a.data()[j * hw + i];
                double cam = fc.weight().data()[c * k + j] * mean / hw;
                assertEquals(cam, lift.phi()[0][j], 1e-5 * (1 + Math.abs(cam)), "map " + j + ": LIFT-CAM vs w * mean");
                // an additive head has the same marginal in every coalition: sampling is exact
                assertEquals(cam, sampled.phi()[j], 1e-4 * (1 + Math.abs(cam)), "map " + j + ": sampled Shapley vs w * mean");
            }
            assertTrue(lift.map().max() <= 1 && lift.map().min() >= 0);
        }
    }
}
