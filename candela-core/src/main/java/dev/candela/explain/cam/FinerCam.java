package dev.candela.explain.cam;

import dev.candela.run.GradientRule;
import dev.candela.tensor.Tensor;
import java.util.Set;

/**
 * Finer-CAM (Zhang et al., CVPR 2025) as pytorch-grad-cam's {@code FinerCAM} with its default base (Grad-CAM)
 * computes it: the target class c is compared with the classes whose logits are closest to z_c (ranks
 * 1..{@code comparisons} of |z_j - z_c| in ascending order, numpy's stable argsort; rank 0 is c itself), and
 * Grad-CAM explains pytorch-grad-cam's {@code FinerWeightedTarget}
 * T = sum_i p_i (z_c - alpha z_i) / (sum_i p_i + 1e-9) over those classes i, p = softmax(z), differentiated
 * through the probabilities as torch does. Weights: the spatial mean of dT/dA.
 *
 * @param alpha       comparison strength (pytorch-grad-cam's default 1)
 * @param comparisons how many of the closest classes are compared (pytorch-grad-cam's default [1, 2, 3]: 3)
 */
public record FinerCam(double alpha, int comparisons) implements CamMethod {
    public FinerCam {
        if (!Double.isFinite(alpha)) throw new IllegalArgumentException("finer-cam: alpha must be finite, got " + alpha);
        if (comparisons < 1) throw new IllegalArgumentException("finer-cam: comparisons must be >= 1, got " + comparisons);
    }

    public FinerCam() { this(1, 3); }

    public String name() { return "finer-cam"; }

    public boolean usesGradients() { return true; }

    public Weights weights(LayerEvidence e) {
        Tensor z = e.logits();
        int r = e.rows(), classes = z.shape().itemSize();
        if (comparisons >= classes) throw new IllegalArgumentException("finer-cam: " + comparisons + " comparison classes need more than " + classes + " classes");
        float[] seed = new float[r * classes];
        for (int row = 0; row < r; row++) {
            int c = e.targets().get(row).classIndex();
            if (c < 0) throw new IllegalArgumentException("finer-cam explains one class; got " + e.targets().get(row).description());
            float[] zr = java.util.Arrays.copyOfRange(z.data(), row * classes, (row + 1) * classes);
            int[] ranked = ranked(zr, c);
            // pytorch-grad-cam takes rank 0 as the main class (c itself unless another logit ties with it)
            int[] cmp = java.util.Arrays.copyOfRange(ranked, 1, comparisons + 1);
            System.arraycopy(seed(zr, ranked[0], cmp, alpha), 0, seed, row * classes, classes);
        }
        Tensor g = e.executor().backward(e.head(), e.graph().output(), new Tensor(z.shape(), seed), Set.of(e.layer()), GradientRule.INSTANCE).get(e.layer());
        return new Weights.PerChannel(dev.candela.tensor.Reductions.spatialMean(g));
    }

    /** The classes sorted by |z_j - z_c| (ascending, ties by index as numpy's argsort on small arrays). */
    static int[] ranked(float[] z, int c) {
        Integer[] idx = new Integer[z.length];
        float[] d = new float[z.length];
        for (int j = 0; j < z.length; j++) {
            idx[j] = j;
            d[j] = Math.abs(z[j] - z[c]);
        }
        java.util.Arrays.sort(idx, (p, q) -> Float.compare(d[p], d[q]) != 0 ? Float.compare(d[p], d[q]) : Integer.compare(p, q));
        int[] out = new int[z.length];
        for (int i = 0; i < out.length; i++) out[i] = idx[i];
        return out;
    }

    /** dT/dz for T = N / (D + 1e-9), N = sum_i p_i (z_c - alpha z_i), D = sum_i p_i. */
    static float[] seed(float[] z, int c, int[] cmp, double alpha) {
        int n = z.length;
        double[] p = dev.candela.explain.Objective.softmax(z);
        double num = 0, den = 0;
        for (int i : cmp) {
            num += p[i] * (z[c] - alpha * z[i]);
            den += p[i];
        }
        double de = den + 1e-9;
        float[] out = new float[n];
        for (int j = 0; j < n; j++) {
            // dN/dz_j = sum_i p_i (d_ij - p_j)(z_c - alpha z_i) + [j = c] D - alpha p_j [j in cmp]
            double dn = 0, dd = 0;
            for (int i : cmp) {
                double dp = p[i] * ((i == j ? 1 : 0) - p[j]);
                dn += dp * (z[c] - alpha * z[i]);
                dd += dp;
                if (i == j) dn -= alpha * p[i];
            }
            if (j == c) dn += den;
            out[j] = (float) ((dn * de - num * dd) / (de * de));
        }
        return out;
    }

    /** The comparison classes chosen for one row of logits (for the audit and the tests). */
    public static int[] comparisonClasses(float[] logits, int c, int n) { return java.util.Arrays.copyOfRange(ranked(logits, c), 1, n + 1); }

}
