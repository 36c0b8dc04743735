package dev.candela.metrics;

import dev.candela.tensor.Tensor;
import java.util.List;

/**
 * Metrics of the Quantus toolkit (Hedström et al., JMLR 2023), restated to give Quantus's numbers on
 * one image and its map (checked against Quantus itself: {@code testdata/golden/quantus}, made by
 * {@code tools/make_quantus_goldens.py}). The explanation is the method's map (H x W, one channel);
 * as in Quantus it is first divided by its largest absolute value (no change for an all-zero map)
 * and, for the metrics whose Quantus default is {@code abs=True}, replaced by its absolute value.
 * Quantus normalises by the maximum over the whole batch of a call; here every image is its own batch.
 * Pixels are ranked by value with ties broken by pixel index (NumPy's argsort leaves the order of
 * ties unspecified, so maps with tied values may rank them differently there).
 * Localisation metrics take their segmentation from the boxes of the annotations file (their union).
 */
public final class QuantusMetrics {
    private QuantusMetrics() {}

    /** Quantus's preprocessing of an explanation: divide by max |a| (unless all zero), then |a| if {@code abs}. */
    static double[] prepare(float[] map, boolean abs) {
        double max = 0;
        for (float v : map) max = Math.max(max, Math.abs(v));
        double[] a = new double[map.length];
        for (int i = 0; i < a.length; i++) {
            double v = max == 0 ? map[i] : (float) (map[i] / max); // Quantus divides float32 arrays
            a[i] = abs ? Math.abs(v) : v;
        }
        return a;
    }

    /** Indices sorted by value, highest first; ties by index. */
    static int[] descending(double[] a) {
        Integer[] idx = new Integer[a.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (p, q) -> Double.compare(a[q], a[p]));
        int[] r = new int[idx.length];
        for (int i = 0; i < r.length; i++) r[i] = idx[i];
        return r;
    }

    /** Sparseness (Chalasani et al. 2020): the Gini index of |a| + 1e-7; higher = sparser. Quantus: abs, normalise. */
    public static double sparseness(float[] map) {
        double[] a = prepare(map, true);
        int n = a.length;
        for (int i = 0; i < n; i++) a[i] = (float) (a[i] + 1e-7);
        double[] s = a.clone();
        java.util.Arrays.sort(s);
        double num = 0, sum = 0;
        for (int i = 0; i < n; i++) {
            num += (2.0 * (i + 1) - n - 1) * s[i];
            sum += s[i];
        }
        return num / (n * sum);
    }

    /** Complexity (Bhatt et al. 2020): entropy of the fractional contributions |a_i| / sum |a|; lower = simpler. */
    public static double complexity(float[] map) {
        double[] a = prepare(map, true);
        double sum = 0;
        for (double v : a) sum += Math.abs(v);
        double h = 0;
        for (double v : a) {
            double p = v / sum;
            h -= p * Math.log(p + 1e-12);
        }
        return h;
    }

    /** Effective complexity (Nguyen &amp; Martínez 2020): the number of pixels with |a| above {@code eps}; lower = simpler. */
    public static double effectiveComplexity(float[] map, double eps) {
        double[] a = prepare(map, true);
        int c = 0;
        for (double v : a) if (v > eps) c++;
        return c;
    }

    /** A 0/1 mask of the union of the boxes (H*W values). */
    public static boolean[] mask(int h, int w, List<Box> boxes) {
        boolean[] m = new boolean[h * w];
        for (Box b : boxes) {
            for (int y = b.y0(); y < Math.min(b.y1(), h); y++) for (int x = b.x0(); x < Math.min(b.x1(), w); x++) m[y * w + x] = true;
        }
        return m;
    }

    private static int count(boolean[] s) {
        int c = 0;
        for (boolean b : s) if (b) c++;
        return c;
    }

    /** Top-k intersection (Theiner et al. 2021): the share of the k highest pixels that fall in the mask; NaN for an empty mask. */
    public static double topKIntersection(float[] map, boolean[] s, int k) {
        if (k < 1 || k >= map.length) throw new IllegalArgumentException("top-k intersection: k must be in 1.." + (map.length - 1) + ", got " + k);
        if (count(s) == 0) return Double.NaN;
        int[] order = descending(prepare(map, false));
        int in = 0;
        for (int i = 0; i < k; i++) if (s[order[i]]) in++;
        return (double) in / k;
    }

    /** The k of Quantus's top-k intersection default (1000 of 224 x 224 pixels), scaled to smaller inputs. */
    public static int defaultK(int pixels) {
        if (pixels > 1000) return 1000;
        return Math.max(1, Math.min(pixels - 1, (int) Math.round(pixels * 1000.0 / (224 * 224))));
    }

    /** Relevance rank accuracy (Arras et al. 2021): of the |S| highest pixels, the share inside the mask S. */
    public static double relevanceRankAccuracy(float[] map, boolean[] s) {
        int k = count(s);
        if (k == 0) return Double.NaN;
        int[] order = descending(prepare(map, false));
        int in = 0;
        for (int i = 0; i < k; i++) if (s[order[i]]) in++;
        return (double) in / k;
    }

    /** Relevance mass accuracy (Arras et al. 2021): the share of the map's sum that lies inside the mask. */
    public static double relevanceMassAccuracy(float[] map, boolean[] s) {
        if (count(s) == 0) return Double.NaN;
        double[] a = prepare(map, false);
        double in = 0, total = 0;
        for (int i = 0; i < a.length; i++) {
            total += a[i];
            if (s[i]) in += a[i];
        }
        return in / total;
    }

    /**
     * Attribution localisation (Kohlbrenner et al. 2020), unweighted: {@code sum_S |a| / (sum |a| + 1e-9)};
     * NaN for an empty mask or a ratio above 1 (as Quantus).
     */
    public static double attributionLocalisation(float[] map, boolean[] s) {
        if (count(s) == 0) return Double.NaN;
        double[] a = prepare(map, true);
        double in = 0, total = 0;
        for (int i = 0; i < a.length; i++) {
            total += a[i];
            if (s[i]) in += a[i];
        }
        double r = in / (total + 1e-9);
        return r > 1 ? Double.NaN : r;
    }

    /**
     * Faithfulness estimate (Alvarez-Melis &amp; Jaakkola 2018): the Pearson correlation, over steps of
     * {@code step} pixels taken in order of decreasing map value, between the map's sum over the step's
     * pixels and the score drop when only those pixels (all channels) are set to the image's minimum
     * value (Quantus's "black" baseline); each step perturbs the original image. Equals Quantus's
     * {@code FaithfulnessEstimate(features_in_step = C * step)} on a map without ties. Higher is better.
     */
    public static double[] faithfulnessEstimate(Scorer scorer, MapBatch batch, int step, int chunk) {
        int n = batch.size(), c = batch.channels(), hw = batch.pixels(), chw = c * hw;
        if (step < 1) throw new IllegalArgumentException("faithfulness estimate: step must be >= 1");
        double[] out = new double[n];
        int steps = (hw + step - 1) / step;
        float[] x = batch.inputData();
        float[] base = batch.inputs().data();
        float[] y0 = scorer.scores(batch.inputs(), batch.targets());
        for (int i = 0; i < n; i++) {
            double[] a = prepare(batch.map(i), false);
            int[] order = descending(a);
            float min = Float.POSITIVE_INFINITY;
            for (int j = 0; j < chw; j++) min = Math.min(min, x[i * chw + j]);
            double[] att = new double[steps], delta = new double[steps];
            for (int s0 = 0; s0 < steps; s0 += chunk) {
                int m = Math.min(chunk, steps - s0);
                float[] px = new float[m * chw];
                int[] t = new int[m];
                for (int k = 0; k < m; k++) {
                    System.arraycopy(base, i * chw, px, k * chw, chw);
                    t[k] = batch.targets()[i];
                    int st = s0 + k;
                    for (int r = st * step; r < Math.min(hw, (st + 1) * step); r++) {
                        int p = order[r];
                        att[st] += c * a[p];
                        for (int ch = 0; ch < c; ch++) px[k * chw + ch * hw + p] = min;
                    }
                }
                float[] y = scorer.scores(new Tensor(dev.candela.tensor.Shape.of(m, c, batch.height(), batch.width()), px), t);
                for (int k = 0; k < m; k++) delta[s0 + k] = (double) y0[i] - y[k];
            }
            out[i] = pearson(att, delta);
        }
        return out;
    }

