package dev.candela.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.candela.graph.Preprocessing;
import dev.candela.image.Npy;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The Quantus metrics against Quantus itself on a small seeded CNN, fixed maps and boxes
 * (testdata/golden/quantus, made by tools/make_quantus_goldens.py; one Quantus call per image).
 * Tolerance: the manifest's 1e-4, absolute (float32 arithmetic in NumPy and PyTorch vs double here).
 */
class QuantusGoldenTest {
    static final Path DIR = Path.of("testdata/golden/quantus");
    final JsonNode manifest;
    final Tensor inputs, maps;
    final int[] targets;
    final List<List<Box>> boxes = new ArrayList<>();
    final int n, h, w;

    QuantusGoldenTest() throws Exception {
        manifest = dev.candela.testkit.Goldens.manifest(DIR);
        inputs = Npy.read(DIR.resolve("inputs.npy"));
        maps = Npy.read(DIR.resolve("maps.npy"));
        n = inputs.dim(0);
        h = inputs.dim(2);
        w = inputs.dim(3);
        targets = new int[n];
        for (int i = 0; i < n; i++) {
            targets[i] = manifest.get("targets").get(i).asInt();
            JsonNode b = manifest.get("boxes").get(i);
            boxes.add(List.of(new Box(b.get(0).asInt(), b.get(1).asInt(), b.get(2).asInt(), b.get(3).asInt())));
        }
    }

    float[] map(int i) { return maps.item(i).data(); }

    boolean[] mask(int i) { return QuantusMetrics.mask(h, w, boxes.get(i)); }

    void check(String golden, IntToDoubleFunction actual) throws Exception {
        float[] expected = Npy.read(DIR.resolve(golden + ".npy")).data();
        double tol = manifest.get("tolerance").asDouble(), worst = 0;
        for (int i = 0; i < n; i++) {
            double a = actual.applyAsDouble(i);
            worst = Math.max(worst, Math.abs(a - expected[i]));
            assertEquals(expected[i], a, tol, golden + "[" + i + "]");
        }
        System.out.printf("quantus golden %-40s max |diff| %.3g%n", golden, worst);
    }

    @Test void boxesGiveQuantusSegmentationMasks() throws Exception {
        float[] m = Npy.read(DIR.resolve("masks.npy")).data();
        for (int i = 0; i < n; i++) {
            boolean[] s = mask(i);
            float[] f = new float[s.length];
            for (int p = 0; p < s.length; p++) f[p] = s[p] ? 1 : 0;
            assertArrayEquals(java.util.Arrays.copyOfRange(m, i * h * w, (i + 1) * h * w), f, "mask " + i);
        }
    }

    @Test void complexityMetrics() throws Exception {
        check("sparseness", i -> QuantusMetrics.sparseness(map(i)));
        check("complexity", i -> QuantusMetrics.complexity(map(i)));
        check("effective_complexity", i -> QuantusMetrics.effectiveComplexity(map(i), 0.5));
    }

    @Test void localisationMetrics() throws Exception {
        check("top_k_intersection_k20", i -> QuantusMetrics.topKIntersection(map(i), mask(i), 20));
        check("relevance_rank_accuracy", i -> QuantusMetrics.relevanceRankAccuracy(map(i), mask(i)));
        check("relevance_mass_accuracy", i -> QuantusMetrics.relevanceMassAccuracy(map(i), mask(i)));
        check("attribution_localisation", i -> QuantusMetrics.attributionLocalisation(map(i), mask(i)));
    }

    @Test void faithfulnessEstimate() throws Exception {
        Executor ex = new Executor(TinyCnn.load(DIR, "model.", Shape.of(inputs.dim(1), h, w), Preprocessing.unit()), ReferenceKernels.INSTANCE);
        for (ModelScorer.Output out : ModelScorer.Output.values()) {
            Scorer scorer = new ModelScorer(ex, out, 7);
            String suffix = out == ModelScorer.Output.SOFTMAX ? "softmax" : "logit";
            double[] all = QuantusMetrics.faithfulnessEstimate(scorer, new MapBatch(inputs, maps, targets), 8, 5);
            check("faithfulness_estimate_step8_" + suffix, i -> all[i]);
            // one image at a time gives the same numbers (nothing depends on the batch)
            check("faithfulness_estimate_step8_" + suffix, i -> QuantusMetrics.faithfulnessEstimate(scorer,
                    new MapBatch(inputs.slice(i, i + 1), maps.slice(i, i + 1), new int[]{targets[i]}), 8, 32)[0]);
        }
    }

