package dev.candela.explain.sampled;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explainer.Methods;
import dev.candela.explain.ShapedModels;
import dev.candela.explain.Target;
import dev.candela.graph.Model;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Properties the sampling methods promise, on seeded random models and inputs; each names its axiom and seed. */
class SampledPropertiesTest {

    static Tensor input(long seed, int n) {
        Random r = new Random(seed);
        float[] d = new float[n * 3 * 12 * 12];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return Tensor.of(d, n, 3, 12, 12);
    }

    static Explanation run(Model m, int threads, String method, Tensor x, int target) {
        Executor ex = Executor.fast(m, threads == 1 ? Parallel.serial() : new Parallel(threads));
        return Explainer.of(ex).explain(x, Methods.parse(List.of(method), Methods.Defaults.none(), m).get(0),
                Explainer.Request.defaults().targets(Target.classIndex(target)));
    }

    static double logit(Model m, Tensor x, int c) {
        return Executor.fast(m, Parallel.serial()).forward(x, java.util.Set.of()).output().data()[c];
    }

    /** Occlusion's definition: a window over the whole input gives every element score(x) - score(baseline input). */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void occlusionOfTheWholeInputIsTheScoreDrop(long seed) {
        Model m = ShapedModels.build(ShapedModels.Kind.VGG, seed, true);
        Tensor x = input(seed, 1);
        Explanation e = run(m, 1, "occlusion(window=3x12x12,baseline=0.25)", x, 2);
        double drop = logit(m, x, 2) - logit(m, Tensor.full(x.shape(), 0.25f), 2);
        for (float v : e.attributions().data()) assertEquals(drop, v, 1e-5 * Math.max(1, Math.abs(drop)), "seed " + seed + ": whole-window occlusion");
    }

    /** RISE with p = 1 keeps every cell: every mask is 1, so the saliency is the target's probability everywhere. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {4, 5})
    void riseWithEveryCellKeptIsTheProbability(long seed) {
        Model m = ShapedModels.build(ShapedModels.Kind.RESNET, seed, true);
        Tensor x = input(seed, 1);
        Explanation e = run(m, 1, "rise(masks=20,cells=3,p=1,seed=" + seed + ")", x, 1);
        float[] z = Executor.fast(m, Parallel.serial()).forward(x, java.util.Set.of()).output().data();
        double mx = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : z) mx = Math.max(mx, v);
        for (float v : z) sum += Math.exp(v - mx);
        double p = Math.exp(z[1] - mx) / sum;
        for (float v : e.attributions().data()) assertEquals(p, v, 1e-6, "seed " + seed + ": RISE with p = 1");
    }

    /** RISE masks: values in [0, 1], and a fixed seed gives the same masks. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {6, 7})
    void riseMasksAreInTheUnitIntervalAndSeeded(long seed) {
        Rise a = new Rise(50, 5, 0.3, seed, true);
        Rise.Draws d1 = a.draws(17, 23), d2 = a.draws(17, 23);
        float[] m1 = new float[17 * 23], m2 = new float[17 * 23];
        for (int k = 0; k < 50; k++) {
            d1.mask(k, m1);
            d2.mask(k, m2);
            assertArrayEquals(m1, m2, "seed " + seed + ": mask " + k + " not reproducible");
            for (float v : m1) assertTrue(v >= 0 && v <= 1, "seed " + seed + ": mask value " + v);
        }
    }

    /** Determinism: a fixed seed gives bit-identical maps on 1 and 2 threads; another seed gives another map. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rise(masks=64,cells=4,p=0.5,seed=SEED)", "gradient-shap(n-samples=6,stdevs=0.2,seed=SEED)"})
    void aFixedSeedGivesTheSameMapOnAnyThreadCount(String spec) {
        Model m = ShapedModels.build(ShapedModels.Kind.RESNET, 11, true);
        Tensor x = input(11, 2);
        Explanation a = run(m, 1, spec.replace("SEED", "5"), x, 3), b = run(m, 2, spec.replace("SEED", "5"), x, 3), c = run(m, 1, spec.replace("SEED", "6"), x, 3);
        assertArrayEquals(a.attributions().data(), b.attributions().data(), 0f, spec + " seed 5: 1 vs 2 threads");
        assertFalse(java.util.Arrays.equals(a.attributions().data(), c.attributions().data()), spec + ": seeds 5 and 6 gave the same map");
    }

    /** Bad options are refused with one line naming the option. */
    @org.junit.jupiter.api.Test
    void badOptionsAreRefused() {
        Model m = ShapedModels.build(ShapedModels.Kind.RESNET, 1, true);
        for (String bad : List.of("rise(p=0)", "rise(masks=0)", "occlusion(window=0)", "occlusion(window=2x2x2x2)", "gradient-shap(n-samples=0)", "gradient-shap(stdevs=-1)", "rise(score=x)", "rise(masks=1000000,cells=256)", "rise(masks=2000000)")) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Methods.parse(List.of(bad), Methods.Defaults.none(), m), bad);
            assertFalse(e.getMessage().contains("\n"), bad + ": " + e.getMessage());
        }
    }
}
