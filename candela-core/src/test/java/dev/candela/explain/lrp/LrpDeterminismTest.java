package dev.candela.explain.lrp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.candela.explain.ShapedModels;
import dev.candela.explain.ShapedModels.Kind;
import dev.candela.explain.fgcam.BaseComponents;
import dev.candela.explain.fgcam.FgCam;
import dev.candela.graph.Model;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.testkit.RandomCases;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** LRP (EpsilonGammaBox, BN merged) and FG-CAM give the same bits on 1 and 3 threads. */
class LrpDeterminismTest {

    @ParameterizedTest
    @EnumSource(Kind.class)
    void sameBitsForOneAndThreeThreads(Kind kind) {
        Model m = BatchNormMerge.merge(ShapedModels.build(kind, 9, true));
        Tensor x = new RandomCases(9).normal(Shape.of(2, 3, 12, 12), 1.0);
        int[] cls = {0, 3};
        Tensor[] lrp = new Tensor[2], fg = new Tensor[2];
        int[] threads = {1, 3};
        for (int i = 0; i < 2; i++) {
            try (Parallel p = new Parallel(threads[i])) {
                Executor ex = Executor.fast(m, p);
                lrp[i] = new Lrp(ex, Composite.epsilonGammaBox(new float[]{-3f}, new float[]{3f})).attribute(x, cls);
                Activations fwd = ex.forward(x);
                String layer = ShapedModels.camLayer(kind);
                Tensor comps = BaseComponents.compute(new BaseComponents.Base.GradCam(), ex, fwd, x, layer, cls);
                fg[i] = new FgCam(ex).raise(fwd, layer, comps, "input").raised();
            }
        }
        for (int j = 0; j < lrp[0].size(); j++) {
            assertEquals(Float.floatToRawIntBits(lrp[0].data()[j]), Float.floatToRawIntBits(lrp[1].data()[j]), kind + " lrp at " + j);
            assertEquals(Float.floatToRawIntBits(fg[0].data()[j]), Float.floatToRawIntBits(fg[1].data()[j]), kind + " fg-cam at " + j);
        }
    }
}
