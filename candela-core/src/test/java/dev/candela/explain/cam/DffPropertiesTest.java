package dev.candela.explain.cam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explain.ShapedModels;
import dev.candela.explain.Target;
import dev.candela.graph.Model;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Properties of Deep Feature Factorization on seeded random models; each names its axiom and seed. */
class DffPropertiesTest {

    static Explanation run(Model m, Parallel p, Tensor x, Target t) {
        return Explainer.of(Executor.fast(m, p)).explain(x, new Dff(), Explainer.Request.defaults()
                .layers(ShapedModels.camLayer(ShapedModels.Kind.RESNET)).targets(t));
    }

    /**
     * The factorisation does not depend on the target (it only picks the concept shown), its concept maps lie in
     * [0, 1], the map shown is the chosen concept's map, and the chosen concept has the highest softmax score of
     * the target class.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void conceptsDoNotDependOnTheTargetAndTheShownMapIsTheBestConcept(long seed) {
        Model m = ShapedModels.build(ShapedModels.Kind.RESNET, seed, true);
        Tensor x = Cam17PropertiesTest.input(seed);
        Explanation a = run(m, Parallel.serial(), x, Target.classIndex(0)), b = run(m, Parallel.serial(), x, Target.classIndex(4));
        for (String key : new String[]{"concept_maps", "concepts", "class_scores"}) {
            assertArrayEquals(((Tensor) a.audit().get(key)).data(), ((Tensor) b.audit().get(key)).data(), 0f, "seed " + seed + ": " + key + " depends on the target");
        }
        for (Explanation e : new Explanation[]{a, b}) {
            Tensor maps = (Tensor) e.audit().get("concept_maps"), scores = (Tensor) e.audit().get("class_scores");
            for (float v : maps.data()) assertTrue(v >= 0 && v <= 1, "seed " + seed + ": concept map value " + v);
            int chosen = ((int[]) e.audit().get("concept"))[0], n = maps.dim(1), plane = maps.shape().itemSize() / n, classes = scores.dim(2);
            int cls = e.targets().get(0).classIndex();
            for (int j = 0; j < n; j++) {
                assertTrue(scores.data()[j * classes + cls] <= scores.data()[chosen * classes + cls], "seed " + seed + ": concept " + j + " scores class " + cls + " higher than the chosen " + chosen);
            }
            assertArrayEquals(java.util.Arrays.copyOfRange(maps.data(), chosen * plane, (chosen + 1) * plane), e.maps().data(), 0f, "seed " + seed + ": shown map");
        }
    }

    /** The same bits for one thread and for four. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {4, 5})
    void sameBitsForAnyThreadCount(long seed) {
        Model m = ShapedModels.build(ShapedModels.Kind.RESNET, seed, true);
        Tensor x = Cam17PropertiesTest.input(seed);
        Explanation one = run(m, Parallel.serial(), x, Target.classIndex(1));
        try (Parallel four = new Parallel(4)) {
            Explanation many = run(m, four, x, Target.classIndex(1));
            assertArrayEquals(one.maps().data(), many.maps().data(), 0f, "seed " + seed + ": map");
            assertArrayEquals(((Tensor) one.audit().get("concepts")).data(), ((Tensor) many.audit().get("concepts")).data(), 0f, "seed " + seed + ": concepts");
            assertEquals(((int[]) one.audit().get("concept"))[0], ((int[]) many.audit().get("concept"))[0], "seed " + seed + ": chosen concept");
        }
    }

    /** --target all: every class's row is the map of that class explained alone (the image is factorised once). */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {6})
    void targetAllAgreesWithEachClassAlone(long seed) {
        Model m = ShapedModels.build(ShapedModels.Kind.RESNET, seed, true);
        Tensor x = Cam17PropertiesTest.input(seed);
        Explanation all = run(m, Parallel.serial(), x, Target.parse("all"));
        int plane = 12 * 12;
        for (int c = 0; c < 5; c++) {
            Explanation one = run(m, Parallel.serial(), x, Target.classIndex(c));
            assertArrayEquals(one.maps().data(), java.util.Arrays.copyOfRange(all.maps().data(), c * plane, (c + 1) * plane), 0f, "seed " + seed + ": class " + c);
            Tensor cm = (Tensor) all.audit().get("concept_maps"), oneCm = (Tensor) one.audit().get("concept_maps");
            int size = oneCm.size();
            assertArrayEquals(oneCm.data(), java.util.Arrays.copyOfRange(cm.data(), c * size, (c + 1) * size), 0f, "seed " + seed + ": concept maps of row " + c);
        }
    }

    /** More concepts than the layer has channels is refused in one line naming the option and the bound (it overflowed before). */
    @org.junit.jupiter.api.Test
    void moreComponentsThanChannelsIsRefused() {
        Model m = ShapedModels.build(ShapedModels.Kind.RESNET, 7, true);
        Tensor x = Cam17PropertiesTest.input(7);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Explainer.of(Executor.fast(m, Parallel.serial()))
                .explain(x, new Dff(100_000), Explainer.Request.defaults().layers(ShapedModels.camLayer(ShapedModels.Kind.RESNET)).targets(Target.classIndex(0))));
        assertTrue(e.getMessage().startsWith("dff: components must be at most the layer's "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" channels, got 100000"), e.getMessage());
    }
}