    /**
     * The patch curve shared by region perturbation and selectivity: the image is cut into
     * {@code patch} x {@code patch} squares on a grid centred as Quantus pads it (the padding split
     * floor/ceil before and after), the squares are ranked by the map's sum over their pixels inside
     * the image (highest first, ties by grid order), and the first {@code regions} of them (all when
     * {@code regions <= 0}) are set cumulatively, all channels, to the image's minimum value. Entry k
     * is the score after k + 1 squares: the drop from the unperturbed score ({@code drop}) or the score.
     */
    public static double[] patchCurve(Scorer scorer, MapBatch batch, int image, int patch, int regions, boolean drop, int chunk) {
        int c = batch.channels(), h = batch.height(), w = batch.width(), hw = h * w, chw = c * hw;
        int padH = h % patch == 0 ? 0 : patch - h % patch, padW = w % patch == 0 ? 0 : patch - w % patch;
        int top = padH / 2, left = padW / 2, bh = (h + padH) / patch, bw = (w + padW) / patch, blocks = bh * bw;
        double[] a = prepare(batch.map(image), false);
        double[] att = new double[blocks];
        for (int b = 0; b < blocks; b++) {
            int r0 = (b / bw) * patch - top, c0 = (b % bw) * patch - left;
            for (int r = Math.max(0, r0); r < Math.min(h, r0 + patch); r++) {
                for (int q = Math.max(0, c0); q < Math.min(w, c0 + patch); q++) att[b] += a[r * w + q];
            }
        }
        int[] order = descending(att);
        int steps = regions > 0 ? Math.min(regions, blocks) : blocks;
        float[] x = java.util.Arrays.copyOfRange(batch.inputData(), image * chw, (image + 1) * chw);
        float min = Float.POSITIVE_INFINITY;
        for (float v : x) min = Math.min(min, v);
        int target = batch.targets()[image];
        double y0 = drop ? scorer.scores(new Tensor(dev.candela.tensor.Shape.of(1, c, h, w), x.clone()), new int[]{target})[0] : 0;
        double[] curve = new double[steps];
        float[] cur = x.clone();
        for (int s0 = 0; s0 < steps; s0 += chunk) {
            int m = Math.min(chunk, steps - s0);
            float[] px = new float[m * chw];
            int[] t = new int[m];
            for (int k = 0; k < m; k++) {
                int b = order[s0 + k], r0 = (b / bw) * patch - top, c0 = (b % bw) * patch - left;
                for (int r = Math.max(0, r0); r < Math.min(h, r0 + patch); r++) {
                    for (int q = Math.max(0, c0); q < Math.min(w, c0 + patch); q++) {
                        for (int ch = 0; ch < c; ch++) cur[ch * hw + r * w + q] = min;
                    }
                }
                System.arraycopy(cur, 0, px, k * chw, chw);
                t[k] = target;
            }
            float[] y = scorer.scores(new Tensor(dev.candela.tensor.Shape.of(m, c, h, w), px), t);
            for (int k = 0; k < m; k++) curve[s0 + k] = drop ? y0 - y[k] : y[k];
        }
        return curve;
    }

    /** The trapezoid area under a curve sampled at unit spacing ({@code numpy.trapz(values, dx=1)}). */
    static double trapz(double[] v) {
        double s = 0;
        for (int i = 0; i + 1 < v.length; i++) s += (v[i] + v[i + 1]) / 2;
        return s;
    }

    /**
     * Region perturbation (Samek et al. 2017), MoRF: the area under the curve of score drops as the
     * highest-ranked {@code patch} x {@code patch} squares are removed one by one, over the first
     * {@code regions} squares (Quantus: patch 8, 100 regions, {@code get_auc_score} of one image). Higher is better.
     */
    public static double regionPerturbation(Scorer scorer, MapBatch batch, int image, int patch, int regions, int chunk) {
        return trapz(patchCurve(scorer, batch, image, patch, regions, true, chunk));
    }

    /**
     * Selectivity (Montavon et al. 2018): the area under the curve of the score as every square is removed
     * in order of decreasing relevance (Quantus: patch 8, {@code get_auc_score} of one image). Lower is better.
     */
    public static double selectivity(Scorer scorer, MapBatch batch, int image, int patch, int chunk) {
        return trapz(patchCurve(scorer, batch, image, patch, 0, false, chunk));
    }

    /**
     * Monotonicity correlation (Nguyen &amp; Martínez 2020): pixels in order of increasing |map| in steps of
     * {@code step} pixels; for each step, {@code samples} copies of the image with only those pixels (all
     * channels) set to one uniform draw in [0, 1) each; the step's variance is the mean squared change of
     * the score times {@code 1 / score^2} (1 when {@code |score| < 1e-5}). The value is the Spearman correlation of
     * the steps' map sums with their variances. Equals Quantus's {@code MonotonicityCorrelation(
     * features_in_step = C * step, nr_samples = samples)} (its "uniform" baseline) for the same draws.
     * Higher is better. Draws are taken step by step, sample by sample.
     */
    public static double monotonicityNguyen(Scorer scorer, MapBatch batch, int image, int step, int samples,
                                            java.util.function.DoubleSupplier uniform, int chunk) {
        int c = batch.channels(), h = batch.height(), w = batch.width(), hw = h * w, chw = c * hw;
        double[] a = prepare(batch.map(image), true);
        double[] neg = new double[hw];
        for (int i = 0; i < hw; i++) neg[i] = -a[i];
        int[] order = descending(neg); // increasing a, ties by index
        float[] x = java.util.Arrays.copyOfRange(batch.inputData(), image * chw, (image + 1) * chw);
        int target = batch.targets()[image];
        float y = scorer.scores(new Tensor(dev.candela.tensor.Shape.of(1, c, h, w), x.clone()), new int[]{target})[0];
        double inv = Math.abs(y) >= 1e-5 ? 1.0 / ((double) Math.abs(y) * Math.abs(y)) : 1.0;
        int steps = (hw + step - 1) / step, total = steps * samples;
        double[] att = new double[steps], var = new double[steps];
        float[] draws = new float[total];
        for (int i = 0; i < total; i++) draws[i] = (float) uniform.getAsDouble();
        for (int st = 0; st < steps; st++) for (int r = st * step; r < Math.min(hw, (st + 1) * step); r++) att[st] += c * a[order[r]];
        for (int s0 = 0; s0 < total; s0 += chunk) {
            int m = Math.min(chunk, total - s0);
            float[] px = new float[m * chw];
            int[] t = new int[m];
            for (int k = 0; k < m; k++) {
                int st = (s0 + k) / samples;
                System.arraycopy(x, 0, px, k * chw, chw);
                t[k] = target;
                for (int r = st * step; r < Math.min(hw, (st + 1) * step); r++) {
                    for (int ch = 0; ch < c; ch++) px[k * chw + ch * hw + order[r]] = draws[s0 + k];
                }
            }
            float[] yp = scorer.scores(new Tensor(dev.candela.tensor.Shape.of(m, c, h, w), px), t);
            for (int k = 0; k < m; k++) {
                float d = yp[k] - y;
                var[(s0 + k) / samples] += (double) (d * d) / samples;
            }
        }
        for (int st = 0; st < steps; st++) var[st] *= inv;
        return pearson(ranks(att), ranks(var));
    }