    void checkCurves(String golden, int image, double[] actual) throws Exception {
        Tensor t = Npy.read(DIR.resolve(golden + ".npy"));
        float[] e = t.item(image).data();
        assertEquals(e.length, actual.length, golden + " length");
        for (int k = 0; k < e.length; k++) assertEquals(e[k], actual[k], manifest.get("tolerance").asDouble(), golden + "[" + image + "][" + k + "]");
    }

    @Test void regionPerturbationAndSelectivity() throws Exception {
        Executor ex = new Executor(TinyCnn.load(DIR, "model.", Shape.of(inputs.dim(1), h, w), Preprocessing.unit()), ReferenceKernels.INSTANCE);
        MapBatch batch = new MapBatch(inputs, maps, targets);
        for (ModelScorer.Output out : ModelScorer.Output.values()) {
            Scorer scorer = new ModelScorer(ex, out, 7);
            String sm = out == ModelScorer.Output.SOFTMAX ? "softmax" : "logit";
            for (int[] pr : new int[][]{{5, 6}, {8, 100}}) {
                String tag = "p" + pr[0] + "_" + sm;
                for (int i = 0; i < n; i++) {
                    checkCurves("region_perturbation_curves_" + tag, i, QuantusMetrics.patchCurve(scorer, batch, i, pr[0], pr[1], true, 4));
                    checkCurves("selectivity_curves_" + tag, i, QuantusMetrics.patchCurve(scorer, batch, i, pr[0], 0, false, 4));
                }
                check("region_perturbation_auc_" + tag, i -> QuantusMetrics.regionPerturbation(scorer, batch, i, pr[0], pr[1], 3));
                check("selectivity_auc_" + tag, i -> QuantusMetrics.selectivity(scorer, batch, i, pr[0], 32));
            }
        }
    }

    @Test void monotonicityNguyenReplayingQuantusDraws() throws Exception {
        Executor ex = new Executor(TinyCnn.load(DIR, "model.", Shape.of(inputs.dim(1), h, w), Preprocessing.unit()), ReferenceKernels.INSTANCE);
        MapBatch batch = new MapBatch(inputs, maps, targets);
        for (ModelScorer.Output out : ModelScorer.Output.values()) {
            Scorer scorer = new ModelScorer(ex, out, 7);
            String tag = "step8_s3_" + (out == ModelScorer.Output.SOFTMAX ? "softmax" : "logit");
            double[] draws = Npy.readDoubles(DIR.resolve("monotonicity_nguyen_draws_" + tag + ".npy"));
            int perImage = draws.length / n;
            check("monotonicity_nguyen_" + tag, i -> {
                int[] next = {i * perImage};
                double v = QuantusMetrics.monotonicityNguyen(scorer, batch, i, 8, 3, () -> draws[next[0]++], 5);
                assertEquals((i + 1) * perImage, next[0], "every recorded draw used, no more");
                return v;
            });
        }
    }

    static int[] labels(Tensor t) {
        float[] f = t.data();
        int[] r = new int[f.length];
        for (int i = 0; i < f.length; i++) r[i] = (int) f[i];
        return r;
    }

    /** IROF on the golden inputs, where SLIC's 100 segments of a 12 x 12 image are its pixels: given segmentation and Java SLIC. */
    @Test void irofOnTheGoldenInputs() throws Exception {
        Executor ex = new Executor(TinyCnn.load(DIR, "model.", Shape.of(inputs.dim(1), h, w), Preprocessing.unit()), ReferenceKernels.INSTANCE);
        MapBatch batch = new MapBatch(inputs, maps, targets);
        Tensor seg = Npy.read(DIR.resolve("slic_labels_inputs.npy"));
        for (ModelScorer.Output out : ModelScorer.Output.values()) {
            Scorer scorer = new ModelScorer(ex, out, 7);
            String tag = out == ModelScorer.Output.SOFTMAX ? "softmax" : "logit";
            check("irof_" + tag, i -> QuantusMetrics.irof(scorer, batch, i, labels(seg.item(i)), 7));
            check("irof_" + tag, i -> QuantusMetrics.irof(scorer, batch, i, 32));
        }
    }

