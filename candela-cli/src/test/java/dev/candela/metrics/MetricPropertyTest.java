package dev.candela.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.metrics.DeletionInsertion.Curve;
import dev.candela.metrics.DeletionInsertion.Kind;
import dev.candela.metrics.ModelScorer.Output;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Axioms of the metrics, each checked over seeds from {@link Seeds}. The model is the tiny
 * Fashion-MNIST CNN trained by tools/train_metric_test_model.py (65% test accuracy), committed under
 * testdata/models/fashion-tiny; it stands in for the shipped weights/ model until that lands.
 */
class MetricPropertyTest {
    static LongStream seeds() { return Seeds.some(); }

    /** Fewer seeds for the properties that run many forward passes. */
    static LongStream heavySeeds() { return Seeds.few(4); }

    static final Executor EX = new Executor(TinyCnn.fashion(), ReferenceKernels.INSTANCE);

    static float[] randomMap(SplittableRandom r, int hw) {
        float[] m = new float[hw];
        for (int i = 0; i < hw; i++) m[i] = (float) r.nextDouble();
        return m;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aucOfAConstantCurveEqualsTheConstant(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float c = (float) (r.nextDouble() * 4 - 2);
        int pixels = 1 + r.nextInt(5000);
        int step = 1 + r.nextInt(pixels + 3);
        for (DeletionInsertion di : List.of(DeletionInsertion.rise(step), DeletionInsertion.torchCam(step))) {
            int[] counts = di.counts(pixels);
            // through the real curve machinery: a scorer that ignores its input
            Scorer constant = (x, t) -> { float[] s = new float[t.length]; Arrays.fill(s, c); return s; };
            int side = (int) Math.ceil(Math.sqrt(pixels));
            MapBatch b = new MapBatch(Tensor.zeros(1, 1, 1, pixels), Tensor.of(randomMap(r, pixels), 1, 1, pixels), new int[]{0});
            Curve curve = di.curves(Kind.DELETION, constant, b)[0];
            assertEquals(counts.length, curve.scores().length, "seed " + seed);
            assertEquals(c, curve.auc(), 1e-6, "seed " + seed + ": " + di.convention() + " pixels " + pixels + " step " + step + " side " + side);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("heavySeeds")
    void rankingMetricsScoreAMapAndItsPositiveRescalingTheSame(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 2;
        Tensor x = TinyCnn.fashionImages(8).slice((int) (seed % 6), (int) (seed % 6) + n);
        int[] t = {r.nextInt(10), r.nextInt(10)};
        float[] m = randomMap(r, n * 784);
        float a = (float) (0.05 + 0.95 * r.nextDouble());
        float[] scaled = m.clone();
        for (int i = 0; i < scaled.length; i++) scaled[i] *= a;
        MapBatch b1 = new MapBatch(x, Tensor.of(m, n, 28, 28), t), b2 = new MapBatch(x, Tensor.of(scaled, n, 28, 28), t);
        Scorer s = new ModelScorer(EX, Output.SOFTMAX, 64);
        for (DeletionInsertion di : List.of(DeletionInsertion.rise(56), DeletionInsertion.torchCam(10))) {
            for (Kind k : Kind.values()) {
                assertArrayEquals(di.auc(k).evaluate(s, b1), di.auc(k).evaluate(s, b2), "seed " + seed + " scale " + a + " " + di.convention() + " " + k);
            }
        }
        double[] p = {30, 70};
        float[] road1 = Road.seeded(seed).combined(p, s, b1), road2 = Road.seeded(seed).combined(p, s, b2);
        assertArrayEquals(road1, road2, "seed " + seed + " scale " + a + " ROAD");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("heavySeeds")
    void gradientTimesInputBeatsRandomOnDeletionAuc(long seed) {
        int n = 8;
        Tensor x = TinyCnn.fashionImages(32).slice((int) (seed % 24), (int) (seed % 24) + n);
        Scorer s = new ModelScorer(EX, Output.SOFTMAX, 64);
        int[] pred = argmax(EX, x);
        DeletionInsertion rise = DeletionInsertion.rise(28);
        double gxi = mean(rise.auc(Kind.DELETION).evaluate(s, new MapBatch(x, TinyCnn.gradientTimesInput().maps(EX, x, pred), pred)));
        double rnd = mean(rise.auc(Kind.DELETION).evaluate(s, new MapBatch(x, TinyCnn.registered("random-cam", "relu2", seed).maps(EX, x, pred), pred)));
        System.out.printf("seed %d: deletion AUC gradient x input %.4f, Random-CAM %.4f%n", seed, gxi, rnd);
        assertTrue(gxi < rnd, "seed " + seed + ": gradient x input deletion AUC " + gxi + " should be below Random-CAM's " + rnd);
    }

    static final java.nio.file.Path SHIPPED = java.nio.file.Path.of("weights/fashion-vgg.cnd");

    /** The same property on the shipped model (weights/fashion-vgg.cnd), inputs normalised with its metadata. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("heavySeeds")
    void gradientTimesInputBeatsRandomCamOnDeletionAucOnTheShippedModel(long seed) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(SHIPPED), "shipped model " + SHIPPED + " absent");
        var model = dev.candela.format.ModelFiles.load(SHIPPED);
        Executor ex = Executor.fast(model, dev.candela.tensor.Parallel.serial());
        int n = 8, off = (int) (seed % 24);
        Tensor raw = TinyCnn.fashionImages(32).slice(off, off + n);
        float[] d = raw.data().clone();
        for (int i = 0; i < d.length; i++) d[i] = model.preprocessing().value(0, d[i] * 255f);
        Tensor x = new Tensor(raw.shape(), d);
        int[] pred = argmax(ex, x);
        Scorer s = new ModelScorer(ex, Output.SOFTMAX, 64);
        DeletionInsertion rise = DeletionInsertion.rise(28);
        MapFunction gxi = (e, in, t) -> dev.candela.cli.EvaluateCommandAccess.attributionMap("gradient-x-input",
                new dev.candela.explain.attribution.PixelAttribution.GradientTimesInput().attribute(e, in, dev.candela.explain.attribution.TargetWeights.oneHot(10, t)));
        String layer = dev.candela.explainer.Explainer.of(ex).autoLayer().tensor();
        double a = mean(rise.auc(Kind.DELETION).evaluate(s, new MapBatch(x, gxi.maps(ex, x, pred), pred)));
        double r = mean(rise.auc(Kind.DELETION).evaluate(s, new MapBatch(x, TinyCnn.registered("random-cam", layer, seed).maps(ex, x, pred), pred)));
        System.out.printf("shipped model, seed %d: deletion AUC gradient x input %.4f, Random-CAM %.4f%n", seed, a, r);
        assertTrue(a < r, "seed " + seed + ": gradient x input deletion AUC " + a + " should be below Random-CAM's " + r);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomisingTheTopLayersLowersTheRankCorrelationOfGradCamMaps(long seed) {
        int n = 6;
        Tensor x = TinyCnn.fashionImages(32).slice((int) (seed % 24), (int) (seed % 24) + n);
        int[] pred = argmax(EX, x);
        MapFunction gradCam = TinyCnn.registered("grad-cam", "relu2", 0);
        Tensor original = gradCam.maps(EX, x, pred);
        double self = 0;
        for (int i = 0; i < n; i++) self += MapSimilarity.spearman(slice(original, i), slice(gradCam.maps(EX, x, pred), i)) / n;
        List<CascadingRandomisation.Step> steps = new CascadingRandomisation(seed).run(EX, gradCam, x, pred, 2);
        assertEquals(List.of("fc", "conv2"), steps.stream().map(CascadingRandomisation.Step::layer).toList());
        double top = mean(steps.get(steps.size() - 1).spearman());
        System.out.printf("seed %d: Spearman unrandomised %.4f, after fc %.4f, after fc+conv2 %.4f%n", seed, self, mean(steps.get(0).spearman()), top);
        assertTrue(top < self - 0.2, "seed " + seed + ": mean Spearman after randomising fc and conv2 is " + top + ", unrandomised " + self);
    }

    static float[] slice(Tensor t, int i) {
        int hw = t.dim(1) * t.dim(2);
        return Arrays.copyOfRange(t.data(), i * hw, (i + 1) * hw);
    }

    static int[] argmax(Executor ex, Tensor x) {
        Tensor out = ex.forward(x, java.util.Set.of()).output();
        int k = out.dim(1);
        int[] r = new int[x.dim(0)];
        for (int i = 0; i < r.length; i++) {
            for (int j = 1; j < k; j++) if (out.data()[i * k + j] > out.data()[i * k + r[i]]) r[i] = j;
        }
        return r;
    }

    static double mean(double[] v) { return Arrays.stream(v).average().orElse(Double.NaN); }
}