    /**
     * Non-sensitivity (Nguyen &amp; Martínez 2020), as Quantus counts it: the map is broadcast over the C
     * channels; elements with {@code |map| < eps} are "non-features", the others features. Each set is cut,
     * in element order (channel, row, column), into groups of {@code step} elements; each group alone is set
     * to the image's minimum and the score taken. An element violates when its group left the score
     * unchanged ({@code |change| < eps}) but it is a feature, or changed it but it is a non-feature. The value is
     * the number of violating elements; lower is better.
     */
    public static double nonSensitivity(Scorer scorer, MapBatch batch, int image, int step, double eps, int chunk) {
        int c = batch.channels(), h = batch.height(), w = batch.width(), hw = h * w, chw = c * hw;
        double[] a = prepare(batch.map(image), true);
        float[] x = java.util.Arrays.copyOfRange(batch.inputData(), image * chw, (image + 1) * chw);
        float min = Float.POSITIVE_INFINITY;
        for (float v : x) min = Math.min(min, v);
        int target = batch.targets()[image];
        float y = scorer.scores(new Tensor(dev.candela.tensor.Shape.of(1, c, h, w), x.clone()), new int[]{target})[0];
        java.util.List<int[]> groups = new java.util.ArrayList<>();
        for (boolean non : new boolean[]{true, false}) {
            int[] members = new int[chw];
            int count = 0;
            for (int e = 0; e < chw; e++) if ((a[e % hw] < eps) == non) members[count++] = e;
            for (int g = 0; g < count; g += step) groups.add(java.util.Arrays.copyOfRange(members, g, Math.min(count, g + step)));
        }
        double[] perturbed = new double[chw];
        for (int g0 = 0; g0 < groups.size(); g0 += chunk) {
            int m = Math.min(chunk, groups.size() - g0);
            float[] px = new float[m * chw];
            int[] t = new int[m];
            for (int k = 0; k < m; k++) {
                System.arraycopy(x, 0, px, k * chw, chw);
                t[k] = target;
                for (int e : groups.get(g0 + k)) px[k * chw + e] = min;
            }
            float[] yp = scorer.scores(new Tensor(dev.candela.tensor.Shape.of(m, c, h, w), px), t);
            for (int k = 0; k < m; k++) for (int e : groups.get(g0 + k)) perturbed[e] = yp[k];
        }
        int violations = 0;
        for (int e = 0; e < chw; e++) {
            boolean unchanged = Math.abs((double) y - perturbed[e]) < eps;
            if (unchanged ^ (a[e % hw] < eps)) violations++;
        }
        return violations;
    }

    /**
     * Completeness (Sundararajan et al. 2017), as Quantus tests it: 1 when the map's sum equals, exactly,
     * the score of the image minus the score with every element at the image's minimum, else 0. With maps
     * normalised to [0, 1] this practically never holds; it is kept for parity with Quantus.
     */
    public static double completeness(Scorer scorer, MapBatch batch, int image) {
        int c = batch.channels(), h = batch.height(), w = batch.width(), chw = c * h * w;
        double[] a = prepare(batch.map(image), false);
        float[] x = java.util.Arrays.copyOfRange(batch.inputData(), image * chw, (image + 1) * chw);
        float min = Float.POSITIVE_INFINITY;
        for (float v : x) min = Math.min(min, v);
        float[] both = new float[2 * chw];
        System.arraycopy(x, 0, both, 0, chw);
        java.util.Arrays.fill(both, chw, 2 * chw, min);
        int target = batch.targets()[image];
        float[] y = scorer.scores(new Tensor(dev.candela.tensor.Shape.of(2, c, h, w), both), new int[]{target, target});
        float sum = 0;
        for (double v : a) sum += (float) v;
        return sum == y[0] - y[1] ? 1 : 0;
    }

    /**
     * IROF, iterative removal of features (Rieger &amp; Hansen 2020), on a given segmentation: the segments
     * (labels 0 .. n-1, one per pixel) are ranked by the mean of the map over their pixels (highest first, ties
     * by label) and removed cumulatively, all channels, each set to the mean of the image as it is at that
     * step (Quantus's "mean" baseline of the already perturbed image); entry k is the score after k + 1
     * segments divided by the unperturbed score. Quantus: {@code IROF} (normalise, no abs).
     */
    public static double[] irofCurve(Scorer scorer, MapBatch batch, int image, int[] segments, int chunk) {
        int c = batch.channels(), h = batch.height(), w = batch.width(), hw = h * w, chw = c * hw;
        if (segments.length != hw) throw new IllegalArgumentException("irof: " + segments.length + " segment labels for " + hw + " pixels");
        int n = 0;
        for (int s : segments) {
            if (s < 0) throw new IllegalArgumentException("irof: negative segment label " + s);
            n = Math.max(n, s + 1);
        }
        double[] a = prepare(batch.map(image), false);
        double[] sum = new double[n];
        int[] size = new int[n];
        for (int p = 0; p < hw; p++) {
            sum[segments[p]] += a[p];
            size[segments[p]]++;
        }
        for (int s = 0; s < n; s++) {
            if (size[s] == 0) throw new IllegalArgumentException("irof: segment labels must be 0.." + (n - 1) + " without gaps; " + s + " is missing");
            sum[s] /= size[s];
        }
        if (n < 2) throw new IllegalArgumentException("irof: the image must have at least 2 segments, got " + n); // Quantus's assert_nr_segments
        int[] order = descending(sum);
        int target = batch.targets()[image];
        float[] x = java.util.Arrays.copyOfRange(batch.inputData(), image * chw, (image + 1) * chw);
        float y0 = scorer.scores(new Tensor(dev.candela.tensor.Shape.of(1, c, h, w), x.clone()), new int[]{target})[0];
        // the segments' pixels, grouped by label
        int[] start = new int[n + 1];
        for (int s = 0; s < n; s++) start[s + 1] = start[s] + size[s];
        int[] pixels = new int[hw], fill = start.clone();
        for (int p = 0; p < hw; p++) pixels[fill[segments[p]]++] = p;
        double[] curve = new double[n];
        float[] cur = x.clone();
        for (int s0 = 0; s0 < n; s0 += chunk) {
            int m = Math.min(chunk, n - s0);
            float[] px = new float[m * chw];
            int[] t = new int[m];
            for (int k = 0; k < m; k++) {
                double mean = 0;
                for (float v : cur) mean += v;
                float base = (float) (mean / chw);
                int seg = order[s0 + k];
                for (int i = start[seg]; i < start[seg + 1]; i++) for (int ch = 0; ch < c; ch++) cur[ch * hw + pixels[i]] = base;
                System.arraycopy(cur, 0, px, k * chw, chw);
                t[k] = target;
            }
            float[] y = scorer.scores(new Tensor(dev.candela.tensor.Shape.of(m, c, h, w), px), t);
            for (int k = 0; k < m; k++) curve[s0 + k] = (double) y[k] / y0;
        }
        return curve;
    }

    /** IROF on a given segmentation: the area over its curve, {@code n - trapz(curve)} for n segments, as Quantus. Higher is better. */
    public static double irof(Scorer scorer, MapBatch batch, int image, int[] segments, int chunk) {
        double[] curve = irofCurve(scorer, batch, image, segments, chunk);
        return curve.length - trapz(curve);
    }

    /** IROF on Quantus's segmentation: SLIC superpixels of the input ({@link dev.candela.image.Slic#QUANTUS}). */
    public static double irof(Scorer scorer, MapBatch batch, int image, int chunk) {
        int c = batch.channels(), h = batch.height(), w = batch.width(), chw = c * h * w;
        float[] x = java.util.Arrays.copyOfRange(batch.inputData(), image * chw, (image + 1) * chw);
        return irof(scorer, batch, image, dev.candela.image.Slic.QUANTUS.labels(x, c, h, w), chunk);
    }

