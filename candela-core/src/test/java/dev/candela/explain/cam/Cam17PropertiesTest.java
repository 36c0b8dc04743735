package dev.candela.explain.cam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explain.ShapedModels;
import dev.candela.explain.Target;
import dev.candela.graph.Model;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Properties of the issue-17 CAM methods on seeded random models; each names its axiom and seed. */
class Cam17PropertiesTest {

    static Tensor input(long seed) {
        Random r = new Random(seed);
        float[] d = new float[3 * 12 * 12];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return Tensor.of(d, 1, 3, 12, 12);
    }

    static Explanation run(Model m, CamMethod method, Tensor x, Target t) {
        return Explainer.of(Executor.fast(m, Parallel.serial())).explain(x, method,
                Explainer.Request.defaults().layers(ShapedModels.camLayer(ShapedModels.Kind.RESNET)).targets(t));
    }

    /** ShapleyCAM with a logit target: the Hessian of a logit through a piecewise-linear head is 0, so it is Grad-CAM. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void shapleyCamOfALogitIsGradCam(long seed) {
        Model m = ShapedModels.build(ShapedModels.Kind.RESNET, seed, true);
        Tensor x = input(seed);
        Explanation s = run(m, new ShapleyCam(), x, Target.classIndex(2)), g = run(m, new GradCam(), x, Target.classIndex(2));
        assertArrayEquals(g.coefficients().data(), s.coefficients().data(), 0f, "seed " + seed + ": shapley-cam(logit) != grad-cam");
    }

    /** FEM uses no target: every class gets the same map. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {4, 5})
    void femIsTheSameForEveryClass(long seed) {
        Model m = ShapedModels.build(ShapedModels.Kind.RESNET, seed, true);
        Tensor x = input(seed);
        assertArrayEquals(run(m, new Fem(), x, Target.classIndex(0)).maps().data(), run(m, new Fem(), x, Target.classIndex(4)).maps().data(), 0f, "seed " + seed);
    }

    /** FEM's weights are fractions of positions: in [0, 1]. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {6, 7})
    void femWeightsAreFractions(long seed) {
        Model m = ShapedModels.build(ShapedModels.Kind.RESNET, seed, true);
        for (float w : run(m, new Fem(0.5), input(seed), Target.classIndex(1)).coefficients().data()) {
            assertEquals(true, w >= 0 && w <= 1, "seed " + seed + ": FEM weight " + w);
        }
    }

    /** --target all: one map per class, in class order, each the map of that class explained alone (one batched pass). */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {8, 9})
    void targetAllGivesEveryClassItsOwnMap(long seed) {
        Model m = ShapedModels.build(ShapedModels.Kind.RESNET, seed, true);
        Tensor x = input(seed);
        Explanation all = run(m, new GradCam(), x, Target.parse("all"));
        int classes = 5, plane = 12 * 12;
        assertEquals(classes, all.maps().dim(0), "seed " + seed + ": one map per class");
        for (int c = 0; c < classes; c++) {
            float[] one = run(m, new GradCam(), x, Target.classIndex(c)).maps().data();
            float[] row = java.util.Arrays.copyOfRange(all.maps().data(), c * plane, (c + 1) * plane);
            assertArrayEquals(one, row, 1e-6f, "seed " + seed + ": class " + c + " in --target all");
        }
    }
}
