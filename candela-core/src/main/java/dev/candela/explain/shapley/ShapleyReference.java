package dev.candela.explain.shapley;

import dev.candela.run.Executor;
import dev.candela.tensor.Tensor;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Ground truth for channel coefficients: the Shapley values of the target-layer maps for the head F
 * (everything after the layer), a removed map being replaced by zeros (LIFT-CAM's reference). Exact
 * enumeration costs 2^K head evaluations; for more maps, antithetic permutation sampling gives an
 * unbiased estimate with a standard error. Head evaluations run through {@link Executor#forwardFrom}
 * in batches.
 */
public final class ShapleyReference {
    /** Exact enumeration is refused above this many maps (2^20 head evaluations). */
    public static final int MAX_EXACT_MAPS = 20;

    private final Executor executor;
    private final String layer;
    private final int batch;

    /**
     * The reference as the evaluate metrics use it ({@code shapley-*}): exact up to {@code maxExactMaps} maps,
     * else {@code pairs} antithetic permutation pairs seeded with {@code seed}; the class's logit as the target.
     */
    public static dev.candela.metrics.ShapleySource source(int maxExactMaps, int pairs, long seed, int batch) {
        return new dev.candela.metrics.ShapleySource() {
            @Override public double[] shapley(Executor e, Tensor x, String layer, int target) {
                return reference(e, x, layer, target).phi();
            }

            @Override public Reference reference(Executor e, Tensor x, String layer, int target) {
                Tensor a = e.forward(x, Set.of(layer)).get(layer);
                ShapleyReference ref = new ShapleyReference(e, layer, batch);
                Tensor w = dev.candela.explain.attribution.TargetWeights.oneHot(e.model().numClasses(), target);
                ShapleyEstimate est = a.dim(1) <= maxExactMaps ? ref.exact(a, w) : ref.sampled(a, w, pairs, seed);
                return new Reference(est.phi(), est.standardError());
            }
        };
    }

    public ShapleyReference(Executor executor, String layer, int batch) {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        this.executor = executor;
        this.layer = layer;
        this.batch = batch;
    }

    /**
     * Exact Shapley values by enumerating all 2^K coalitions.
     *
     * @param a      the item's maps [1, K, h, w]
     * @param target weights over the outputs [1, outputs]
     */
    public ShapleyEstimate exact(Tensor a, Tensor target) {
        int k = maps(a);
        if (k > MAX_EXACT_MAPS) {
            throw new IllegalArgumentException("exact Shapley values of " + k + " maps need 2^" + k + " head evaluations; use sampled() above " + MAX_EXACT_MAPS + " maps");
        }
        int count = 1 << k;
        double[] v = new double[count];
        for (int start = 0; start < count; start += batch) {
            int len = Math.min(batch, count - start);
            boolean[][] masks = new boolean[len][k];
            for (int i = 0; i < len; i++) for (int j = 0; j < k; j++) masks[i][j] = ((start + i) >> j & 1) != 0;
            System.arraycopy(values(a, target, masks), 0, v, start, len);
        }
        // weight of a coalition of size s not containing k: s! (K-s-1)! / K! = 1 / (K * C(K-1, s))
        double[] weight = new double[k];
        double binom = 1;
        for (int s = 0; s < k; s++) {
            weight[s] = 1.0 / (k * binom);
            binom = binom * (k - 1 - s) / (s + 1);
        }
        double[] phi = new double[k];
        for (int mask = 0; mask < count; mask++) {
            int size = Integer.bitCount(mask);
            for (int j = 0; j < k; j++) {
                if ((mask >> j & 1) != 0) continue;
                phi[j] += weight[size] * (v[mask | 1 << j] - v[mask]);
            }
        }
        return new ShapleyEstimate(phi, new double[k], v[count - 1], v[0], count, "exact");
    }

    /**
     * Antithetic permutation sampling: each of {@code pairs} random orders (seeded) is used together
     * with its reverse; a map's marginal contributions in the two are averaged into one sample, and the
     * standard error is the sample standard deviation over pairs / sqrt(pairs).
     */
    public ShapleyEstimate sampled(Tensor a, Tensor target, int pairs, long seed) {
        if (pairs < 2) throw new IllegalArgumentException("need at least 2 permutation pairs for a standard error, got " + pairs);
        int k = maps(a);
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] ends = values(a, target, new boolean[][]{new boolean[k], allTrue(k)});
        double empty = ends[0], full = ends[1];
        double[] mean = new double[k], m2 = new double[k];
        long evaluations = 2;
        for (int p = 0; p < pairs; p++) {
            int[] perm = permutation(k, rnd);
            int[] rev = new int[k];
            for (int i = 0; i < k; i++) rev[i] = perm[k - 1 - i];
            double[] m1 = marginals(a, target, perm, empty, full);
            double[] mr = marginals(a, target, rev, empty, full);
            evaluations += 2L * Math.max(0, k - 1);
            for (int j = 0; j < k; j++) {
                double x = 0.5 * (m1[j] + mr[j]);
                double d = x - mean[j];
                mean[j] += d / (p + 1);
                m2[j] += d * (x - mean[j]);
            }
        }
        double[] se = new double[k];
        for (int j = 0; j < k; j++) se[j] = Math.sqrt(m2[j] / (pairs - 1) / pairs);
        return new ShapleyEstimate(mean, se, full, empty, evaluations, "antithetic-permutations(" + pairs + " pairs, seed " + seed + ")");
    }

    private double[] marginals(Tensor a, Tensor target, int[] order, double empty, double full) {
        int k = order.length;
        double[] prefix = new double[k + 1];
        prefix[0] = empty;
        prefix[k] = full;
        for (int start = 1; start < k; start += batch) {
            int len = Math.min(batch, k - start);
            boolean[][] masks = new boolean[len][k];
            for (int i = 0; i < len; i++) for (int j = 0; j < start + i; j++) masks[i][order[j]] = true;
            System.arraycopy(values(a, target, masks), 0, prefix, start, len);
        }
        double[] m = new double[k];
        for (int i = 0; i < k; i++) m[order[i]] = prefix[i + 1] - prefix[i];
        return m;
    }

    private static int[] permutation(int k, SplittableRandom rnd) {
        int[] p = new int[k];
        for (int i = 0; i < k; i++) p[i] = i;
        for (int i = k - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i]; p[i] = p[j]; p[j] = t;
        }
        return p;
    }

    private static boolean[] allTrue(int k) {
        boolean[] b = new boolean[k];
        java.util.Arrays.fill(b, true);
        return b;
    }

    private static int maps(Tensor a) {
        if (a.rank() < 2 || a.dim(0) != 1) throw new IllegalArgumentException("Shapley reference explains one item: maps must be [1, K, ...], got " + a.shape());
        return a.dim(1);
    }

    /** v(S) for each mask: the target score of F on the maps with the masked-out ones set to zero. */
    double[] values(Tensor a, Tensor target, boolean[][] masks) {
        int k = a.dim(1), per = a.shape().itemSize() / k, n = masks.length;
        float[] src = a.data(), buf = new float[n * a.shape().itemSize()];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++)
                if (masks[i][j]) System.arraycopy(src, j * per, buf, (i * k + j) * per, per);
        Tensor out = executor.forwardFrom(Map.of(layer, new Tensor(a.shape().withDim(0, n), buf)), Set.of()).output();
        int c = out.shape().itemSize();
        if (target.size() != c) throw new IllegalArgumentException("target weights have " + target.size() + " entries, the model has " + c + " outputs");
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < c; j++) s += (double) target.data()[j] * out.data()[i * c + j];
            v[i] = s;
        }
        return v;
    }
}