    /**
     * The score curve of monotonicity Arya: from the black image (every element at the input's minimum, Quantus's
     * "black" baseline), pixels are put back, all channels, in order of increasing |map| (ties by index),
     * {@code step} pixels at a time, cumulatively; entry k is the score after k + 1 steps.
     */
    public static double[] monotonicityAryaCurve(Scorer scorer, MapBatch batch, int image, int step, int chunk) {
        int c = batch.channels(), h = batch.height(), w = batch.width(), hw = h * w, chw = c * hw;
        if (step < 1) throw new IllegalArgumentException("monotonicity-arya: step must be >= 1, got " + step);
        double[] a = prepare(batch.map(image), true);
        double[] neg = new double[hw];
        for (int i = 0; i < hw; i++) neg[i] = -a[i];
        int[] order = descending(neg); // increasing |a|, ties by index
        float[] x = java.util.Arrays.copyOfRange(batch.inputData(), image * chw, (image + 1) * chw);
        float min = Float.POSITIVE_INFINITY;
        for (float v : x) min = Math.min(min, v);
        float[] cur = new float[chw];
        java.util.Arrays.fill(cur, min);
        int target = batch.targets()[image], steps = (hw + step - 1) / step;
        double[] curve = new double[steps];
        for (int s0 = 0; s0 < steps; s0 += chunk) {
            int m = Math.min(chunk, steps - s0);
            float[] px = new float[m * chw];
            int[] t = new int[m];
            for (int k = 0; k < m; k++) {
                int st = s0 + k;
                for (int r = st * step; r < Math.min(hw, (st + 1) * step); r++) {
                    for (int ch = 0; ch < c; ch++) cur[ch * hw + order[r]] = x[ch * hw + order[r]];
                }
                System.arraycopy(cur, 0, px, k * chw, chw);
                t[k] = target;
            }
            float[] y = scorer.scores(new Tensor(dev.candela.tensor.Shape.of(m, c, h, w), px), t);
            for (int k = 0; k < m; k++) curve[s0 + k] = y[k];
        }
        return curve;
    }

    /**
     * Monotonicity (Arya et al. 2019): 1 when the score never decreases as the pixels are added back in order of
     * increasing |map| ({@link #monotonicityAryaCurve}), else 0. Equals Quantus's {@code Monotonicity(
     * features_in_step = C * step)} with its loop adding the input's values, as the metric is defined (AIX360's
     * {@code monotonicity_metric}); Quantus's own perturbation writes the baseline over the baseline, so its
     * input never changes and its verdict is always 1. Higher is better.
     */
    public static double monotonicityArya(Scorer scorer, MapBatch batch, int image, int step, int chunk) {
        double[] y = monotonicityAryaCurve(scorer, batch, image, step, chunk);
        for (int k = 0; k + 1 < y.length; k++) if (!((float) y[k + 1] >= (float) y[k])) return 0;
        return 1;
    }

    /** Draws {@code k} distinct indices out of {@code 0..n-1} (a replayable source of random subsets). */
    @FunctionalInterface
    public interface Subsets {
        int[] next(int n, int k);

        /** Partial Fisher-Yates over a seeded SplittableRandom. */
        static Subsets seeded(long seed) {
            java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
            return (n, k) -> {
                int[] p = new int[n];
                for (int i = 0; i < n; i++) p[i] = i;
                for (int i = 0; i < k; i++) {
                    int j = i + rng.nextInt(n - i);
                    int t = p[i]; p[i] = p[j]; p[j] = t;
                }
                return java.util.Arrays.copyOf(p, k);
            };
        }
    }

    /**
     * Faithfulness correlation (Bhatt et al. 2020): over {@code runs} random subsets of {@code subset}
     * elements (channel, row, column) of the image, the Pearson correlation between the map's sum over the
     * subset (the map broadcast over channels) and the score drop when those elements are set to the
     * image's minimum. Quantus's defaults: 100 runs of 224 elements. Higher is better.
     */
    public static double faithfulnessCorrelation(Scorer scorer, MapBatch batch, int image, int runs, int subset, Subsets subsets, int chunk) {
        int c = batch.channels(), h = batch.height(), w = batch.width(), hw = h * w, chw = c * hw;
        if (subset < 1 || subset >= chw) throw new IllegalArgumentException("faithfulness correlation: subset must be in 1.." + (chw - 1));
        double[] a = prepare(batch.map(image), false);
        float[] x = java.util.Arrays.copyOfRange(batch.inputData(), image * chw, (image + 1) * chw);
        float min = Float.POSITIVE_INFINITY;
        for (float v : x) min = Math.min(min, v);
        int target = batch.targets()[image];
        float y = scorer.scores(new Tensor(dev.candela.tensor.Shape.of(1, c, h, w), x.clone()), new int[]{target})[0];
        int[][] picks = new int[runs][];
        double[] att = new double[runs], delta = new double[runs];
        for (int r = 0; r < runs; r++) {
            picks[r] = subsets.next(chw, subset);
            for (int e : picks[r]) att[r] += a[e % hw];
        }
        for (int r0 = 0; r0 < runs; r0 += chunk) {
            int m = Math.min(chunk, runs - r0);
            float[] px = new float[m * chw];
            int[] t = new int[m];
            for (int k = 0; k < m; k++) {
                System.arraycopy(x, 0, px, k * chw, chw);
                t[k] = target;
                for (int e : picks[r0 + k]) px[k * chw + e] = min;
            }
            float[] yp = scorer.scores(new Tensor(dev.candela.tensor.Shape.of(m, c, h, w), px), t);
            for (int k = 0; k < m; k++) delta[r0 + k] = (double) y - yp[k];
        }
        return pearson(att, delta);
    }