    /** IROF on images where SLIC makes real superpixels (14 to 111 of them): with skimage's labels and with Java's SLIC. */
    @Test void irofOnSlicSuperpixels() throws Exception {
        String[] names = {"blocks", "noise", "smooth", "chelsea64"};
        JsonNode c = manifest.get("cases").get("irof_slic_softmax"); // its targets: the net's top class per image
        for (ModelScorer.Output out : ModelScorer.Output.values()) {
            String tag = out == ModelScorer.Output.SOFTMAX ? "softmax" : "logit";
            float[] expected = Npy.read(DIR.resolve("irof_slic_" + tag + ".npy")).data();
            double tol = manifest.get("tolerance").asDouble(), worst = 0;
            for (int k = 0; k < names.length; k++) {
                Tensor im = Npy.read(DIR.resolve("slic_image_" + names[k] + ".npy"));
                int ih = im.dim(1), iw = im.dim(2);
                Executor ex = new Executor(TinyCnn.load(DIR, "model.", Shape.of(im.dim(0), ih, iw), Preprocessing.unit()), ReferenceKernels.INSTANCE);
                Scorer scorer = new ModelScorer(ex, out, 16);
                Tensor x = Tensor.of(im.data(), 1, im.dim(0), ih, iw);
                Tensor m = Tensor.of(Npy.read(DIR.resolve("irof_map_" + names[k] + ".npy")).data(), 1, ih, iw);
                MapBatch b = new MapBatch(x, m, new int[]{c.get("targets").get(k).asInt()});
                double given = QuantusMetrics.irof(scorer, b, 0, labels(Npy.read(DIR.resolve("slic_labels_" + names[k] + ".npy"))), 16);
                double slic = QuantusMetrics.irof(scorer, b, 0, 16);
                assertEquals(expected[k], given, tol, "irof_slic_" + tag + " " + names[k] + " (skimage's labels)");
                assertEquals(expected[k], slic, tol, "irof_slic_" + tag + " " + names[k] + " (Java SLIC)");
                worst = Math.max(worst, Math.max(Math.abs(given - expected[k]), Math.abs(slic - expected[k])));
            }
            System.out.printf("quantus golden %-40s max |diff| %.3g%n", "irof_slic_" + tag, worst);
        }
    }