    /**
     * SSIM of two vectors as Quantus computes it (scikit-image's {@code structural_similarity} on the flattened
     * explanations): window of 7 with the sample covariance, K1 = 0.01, K2 = 0.03, data range = max - min over
     * both, the mean over positions whose window lies inside (3 cut at each end).
     */
    public static double ssim(double[] a, double[] b) {
        int n = a.length, win = 7, pad = (win - 1) / 2;
        if (n < win) throw new IllegalArgumentException("ssim needs at least 7 values, got " + n);
        double max = Double.NEGATIVE_INFINITY, min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, Math.max(a[i], b[i]));
            min = Math.min(min, Math.min(a[i], b[i]));
        }
        double range = Math.abs(max - min), c1 = Math.pow(0.01 * range, 2), c2 = Math.pow(0.03 * range, 2), covNorm = win / (win - 1.0);
        double sum = 0;
        for (int i = pad; i < n - pad; i++) {
            double ux = 0, uy = 0, uxx = 0, uyy = 0, uxy = 0;
            for (int j = i - pad; j <= i + pad; j++) {
                ux += a[j]; uy += b[j]; uxx += a[j] * a[j]; uyy += b[j] * b[j]; uxy += a[j] * b[j];
            }
            ux /= win; uy /= win; uxx /= win; uyy /= win; uxy /= win;
            double vx = covNorm * (uxx - ux * ux), vy = covNorm * (uyy - uy * uy), vxy = covNorm * (uxy - ux * uy);
            sum += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
        }
        return sum / (n - 2 * pad);
    }

    /** The class Quantus's random logit explains instead of {@code target}: the {@code index}-th of the other classes. */
    public static int offClass(int target, int index) {
        return index < target ? index : index + 1;
    }

    /**
     * Random logit (Sixt et al. 2020): the SSIM of the map for the target and the map for another class
     * (Quantus: a uniformly drawn other class; both maps normalised by their largest absolute value).
     * Lower is better (the explanation depends on the class).
     */
    public static double randomLogit(float[] map, float[] offMap) {
        return ssim(prepare(map, false), prepare(offMap, false));
    }

    /** Explains one input (1 x C x H x W) again: its map, H*W values. */
    @FunctionalInterface
    public interface Reexplain {
        float[] map(Tensor input);
    }

    /**
     * The per-sample sensitivities of max- and avg-sensitivity (Yeh et al. 2019) as Quantus computes them:
     * for each sample, uniform noise in [-bound, bound) (one draw per element, {@code noise.apply(C*H*W)}) is
     * added to the input, the method explains the noisy input for the same class, and the value is
     * {@code ||map - map'|| / ||map||} (Frobenius norms of the maps as the method gives them; Quantus's
     * defaults for these metrics do not normalise). Max-sensitivity is the largest of them, avg-sensitivity
     * their mean (Quantus's defaults: 200 samples, bound 0.2, input units).
     */
    public static double[] sensitivities(Reexplain explain, float[] map, Tensor input, int samples, java.util.function.IntFunction<double[]> noise) {
        float[] x = input.data();
        double norm = 0;
        for (float v : map) norm += (double) v * v;
        norm = Math.sqrt(norm);
        double[] out = new double[samples];
        for (int k = 0; k < samples; k++) {
            double[] u = noise.apply(x.length);
            float[] px = new float[x.length];
            for (int e = 0; e < x.length; e++) px[e] = (float) (x[e] + u[e]);
            float[] m2 = explain.map(new Tensor(input.shape(), px));
            double d = 0;
            for (int p = 0; p < map.length; p++) d += ((double) map[p] - m2[p]) * ((double) map[p] - m2[p]);
            out[k] = Math.sqrt(d) / norm;
        }
        return out;
    }

    /** Uniform noise in [-bound, bound) from a seeded generator. */
    public static java.util.function.IntFunction<double[]> uniformNoise(long seed, double bound) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        return count -> {
            double[] u = new double[count];
            for (int i = 0; i < count; i++) u[i] = rng.nextDouble(-bound, bound);
            return u;
        };
    }

    /** The model's output (logits) for one input, 1 x C x H x W. */
    @FunctionalInterface
    public interface Logits {
        float[] of(Tensor input);
    }

    static int argmax(float[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
        return b;
    }

    private static float[] noisy(float[] x, double[] u) {
        float[] px = new float[x.length];
        for (int e = 0; e < x.length; e++) px[e] = (float) (x[e] + u[e]);
        return px;
    }

    /**
     * Local Lipschitz estimate (Alvarez-Melis &amp; Jaakkola 2018) as Quantus computes it: the largest, over
     * {@code samples} inputs with Gaussian noise (std 0.1 in Quantus, {@code noise.apply(C*H*W)} values), of
     * {@code ||a - a'|| / (||x - x'|| + 1e-10)} with both maps divided by their largest absolute value. Lower is better.
     */
    public static double localLipschitz(Reexplain explain, float[] map, Tensor input, int samples, java.util.function.IntFunction<double[]> noise) {
        double[] a = prepare(map, false);
        float[] x = input.data();
        double best = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < samples; k++) {
            float[] px = noisy(x, noise.apply(x.length));
            double[] b = prepare(explain.map(new Tensor(input.shape(), px)), false);
            double num = 0, den = 0;
            for (int p = 0; p < a.length; p++) num += (a[p] - b[p]) * (a[p] - b[p]);
            for (int e = 0; e < x.length; e++) { double d = x[e] - px[e]; den += d * d; }
            double r = Math.sqrt(num) / (Math.sqrt(den) + 1e-10);
            if (!Double.isNaN(r)) best = Math.max(best, r);
        }
        return best == Double.NEGATIVE_INFINITY ? Double.NaN : best;
    }

    /**
     * Relative input stability and relative output stability (Agarwal et al. 2022) as Quantus computes them:
     * for each of {@code samples} inputs with noise ({@code noise.apply(C*H*W)}; Quantus: uniform in [0.02, 0.2)),
     * {@code ||(e - e') / e||} (zeros of e replaced by 1e-6) divided by {@code ||(x - x') / x||} (RIS) or by
     * {@code ||h(x) - h(x')||} over the logits (ROS), the denominator's zero replaced by 1e-6; the maps as the
     * method gives them. The value is the largest ratio, NaN when a noisy input changes the predicted class
     * (Quantus's default). Returns {RIS, ROS}. Lower is better.
     */
    public static double[] relativeStability(Reexplain explain, Logits model, float[] map, Tensor input, int samples,
                                             java.util.function.IntFunction<double[]> noise) {
        float[] x = input.data();
        float[] h = model.of(input);
        int cls = argmax(h);
        double ris = Double.NEGATIVE_INFINITY, ros = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < samples; k++) {
            float[] px = noisy(x, noise.apply(x.length));
            Tensor pin = new Tensor(input.shape(), px);
            float[] m2 = explain.map(pin);
            float[] h2 = model.of(pin);
            double num = 0;
            for (int p = 0; p < map.length; p++) {
                double e = map[p], d = (e - m2[p]) / (e + (e == 0 ? 1e-6 : 0));
                num += d * d;
            }
            num = Math.sqrt(num);
            double den = 0;
            for (int i = 0; i < x.length; i++) {
                float d = (x[i] - px[i]) / (x[i] + (x[i] == 0 ? 1e-6f : 0));
                den += (double) d * d;
            }
            den = Math.sqrt(den);
            if (den == 0) den = 1e-6;
            double dh = 0;
            for (int i = 0; i < h.length; i++) dh += ((double) h[i] - h2[i]) * ((double) h[i] - h2[i]);
            dh = Math.sqrt(dh);
            if (dh == 0) dh = 1e-6;
            boolean changed = argmax(h2) != cls;
            ris = changed || Double.isNaN(ris) ? Double.NaN : Math.max(ris, num / den);
            ros = changed || Double.isNaN(ros) ? Double.NaN : Math.max(ros, num / dh);
        }
        return new double[]{ris, ros};
    }

    /** Gaussian noise N(0, std^2) from a seeded generator. */
    public static java.util.function.IntFunction<double[]> gaussianNoise(long seed, double std) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        return count -> {
            double[] u = new double[count];
            for (int i = 0; i < count; i++) u[i] = std * rng.nextGaussian();
            return u;
        };
    }

    /** Uniform noise in [low, high) from a seeded generator. */
    public static java.util.function.IntFunction<double[]> uniformNoise(long seed, double low, double high) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        return count -> {
            double[] u = new double[count];
            for (int i = 0; i < count; i++) u[i] = rng.nextDouble(low, high);
            return u;
        };
    }

    /** Noisy inputs per image for max-/avg-sensitivity in {@code evaluate} (Quantus's default is 200). */
    public static final int SENSITIVITY_SAMPLES = 10;

    /**
     * Infidelity (Yeh et al. 2019) as Quantus computes it (its "black" replacement, not random noise): the
     * image is cut into {@code patch} x {@code patch} squares in grid order (row by row) and they are set,
     * cumulatively, all channels, to the image's minimum; after each square the score drop {@code y - y'} is
     * compared with {@code sum(a * (x - x'))} (the map broadcast over channels, as the method gives it); the
     * value is the mean squared difference over the squares. H and W must be multiples of {@code patch}
     * (Quantus fails otherwise). Lower is better.
     */
    public static double infidelity(Scorer scorer, MapBatch batch, int image, int patch, int chunk) {
        int c = batch.channels(), h = batch.height(), w = batch.width(), hw = h * w, chw = c * hw;
        if (h % patch != 0 || w % patch != 0) throw new IllegalArgumentException("infidelity: the input " + h + "x" + w + " is not a multiple of the patch " + patch);
        float[] a = batch.map(image);
        float[] x = java.util.Arrays.copyOfRange(batch.inputData(), image * chw, (image + 1) * chw);
        float min = Float.POSITIVE_INFINITY;
        for (float v : x) min = Math.min(min, v);
        int target = batch.targets()[image];
        float y = scorer.scores(new Tensor(dev.candela.tensor.Shape.of(1, c, h, w), x.clone()), new int[]{target})[0];
        int bw = w / patch, blocks = (h / patch) * bw;
        float[] cur = x.clone();
        double[] aSum = new double[blocks];
        double sq = 0;
        for (int b0 = 0; b0 < blocks; b0 += chunk) {
            int m = Math.min(chunk, blocks - b0);
            float[] px = new float[m * chw];
            int[] t = new int[m];
            for (int k = 0; k < m; k++) {
                int b = b0 + k, r0 = (b / bw) * patch, c0 = (b % bw) * patch;
                for (int r = r0; r < r0 + patch; r++) for (int q = c0; q < c0 + patch; q++) for (int ch = 0; ch < c; ch++) cur[ch * hw + r * w + q] = min;
                System.arraycopy(cur, 0, px, k * chw, chw);
                t[k] = target;
                double sum = 0;
                for (int e = 0; e < chw; e++) sum += (double) a[e % hw] * (float) (x[e] - cur[e]);
                aSum[b] = sum;
            }
            float[] yp = scorer.scores(new Tensor(dev.candela.tensor.Shape.of(m, c, h, w), px), t);
            for (int k = 0; k < m; k++) {
                double d = ((double) y - yp[k]) - aSum[b0 + k];
                sq += d * d;
            }
        }
        return sq / blocks;
    }

    /** Quantus's infidelity patch (4), made larger for inputs over 64 pixels a side so a 224 x 224 input takes 196 squares, not 3136. */
    public static int infidelityPatch(int h, int w) {
        if (Math.max(h, w) <= 64 && h % 4 == 0 && w % 4 == 0) return 4;
        for (int p : new int[]{16, 14, 8, 7, 4, 2}) if (h % p == 0 && w % p == 0) return p;
        return 1;
    }

    /** The input shifted by {@code dx} columns (right when positive), the uncovered columns at the image's minimum (Quantus's batched_translation). */
    static Tensor translate(Tensor input, int dx) {
        int c = input.dim(1), h = input.dim(2), w = input.dim(3), hw = h * w;
        if (Math.abs(dx) > w) throw new IllegalArgumentException("continuity: a shift of " + dx + " exceeds the width " + w);
        float[] x = input.data(), out = new float[x.length];
        float min = Float.POSITIVE_INFINITY;
        for (float v : x) min = Math.min(min, v);
        for (int ch = 0; ch < c; ch++) for (int r = 0; r < h; r++) for (int q = 0; q < w; q++) {
            int src = q - dx;
            out[ch * hw + r * w + q] = src >= 0 && src < w ? x[ch * hw + r * w + src] : min;
        }
        return new Tensor(input.shape(), out);
    }

    /**
     * Continuity (Montavon et al. 2018) as Quantus computes it: the input is shifted sideways in
     * {@code steps} steps of {@code (2W + 1) / steps} columns from {@code -W} on (the uncovered columns at the
     * image's minimum); at each shift the method explains again and the value is
     * {@code ||a - a'||_1 / (||x - x'||_2 + 1e-9)} with both maps normalised by their largest absolute value
     * and made absolute; the result is the largest. Quantus's default: 28 steps. Lower is better.
     */
    public static double continuity(Reexplain explain, float[] map, Tensor input, int steps) {
        int w = input.dim(3), dx = (2 * w + 1) / steps, shift = -w;
        double[] a = prepare(map, true);
        float[] x = input.data();
        double best = Double.NEGATIVE_INFINITY;
        for (int st = 0; st < steps; st++) {
            shift += dx;
            Tensor moved = translate(input, shift);
            double[] b = prepare(explain.map(moved), true);
            double l1 = 0, l2 = 0;
            for (int p = 0; p < a.length; p++) l1 += Math.abs(a[p] - b[p]);
            float[] y = moved.data();
            for (int e = 0; e < x.length; e++) { double d = x[e] - y[e]; l2 += d * d; }
            best = Math.max(best, l1 / (Math.sqrt(l2) + 1e-9));
        }
        return best;
    }

    /**
     * Quantus's {@code discrete_entropy}: the entropy (natural log) of a {@code bins}-bin histogram of the
     * values, with NumPy's binning restated in its float32 arithmetic (edges from {@code linspace(min, max)},
     * the last bin closed; min = max widens the range by 0.5 each side).
     */
    public static double discreteEntropy(float[] a, int bins) {
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        for (float v : a) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        double first = lo, last = hi;
        if (first == last) { first -= 0.5; last += 0.5; }
        float[] edges = new float[bins + 1];
        double step = (last - first) / bins;
        for (int i = 0; i <= bins; i++) edges[i] = (float) (i * step + first);
        edges[bins] = (float) last;
        float norm = (float) (bins / (last - first)), f0 = (float) first;
        long[] count = new long[bins];
        for (float v : a) {
            int idx = (int) ((v - f0) * norm);
            if (idx == bins) idx--;
            if (v < edges[idx]) idx--;
            else if (idx != bins - 1 && v >= edges[idx + 1]) idx++;
            count[idx]++;
        }
        double total = a.length, h = 0;
        for (long c : count) if (c > 0) { double p = c / total; h -= p * Math.log(p); }
        return h;
    }

    /**
     * Efficient MPRT (Hedström et al. 2023): the relative rise in the explanation's discrete entropy (100
     * bins) when every layer of the model is randomised, {@code (H(a_random) - H(a)) / H(a)}. Quantus
     * randomises with PyTorch's layer initialisers; {@code evaluate} uses the sanity check's randomisation
     * (every layer, top first). Higher is better.
     */
    public static double efficientMprt(float[] original, float[] randomised) {
        double h0 = discreteEntropy(original, 100);
        return (discreteEntropy(randomised, 100) - h0) / h0;
    }

    /**
     * Quantus's {@code add_mean_shift_to_first_layer}: the first convolution's bias becomes
     * {@code 2 b - min over positions of conv(shift everywhere)} (its response to a constant input, zero
     * padding included, so a padded convolution is compensated only where the response is smallest).
     */
    public static dev.candela.graph.Model shiftedModel(dev.candela.graph.Model model, float shift) {
        dev.candela.graph.Graph g = model.graph();
        java.util.List<dev.candela.graph.Node> nodes = new java.util.ArrayList<>(g.nodes());
        for (int i = 0; i < nodes.size(); i++) {
            dev.candela.graph.Node node = nodes.get(i);
            if (!(node.op() instanceof dev.candela.graph.Conv2d conv)) continue;
            int cin = g.inputItemShape().dim(0), ih = g.inputItemShape().dim(1), iw = g.inputItemShape().dim(2);
            Tensor wt = conv.weight();
            int cout = wt.dim(0), cg = wt.dim(1), kh = wt.dim(2), kw = wt.dim(3), groups = conv.groups();
            int[] st = conv.strides(), pd = conv.pads(), dl = conv.dilations(); // pads: top, left, bottom, right
            int oh = (ih + pd[0] + pd[2] - dl[0] * (kh - 1) - 1) / st[0] + 1, ow = (iw + pd[1] + pd[3] - dl[1] * (kw - 1) - 1) / st[1] + 1;
            float[] b = conv.bias().data().clone();
            for (int o = 0; o < cout; o++) {
                float lo = Float.POSITIVE_INFINITY;
                for (int y = 0; y < oh; y++) for (int x = 0; x < ow; x++) {
                    float acc = 0;
                    for (int c = 0; c < cg; c++) for (int ky = 0; ky < kh; ky++) for (int kx = 0; kx < kw; kx++) {
                        int yy = y * st[0] - pd[0] + ky * dl[0], xx = x * st[1] - pd[1] + kx * dl[1];
                        if (yy >= 0 && yy < ih && xx >= 0 && xx < iw) acc += wt.data()[((o * cg + c) * kh + ky) * kw + kx] * shift;
                    }
                    lo = Math.min(lo, acc + conv.bias().data()[o]);
                }
                b[o] = 2 * conv.bias().data()[o] - lo;
            }
            if (cg * groups != cin) throw new IllegalStateException("first convolution does not read the input");
            nodes.set(i, new dev.candela.graph.Node(node.name(), new dev.candela.graph.Conv2d(wt, new Tensor(conv.bias().shape(), b),
                    conv.strides(), conv.pads(), conv.dilations(), conv.groups()), node.inputs(), node.output()));
            return new dev.candela.graph.Model(new dev.candela.graph.Graph(g.input(), g.inputItemShape(), nodes, g.output()),
                    model.preprocessing(), model.labels(), model.source());
        }
        throw new IllegalArgumentException("input invariance: the model has no convolution");
    }

    /**
     * Input invariance (Kindermans et al. 2019) as Quantus tests it: 1 when the map of the input shifted
     * by {@code shift} (Quantus: -1) on the model whose first convolution absorbs the shift
     * ({@link #shiftedModel}) equals the original map within {@code |a - a'| <= 1e-4 + 1e-5 |a'|}, else 0.
     */
    public static double inputInvariance(float[] map, float[] shiftedMap) {
        for (int p = 0; p < map.length; p++) if (!(Math.abs(map[p] - shiftedMap[p]) <= 1e-4 + 1e-5 * Math.abs(shiftedMap[p]))) return 0;
        return 1;
    }

    /**
     * The similarities of smooth MPRT (Hedström et al. 2023): for the unchanged model and then each stage of a
     * cascading randomisation (first layer first in Quantus), the explanation is averaged over {@code samples}
     * inputs, the first {@code samples - 1} with Gaussian noise of std {@code 0.1 * (max - min)} of the input
     * ({@code noise.apply(C*H*W)} standard normal values each) and the last without; entry k is the Spearman
     * correlation of |map| with |smoothed map of model k| (Quantus normalises both by a positive scale first,
     * which does not change ranks).
     */
    public static double[] smoothMprtSimilarities(float[] map, List<Reexplain> models, Tensor input, int samples,
                                                  java.util.function.IntFunction<double[]> noise) {
        float[] x = input.data();
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        for (float v : x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        double std = 0.1 * ((double) hi - lo);
        double[] a = new double[map.length];
        for (int p = 0; p < a.length; p++) a[p] = Math.abs(map[p]);
        double[] ra = ranks(a);
        double[] out = new double[models.size()];
        for (int k = 0; k < models.size(); k++) {
            float[] smooth = new float[map.length];
            for (int n = 0; n < samples; n++) {
                float[] px = x.clone();
                if (n < samples - 1) {
                    double[] g = noise.apply(x.length);
                    for (int e = 0; e < x.length; e++) px[e] = (float) (x[e] + g[e] * std);
                }
                float[] m = models.get(k).map(new Tensor(input.shape(), px));
                for (int p = 0; p < smooth.length; p++) smooth[p] += m[p] / samples;
            }
            double[] b = new double[smooth.length];
            for (int p = 0; p < b.length; p++) b[p] = Math.abs(smooth[p]);
            out[k] = pearson(ra, ranks(b));
        }
        return out;
    }

    /** Noisy samples per model of smooth-mprt in {@code evaluate} (Quantus's default is 50). */
    public static final int SMOOTH_MPRT_SAMPLES = 5;

    /** Ranks 1..n with ties given their average rank (scipy.stats.rankdata, as spearmanr uses). */
    static double[] ranks(double[] v) {
        int n = v.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (p, q) -> Double.compare(v[p], v[q]));
        double[] r = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && v[idx[j + 1]] == v[idx[i]]) j++;
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) r[idx[k]] = avg;
            i = j + 1;
        }
        return r;
    }

    static double pearson(double[] a, double[] b) {
        int n = a.length;
        double ma = 0, mb = 0;
        for (int i = 0; i < n; i++) { ma += a[i]; mb += b[i]; }
        ma /= n;
        mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    /** Quantus's default share of the input that sensitivity-n perturbs at most. */
    public static final double SENSITIVITY_N_MAX = 0.8;

    /**
     * Sensitivity-n (Ancona et al., ICLR 2018), as Quantus's {@code SensitivityN} computes it over one batch: for each
     * image the pixels are ranked by the map (highest first, ties by index) and removed cumulatively, {@code step}
     * pixels (all channels) at a time, by setting them to the image's minimum value; step k records the score drop
     * from the unperturbed input (cumulative) and the sum of the map over the step's elements (that step only,
     * the map broadcast over the C channels). Entry k of the result is the Pearson correlation, across the images
     * of the batch, between the drops and the sums of step k. Quantus keeps the first
     * {@code floor(0.8 * H * W / (C * step))} steps (its bound counts pixels, its step elements) and, by default,
     * reports their mean ({@link #mean}). The maps are used as given: Quantus divides the batch by its joint
     * maximum, which changes no correlation. Needs two images or more; higher is better.
     */
    public static double[] sensitivityN(Scorer scorer, MapBatch batch, int step, double maxFraction, int chunk) {
        int n = batch.size(), c = batch.channels(), h = batch.height(), w = batch.width(), hw = h * w, chw = c * hw;
        if (step < 1) throw new IllegalArgumentException("sensitivity-n: step must be >= 1");
        int steps = (int) Math.floor(maxFraction * hw / ((double) c * step));
        steps = Math.min(steps, (hw + step - 1) / step);
        double[][] drop = new double[n][steps], att = new double[n][steps];
        float[] y0 = scorer.scores(batch.inputs(), batch.targets());
        for (int i = 0; i < n; i++) {
            float[] m = batch.map(i);
            double[] a = new double[hw];
            for (int p = 0; p < hw; p++) a[p] = m[p];
            int[] order = descending(a);
            float[] cur = java.util.Arrays.copyOfRange(batch.inputData(), i * chw, (i + 1) * chw);
            float min = Float.POSITIVE_INFINITY;
            for (float v : cur) min = Math.min(min, v);
            for (int s0 = 0; s0 < steps; s0 += chunk) {
                int k = Math.min(chunk, steps - s0);
                float[] px = new float[k * chw];
                int[] t = new int[k];
                for (int j = 0; j < k; j++) {
                    int st = s0 + j;
                    for (int r = st * step; r < Math.min(hw, (st + 1) * step); r++) {
                        int p = order[r];
                        att[i][st] += c * (double) m[p];
                        for (int ch = 0; ch < c; ch++) cur[ch * hw + p] = min;
                    }
                    System.arraycopy(cur, 0, px, j * chw, chw);
                    t[j] = batch.targets()[i];
                }
                float[] y = scorer.scores(new Tensor(dev.candela.tensor.Shape.of(k, c, h, w), px), t);
                for (int j = 0; j < k; j++) drop[i][s0 + j] = (double) y0[i] - y[j];
            }
        }
        double[] r = new double[steps];
        for (int st = 0; st < steps; st++) {
            double[] d = new double[n], s = new double[n];
            for (int i = 0; i < n; i++) { d[i] = drop[i][st]; s[i] = att[i][st]; }
            r[st] = pearson(d, s);
        }
        return r;
    }

    /** The mean of the values (NaN if any is NaN or there are none), as {@code numpy.mean}. */
    public static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    /** Quantus's default distance threshold of sufficiency. */
    public static final double SUFFICIENCY_THRESHOLD = 0.6;

    /**
     * Sufficiency (Dasgupta et al., ICML 2022), as Quantus computes it over one batch: the maps are divided by
     * their joint largest absolute value (float32, as Quantus's {@code normalise_by_max} of the batch) and made
     * absolute; their flattened pixels are compared by the standardised Euclidean distance (scipy's
     * {@code cdist(A, A, "seuclidean")}, whose variances come from the two stacked copies of A: per pixel
     * {@code var(ddof = 1)} over 2N rows); the distance matrix is divided by its largest value; two images
     * are "alike" when that is at most {@code threshold} (Quantus: 0.6). The value of image i is the share of
     * the other images alike to it that have its predicted class (0 when none is alike). A pixel with zero
     * variance over the batch makes every distance NaN, hence every value 0, as in Quantus. Higher is better.
     * The value of an image depends on the whole batch.
     */
    public static double[] sufficiency(List<float[]> maps, int[] predicted, double threshold) {
        int n = maps.size();
        if (n != predicted.length) throw new IllegalArgumentException("sufficiency: " + n + " maps but " + predicted.length + " predictions");
        if (n == 0) return new double[0];
        int d = maps.get(0).length;
        float max = 0;
        boolean allZero = true;
        for (float[] m : maps) {
            if (m.length != d) throw new IllegalArgumentException("sufficiency: maps of different sizes");
            for (float v : m) {
                max = Math.max(max, Math.abs(v));
                if (v != 0) allZero = false;
            }
        }
        double[][] a = new double[n][d];
        for (int i = 0; i < n; i++) {
            float[] m = maps.get(i);
            for (int j = 0; j < d; j++) a[i][j] = Math.abs(allZero ? m[j] : m[j] / max);
        }
        // variance per pixel over the 2N rows of vstack(A, A), ddof = 1
        double[] var = new double[d];
        for (int j = 0; j < d; j++) {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += a[i][j];
            mean /= n;
            double ss = 0;
            for (int i = 0; i < n; i++) ss += (a[i][j] - mean) * (a[i][j] - mean);
            var[j] = 2 * ss / (2 * n - 1);
        }
        double[][] dist = new double[n][n];
        double dmax = 0;
        boolean nan = false, zero = true;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    double diff = a[i][j] - a[k][j];
                    s += diff * diff / var[j];
                }
                dist[i][k] = Math.sqrt(s);
                if (Double.isNaN(dist[i][k])) nan = true;
                else dmax = Math.max(dmax, Math.abs(dist[i][k]));
                if (dist[i][k] != 0) zero = false;
            }
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            int alike = 0, same = 0;
            for (int k = 0; k < n; k++) {
                if (k == i || nan) continue;
                double v = zero ? dist[i][k] : dist[i][k] / dmax;
                if (v <= threshold) {
                    alike++;
                    if (predicted[k] == predicted[i]) same++;
                }
            }
            out[i] = alike == 0 ? 0 : (double) same / alike;
        }
        return out;
    }

    /** The map-only and score metrics as {@link ImageMetric}s (the localisation ones need boxes: see {@link Evaluation}). */
    static ImageMetric imageMetric(String name, int riseStep, int chunk) {
        return imageMetric(name, riseStep, chunk, 0);
    }

    /** @param seed seeds the uniform draws of monotonicity-nguyen (the evaluation's per image and method seed) */
    static ImageMetric imageMetric(String name, int riseStep, int chunk, long seed) {
        return switch (name) {
            case "monotonicity-nguyen" -> scoreMetric(name, true, (sc, b, i) -> {
                java.util.SplittableRandom rng = new java.util.SplittableRandom(seed + i);
                return monotonicityNguyen(sc, b, i, riseStep, NGUYEN_SAMPLES, rng::nextDouble, chunk);
            });
            case "sparseness" -> mapMetric(name, true, QuantusMetrics::sparseness);
            case "complexity" -> mapMetric(name, false, QuantusMetrics::complexity);
            case "effective-complexity" -> mapMetric(name, false, m -> effectiveComplexity(m, 1e-5));
            case "faithfulness-correlation" -> scoreMetric(name, true, (sc, b, i) -> faithfulnessCorrelation(sc, b, i, 100,
                    Math.min(224, b.channels() * b.pixels() - 1), Subsets.seeded(seed + i), chunk));
            case "infidelity" -> scoreMetric(name, false, (sc, b, i) -> infidelity(sc, b, i, infidelityPatch(b.height(), b.width()), chunk));
            case "non-sensitivity" -> scoreMetric(name, false, (sc, b, i) -> nonSensitivity(sc, b, i, b.channels() * riseStep, 1e-5, chunk));
            case "completeness" -> scoreMetric(name, true, QuantusMetrics::completeness);
            case "irof" -> scoreMetric(name, true, (sc, b, i) -> irof(sc, b, i, chunk));
            case "monotonicity-arya" -> scoreMetric(name, true, (sc, b, i) -> monotonicityArya(sc, b, i, riseStep, chunk));
            case "region-perturbation" -> scoreMetric(name, true, (sc, b, i) -> regionPerturbation(sc, b, i, 8, 100, chunk));
            case "selectivity" -> scoreMetric(name, false, (sc, b, i) -> selectivity(sc, b, i, 8, chunk));
            case "faithfulness-estimate" -> new ImageMetric() {
                @Override public String name() { return name; }
                @Override public boolean higherIsBetter() { return true; }
                @Override public double[] evaluate(Scorer scorer, MapBatch batch) { return faithfulnessEstimate(scorer, batch, riseStep, chunk); }
            };
            default -> null;
        };
    }

    private interface PerImage { double score(Scorer scorer, MapBatch batch, int image); }

    private static ImageMetric scoreMetric(String name, boolean higher, PerImage f) {
        return new ImageMetric() {
            @Override public String name() { return name; }
            @Override public boolean higherIsBetter() { return higher; }
            @Override public double[] evaluate(Scorer scorer, MapBatch batch) {
                double[] r = new double[batch.size()];
                for (int i = 0; i < r.length; i++) r[i] = f.score(scorer, batch, i);
                return r;
            }
        };
    }

    private static ImageMetric mapMetric(String name, boolean higher, java.util.function.ToDoubleFunction<float[]> f) {
        return new ImageMetric() {
            @Override public String name() { return name; }
            @Override public boolean higherIsBetter() { return higher; }
            @Override public double[] evaluate(Scorer scorer, MapBatch batch) {
                double[] r = new double[batch.size()];
                for (int i = 0; i < r.length; i++) r[i] = f.applyAsDouble(batch.map(i));
                return r;
            }
        };
    }

    /** The localisation metrics by name, on one map and its box mask. */
    static double localisation(String name, float[] map, boolean[] s) {
        return switch (name) {
            case "top-k-intersection" -> topKIntersection(map, s, defaultK(map.length));
            case "relevance-rank-accuracy" -> relevanceRankAccuracy(map, s);
            case "relevance-mass-accuracy" -> relevanceMassAccuracy(map, s);
            case "attribution-localisation" -> attributionLocalisation(map, s);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Metrics that explain again (handled by {@link Evaluation} with the method itself). */
    public static final List<String> REEXPLAIN = List.of("random-logit", "max-sensitivity", "avg-sensitivity", "local-lipschitz-estimate", "continuity",
            "relative-input-stability", "relative-output-stability", "efficient-mprt", "smooth-mprt", "input-invariance");

    public static final List<String> LOCALISATION = List.of("top-k-intersection", "relevance-rank-accuracy", "relevance-mass-accuracy", "attribution-localisation");
    /** Draws per step of monotonicity-nguyen in {@code evaluate} (Quantus's default is 100, with one feature per step). */
    public static final int NGUYEN_SAMPLES = 10;

    public static final List<String> NAMES = List.of("faithfulness-correlation", "faithfulness-estimate", "monotonicity-nguyen", "monotonicity-arya", "irof", "region-perturbation", "selectivity", "infidelity", "completeness", "non-sensitivity", "random-logit", "max-sensitivity", "avg-sensitivity", "local-lipschitz-estimate", "continuity",
            "relative-input-stability", "relative-output-stability", "efficient-mprt", "smooth-mprt", "input-invariance", "sparseness", "complexity", "effective-complexity",
            "top-k-intersection", "relevance-rank-accuracy", "relevance-mass-accuracy", "attribution-localisation", "sufficiency", "sensitivity-n");
}