    @Test void irofRejectsBadSegmentations() throws Exception {
        Executor ex = new Executor(TinyCnn.load(DIR, "model.", Shape.of(inputs.dim(1), h, w), Preprocessing.unit()), ReferenceKernels.INSTANCE);
        Scorer scorer = new ModelScorer(ex, ModelScorer.Output.SOFTMAX, 7);
        MapBatch batch = new MapBatch(inputs, maps, targets);
        int[] one = new int[h * w], gap = new int[h * w], shortLabels = new int[5];
        gap[0] = 2;
        for (int[] bad : new int[][]{one, gap, shortLabels}) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> QuantusMetrics.irof(scorer, batch, 0, bad, 7));
        }
    }

    /**
     * Monotonicity Arya against Quantus's loop with features added from the input (see the golden script): fixed,
     * reversed, random and "insertion" maps, steps of 8, 24 and 48 pixels; verdicts exact (both occur), the target
     * logit after each step within the manifest's 1e-4. Quantus's own call answers 1 everywhere (recorded).
     */
    @Test void monotonicityAryaAgainstQuantusLoop() throws Exception {
        Executor ex = new Executor(TinyCnn.load(DIR, "model.", Shape.of(inputs.dim(1), h, w), Preprocessing.unit()), ReferenceKernels.INSTANCE);
        double tol = manifest.get("tolerance").asDouble(), worst = 0, margin = Double.POSITIVE_INFINITY;
        int ones = 0, zeros = 0;
        for (String mname : new String[]{"maps", "reversed", "random", "insertion"}) {
            Tensor mm = mname.equals("maps") ? maps : Npy.read(DIR.resolve("arya_maps_" + mname + ".npy"));
            MapBatch batch = new MapBatch(inputs, mm, targets);
            for (int step : new int[]{8, 24, 48}) {
                for (ModelScorer.Output out : ModelScorer.Output.values()) {
                    Scorer scorer = new ModelScorer(ex, out, 7);
                    String tag = mname + "_step" + step + "_" + (out == ModelScorer.Output.SOFTMAX ? "softmax" : "logit");
                    float[] want = Npy.read(DIR.resolve("monotonicity_arya_" + tag + ".npy")).data();
                    Tensor logits = Npy.read(DIR.resolve("monotonicity_arya_logits_" + tag + ".npy")); // image x step, float64
                    double[] e = Npy.readDoubles(DIR.resolve("monotonicity_arya_logits_" + tag + ".npy"));
                    Scorer logit = new ModelScorer(ex, ModelScorer.Output.LOGIT, 7);
                    for (int i = 0; i < n; i++) {
                        double v = QuantusMetrics.monotonicityArya(scorer, batch, i, step, 5);
                        assertEquals(want[i], v, 0.0, "monotonicity_arya_" + tag + "[" + i + "]");
                        if (v == 1) ones++; else zeros++;
                        double[] curve = QuantusMetrics.monotonicityAryaCurve(logit, batch, i, step, 4);
                        int len = logits.dim(1);
                        assertEquals(len, curve.length, tag + " steps");
                        for (int k = 0; k < len; k++) {
                            assertEquals(e[i * len + k], curve[k], tol, tag + " logit [" + i + "][" + k + "]");
                            worst = Math.max(worst, Math.abs(e[i * len + k] - curve[k]));
                            if (k > 0 && out == ModelScorer.Output.LOGIT) margin = Math.min(margin, Math.abs(curve[k] - curve[k - 1]));
                        }
                    }
                }
            }
        }
        System.out.printf("quantus golden monotonicity_arya: %d ones, %d zeros; logits max |diff| %.3g; smallest |step change| %.3g%n", ones, zeros, worst, margin);
        org.junit.jupiter.api.Assertions.assertTrue(ones > 0 && zeros > 0, "both verdicts occur");
        for (JsonNode v : manifest.get("cases").get("monotonicity_arya_quantus_call").get("values")) assertEquals(1.0, v.asDouble(), "Quantus's own call");
    }

    @Test void nonSensitivityAndCompleteness() throws Exception {
        Executor ex = new Executor(TinyCnn.load(DIR, "model.", Shape.of(inputs.dim(1), h, w), Preprocessing.unit()), ReferenceKernels.INSTANCE);
        MapBatch batch = new MapBatch(inputs, Npy.read(DIR.resolve("maps_relu.npy")), targets);
        for (ModelScorer.Output out : ModelScorer.Output.values()) {
            Scorer scorer = new ModelScorer(ex, out, 7);
            String tag = out == ModelScorer.Output.SOFTMAX ? "softmax" : "logit";
            check("non_sensitivity_step24_" + tag, i -> QuantusMetrics.nonSensitivity(scorer, batch, i, 24, 1e-5, 5));
            check("completeness_" + tag, i -> QuantusMetrics.completeness(scorer, batch, i));
        }
    }

    @Test void completenessHoldsWhenTheSumIsTheScoreDifference() {
        // a scorer that gives 1 to the image and 0 to the all-minimum image; a map with one pixel at 1
        Scorer fake = (in, t) -> {
            float[] r = new float[in.dim(0)];
            for (int k = 0; k < r.length; k++) r[k] = in.item(k).data()[5] > 0.001f ? 1 : 0;
            return r;
        };
        float[] x = new float[3 * 4];
        java.util.Arrays.fill(x, 0.5f);
        x[0] = 0;
        float[] m = new float[4];
        m[2] = 1;
        MapBatch b = new MapBatch(Tensor.of(x, 1, 3, 2, 2), Tensor.of(m, 1, 2, 2), new int[]{0});
        assertEquals(1.0, QuantusMetrics.completeness(fake, b, 0));
        m[1] = 0.5f;
        assertEquals(0.0, QuantusMetrics.completeness(fake, new MapBatch(Tensor.of(x, 1, 3, 2, 2), Tensor.of(m, 1, 2, 2), new int[]{0}), 0));
    }

    @Test void faithfulnessCorrelationReplayingQuantusSubsets() throws Exception {
        Executor ex = new Executor(TinyCnn.load(DIR, "model.", Shape.of(inputs.dim(1), h, w), Preprocessing.unit()), ReferenceKernels.INSTANCE);
        MapBatch batch = new MapBatch(inputs, maps, targets);
        for (ModelScorer.Output out : ModelScorer.Output.values()) {
            Scorer scorer = new ModelScorer(ex, out, 7);
            String tag = "r20_s40_" + (out == ModelScorer.Output.SOFTMAX ? "softmax" : "logit");
            Tensor subsets = Npy.read(DIR.resolve("faithfulness_correlation_subsets_" + tag + ".npy")); // image x run x index
            int runs = subsets.dim(1), k = subsets.dim(2);
            check("faithfulness_correlation_" + tag, i -> {
                int[] run = {0};
                double v = QuantusMetrics.faithfulnessCorrelation(scorer, batch, i, runs, k, (nn, kk) -> {
                    assertEquals(k, kk);
                    float[] d = subsets.item(i).item(run[0]++).data();
                    int[] r = new int[d.length];
                    for (int j = 0; j < r.length; j++) r[j] = (int) d[j];
                    return r;
                }, 6);
                assertEquals(runs, run[0]);
                return v;
            });
        }
        // the seeded source gives distinct indices in range, the same for the same seed
        int[] a = QuantusMetrics.Subsets.seeded(3).next(50, 20), b = QuantusMetrics.Subsets.seeded(3).next(50, 20);
        assertArrayEquals(a, b);
        assertEquals(20, java.util.Arrays.stream(a).distinct().filter(v -> v >= 0 && v < 50).count());
    }

    @Test void randomLogitOnQuantusMaps() throws Exception {
        Tensor at = Npy.read(DIR.resolve("random_logit_maps.npy")), off = Npy.read(DIR.resolve("random_logit_off_maps.npy"));
        check("random_logit", i -> QuantusMetrics.randomLogit(at.item(i).data(), off.item(i).data()));
        // Quantus seeds NumPy with 42 for every call: randint(0, K - 1) = 2, the third of the other classes
        JsonNode offs = manifest.get("cases").get("random_logit").get("off_classes");
        for (int i = 0; i < n; i++) assertEquals(offs.get(i).asInt(), QuantusMetrics.offClass(targets[i], 2), "other class of image " + i);
    }

    /** The golden script's explanation: gradient of the target logit at the input, summed over channels. */
    static float[] gradientMap(Executor ex, Tensor input, int target) {
        dev.candela.run.Activations fwd = ex.forward(input);
        Tensor g = TinyCnn.gradient(ex, fwd, ex.graph().input(), new int[]{target});
        int c = input.dim(1), hw = input.dim(2) * input.dim(3);
        float[] m = new float[hw];
        for (int ch = 0; ch < c; ch++) for (int p = 0; p < hw; p++) m[p] += g.data()[ch * hw + p];
        return m;
    }

    @Test void maxAndAvgSensitivityReplayingQuantusNoise() throws Exception {
        Executor ex = new Executor(TinyCnn.load(DIR, "model.", Shape.of(inputs.dim(1), h, w), Preprocessing.unit()), ReferenceKernels.INSTANCE);
        Tensor at = Npy.read(DIR.resolve("random_logit_maps.npy"));
        for (int i = 0; i < n; i++) assertArrayEquals(at.item(i).data(), gradientMap(ex, inputs.slice(i, i + 1), targets[i]), 1e-5f, "gradient map " + i);
        for (String name : new String[]{"maxsensitivity", "avgsensitivity"}) {
            Tensor noise = Npy.read(DIR.resolve(name + "_s3_noise.npy")); // image x sample x element (float64, read as float)
            double[] all = Npy.readDoubles(DIR.resolve(name + "_s3_noise.npy"));
            int samples = noise.dim(1), per = noise.dim(2);
            check(name + "_s3", i -> {
                int[] k = {0};
                double[] sens = QuantusMetrics.sensitivities(in -> gradientMap(ex, in, targets[i]), at.item(i).data(), inputs.slice(i, i + 1), samples, count -> {
                    assertEquals(per, count);
                    int off = (i * samples + k[0]++) * per;
                    return java.util.Arrays.copyOfRange(all, off, off + per);
                });
                double max = Double.NEGATIVE_INFINITY, mean = 0;
                for (double v : sens) { max = Math.max(max, v); mean += v / sens.length; }
                return name.startsWith("max") ? max : mean;
            });
        }
    }

    /** Replays recorded noise: image i's samples in order. */
    static java.util.function.IntFunction<double[]> replay(double[] all, int image, int samples, int per) {
        int[] k = {0};
        return count -> {
            assertEquals(per, count);
            if (k[0] >= samples) throw new AssertionError("more noise draws than Quantus made");
            int off = (image * samples + k[0]++) * per;
            return java.util.Arrays.copyOfRange(all, off, off + per);
        };
    }

    /** Relative tolerance for the stability ratios (their near-zero denominators amplify float32 differences). */
    void checkRelative(String golden, IntToDoubleFunction actual, double rtol) throws Exception {
        float[] expected = Npy.read(DIR.resolve(golden + ".npy")).data();
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double a = actual.applyAsDouble(i), rel = Math.abs(a - expected[i]) / Math.max(1, Math.abs(expected[i]));
            worst = Math.max(worst, rel);
            assertEquals(expected[i], a, rtol * Math.max(1, Math.abs(expected[i])), golden + "[" + i + "]");
        }
        System.out.printf("quantus golden %-40s max rel diff %.3g%n", golden, worst);
    }

    @Test void lipschitzAndRelativeStabilityReplayingQuantusNoise() throws Exception {
        Executor ex = new Executor(TinyCnn.load(DIR, "model.", Shape.of(inputs.dim(1), h, w), Preprocessing.unit()), ReferenceKernels.INSTANCE);
        Tensor at = Npy.read(DIR.resolve("random_logit_maps.npy"));
        QuantusMetrics.Logits logits = in -> ex.forward(in, java.util.Set.of()).output().data();
        double[] lle = Npy.readDoubles(DIR.resolve("locallipschitzestimate_s3_noise.npy"));
        check("locallipschitzestimate_s3", i -> QuantusMetrics.localLipschitz(in -> gradientMap(ex, in, targets[i]), at.item(i).data(),
                inputs.slice(i, i + 1), 3, replay(lle, i, 3, inputs.size() / n)));
        double[] ris = Npy.readDoubles(DIR.resolve("relativeinputstability_s3_noise.npy"));
        checkRelative("relativeinputstability_s3", i -> QuantusMetrics.relativeStability(in -> gradientMap(ex, in, targets[i]), logits,
                at.item(i).data(), inputs.slice(i, i + 1), 3, replay(ris, i, 3, inputs.size() / n))[0], 1e-4);
        double[] ros = Npy.readDoubles(DIR.resolve("relativeoutputstability_s3_noise.npy"));
        checkRelative("relativeoutputstability_s3", i -> QuantusMetrics.relativeStability(in -> gradientMap(ex, in, targets[i]), logits,
                at.item(i).data(), inputs.slice(i, i + 1), 3, replay(ros, i, 3, inputs.size() / n))[1], 1e-4);
    }

    @Test void infidelity() throws Exception {
        Executor ex = new Executor(TinyCnn.load(DIR, "model.", Shape.of(inputs.dim(1), h, w), Preprocessing.unit()), ReferenceKernels.INSTANCE);
        MapBatch batch = new MapBatch(inputs, maps, targets);
        for (ModelScorer.Output out : ModelScorer.Output.values()) {
            Scorer scorer = new ModelScorer(ex, out, 7);
            String sm = out == ModelScorer.Output.SOFTMAX ? "softmax" : "logit";
            // values of several thousand, summed in float32 by NumPy: relative tolerance
            for (int patch : new int[]{4, 6}) checkRelative("infidelity_p" + patch + "_" + sm, i -> QuantusMetrics.infidelity(scorer, batch, i, patch, 5), 1e-4);
        }
        assertEquals(16, QuantusMetrics.infidelityPatch(224, 224));
        assertEquals(4, QuantusMetrics.infidelityPatch(28, 28));
    }

    @Test void continuity() throws Exception {
        Executor ex = new Executor(TinyCnn.load(DIR, "model.", Shape.of(inputs.dim(1), h, w), Preprocessing.unit()), ReferenceKernels.INSTANCE);
        check("continuity_s6", i -> QuantusMetrics.continuity(in -> gradientMap(ex, in, targets[i]),
                gradientMap(ex, inputs.slice(i, i + 1), targets[i]), inputs.slice(i, i + 1), 6));
    }

    @Test void discreteEntropyAndEfficientMprtOnQuantusRandomModel() throws Exception {
        check("entropy_maps", i -> QuantusMetrics.discreteEntropy(map(i), 100));
        Shape item = Shape.of(inputs.dim(1), h, w);
        Executor ex = new Executor(TinyCnn.load(DIR, "model.", item, Preprocessing.unit()), ReferenceKernels.INSTANCE);
        Executor random = new Executor(TinyCnn.load(DIR, "random_model.", item, Preprocessing.unit()), ReferenceKernels.INSTANCE);
        check("efficient_mprt", i -> QuantusMetrics.efficientMprt(gradientMap(ex, inputs.slice(i, i + 1), targets[i]),
                gradientMap(random, inputs.slice(i, i + 1), targets[i])));
    }

    /** The golden net with conv1 unpadded (same weights). */
    static dev.candela.graph.Model noPad(Shape item) {
        dev.candela.testkit.TorchModelBuilder b = new dev.candela.testkit.TorchModelBuilder(dev.candela.testkit.TorchModelBuilder.Weights.npyFiles(DIR, "model."));
        String t = b.conv("conv1", "x", 1, 0);
        t = b.add("relu1", new dev.candela.graph.Relu(), t);
        t = b.maxPool("pool", t, 2, 2, 0);
        t = b.conv("conv2", t, 1, 1);
        t = b.add("relu2", new dev.candela.graph.Relu(), t);
        t = b.add("gap", new dev.candela.graph.GlobalAvgPool(), t);
        t = b.add("flat", new dev.candela.graph.Flatten(), t);
        t = b.linear("fc", t);
        return b.build("x", item, t, Preprocessing.unit(), DIR.toString());
    }

    @Test void inputInvariance() throws Exception {
        Shape item = Shape.of(inputs.dim(1), h, w);
        for (String tag : new String[]{"padded", "unpadded"}) {
            dev.candela.graph.Model model = tag.equals("padded") ? TinyCnn.load(DIR, "model.", item, Preprocessing.unit()) : noPad(item);
            Executor ex = new Executor(model, ReferenceKernels.INSTANCE);
            dev.candela.graph.Model sm = QuantusMetrics.shiftedModel(model, -1f);
            float[] bias = ((dev.candela.graph.Conv2d) sm.graph().nodes().stream().filter(nd -> nd.name().equals("conv1")).findFirst().orElseThrow().op()).bias().data();
            assertArrayEquals(Npy.read(DIR.resolve("input_invariance_" + tag + "_conv1_bias.npy")).data(), bias, 1e-6f, "Quantus's shifted conv1 bias, " + tag);
            Executor shifted = new Executor(sm, ReferenceKernels.INSTANCE);
            check("input_invariance_" + tag, i -> {
                Tensor x = inputs.slice(i, i + 1), xs = x.copy();
                for (int e = 0; e < xs.data().length; e++) xs.data()[e] -= 1;
                return QuantusMetrics.inputInvariance(gradientMap(ex, x, targets[i]), gradientMap(shifted, xs, targets[i]));
            });
        }
    }

    @Test void smoothMprtReplayingQuantusNoiseAndRandomisedModels() throws Exception {
        Shape item = Shape.of(inputs.dim(1), h, w);
        JsonNode c = manifest.get("cases").get("smooth_mprt");
        List<Executor> models = new ArrayList<>();
        models.add(new Executor(TinyCnn.load(DIR, "model.", item, Preprocessing.unit()), ReferenceKernels.INSTANCE));
        for (int st = 1; st <= c.get("stages").asInt(); st++) {
            models.add(new Executor(TinyCnn.load(DIR, "smooth_mprt_stage" + st + ".", item, Preprocessing.unit()), ReferenceKernels.INSTANCE));
        }
        Tensor noise = Npy.read(DIR.resolve("smooth_mprt_noise.npy"));
        double[] all = Npy.readDoubles(DIR.resolve("smooth_mprt_noise.npy"));
        int draws = noise.dim(1), per = noise.dim(2);
        Tensor expected = Npy.read(DIR.resolve("smooth_mprt_similarities.npy"));
        for (int i = 0; i < n; i++) {
            int image = i;
            List<QuantusMetrics.Reexplain> stages = new ArrayList<>();
            for (Executor ex : models) stages.add(in -> gradientMap(ex, in, targets[image]));
            double[] sims = QuantusMetrics.smoothMprtSimilarities(gradientMap(models.get(0), inputs.slice(i, i + 1), targets[i]), stages,
                    inputs.slice(i, i + 1), 3, replay(all, i, draws, per));
            float[] e = expected.item(i).data();
            for (int k = 0; k < e.length; k++) assertEquals(e[k], sims[k], manifest.get("tolerance").asDouble(), "smooth MPRT image " + i + " model " + k);
        }
    }

    @Test void fullSizeOnTheSharedMobileNet() throws Exception {
        java.nio.file.Path onnx = Path.of("../shared/models/mobilenet_v1_0.25_224_imagenet.onnx");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(onnx), "../shared is absent (fresh clone): skipping the MobileNet Quantus check");
        JsonNode c = manifest.get("cases").get("mobilenet_chelsea");
        Preprocessing pre = new Preprocessing(224, true, null, null, 1f / 127.5f, -1f, "RGB");
        dev.candela.graph.Model m = dev.candela.format.ModelFiles.load(onnx, new dev.candela.format.ImportOptions(null, false, pre, List.of()));
        Tensor x = new dev.candela.image.Preprocessor(m).prepare(dev.candela.image.ImageLoader.load(Path.of("testdata/images/chelsea.png"))).input();
        float[] map = new float[224 * 224];
        for (int y = 0; y < 224; y++) for (int q = 0; q < 224; q++) {
            float dx = q - 120f, dy = y - 100f;
            map[y * 224 + q] = (float) Math.exp(-(dx * dx + dy * dy) / (float) (2 * 40 * 40)) + 1e-3f * ((q * 7 + y * 13) % 17) / 17f;
        }
        int target = c.get("target").asInt();
        MapBatch batch = new MapBatch(x, Tensor.of(map, 1, 224, 224), new int[]{target});
        JsonNode b = c.get("box");
        boolean[] mask = QuantusMetrics.mask(224, 224, List.of(new Box(b.get(0).asInt(), b.get(1).asInt(), b.get(2).asInt(), b.get(3).asInt())));
        try (dev.candela.tensor.Parallel par = new dev.candela.tensor.Parallel(2)) {
            Scorer scorer = new ModelScorer(Executor.fast(m, par), ModelScorer.Output.SOFTMAX, 16);
            double[] got = {
                    QuantusMetrics.regionPerturbation(scorer, batch, 0, 16, 20, 16),
                    QuantusMetrics.selectivity(scorer, batch, 0, 56, 16),
                    QuantusMetrics.infidelity(scorer, batch, 0, 56, 16),
                    QuantusMetrics.relevanceMassAccuracy(map, mask),
                    QuantusMetrics.sparseness(map)};
            for (int k = 0; k < got.length; k++) {
                double e = c.get("values").get(k).asDouble();
                System.out.printf("quantus mobilenet %-30s quantus %.6g candela %.6g%n", c.get("names").get(k).asText(), e, got[k]);
                assertEquals(e, got[k], 1e-3 * Math.max(1, Math.abs(e)), c.get("names").get(k).asText());
            }
        }
    }

    @Test void everyQuantusMetricIsKnownToEvaluate() {
        for (String name : QuantusMetrics.NAMES) assertEquals(List.of(name), MetricSet.parse(name));
        assertEquals(1000, QuantusMetrics.defaultK(224 * 224), "Quantus default k");
        assertEquals(16, QuantusMetrics.defaultK(28 * 28), "k scaled to a 28 x 28 input (1000 / 224^2 of the pixels)");
    }
}
