package dev.candela.explain.attribution;

import dev.candela.graph.LayerNorm;
import dev.candela.graph.Mul;
import dev.candela.graph.Pointwise;
import dev.candela.run.LayerValues;
import dev.candela.tensor.Tensor;
import java.util.List;

/**
 * DeepLIFT rules of the zoo ops (issue 13), kept apart so they can move with the rule-kind refactor.
 * <ul>
 * <li>{@link Pointwise} (Sigmoid, HardSigmoid, HardSwish, SiLU, GELU, Erf): Rescale, m = Δy/Δx, with the
 *     derivative where |Δx| < eps (at the input or the reference, per the fallback option).</li>
 * <li>{@link Mul} of two input-dependent tensors y = a b (squeeze-and-excitation gating): the Shapley split
 *     of the two endpoints, Δy = b̄ Δa + ā Δb with ā = (a + a0)/2, b̄ = (b + b0)/2. This identity is exact
 *     (expand both sides), so m_a = Σ_broadcast m_y b̄ and m_b = Σ_broadcast m_y ā give contributions that
 *     add up to Σ m_y Δy: summation-to-delta holds through the gate. It is the ordinary backward map of
 *     the product evaluated at the midpoints.</li>
 * <li>{@link LayerNorm}: y = gamma a b + beta with a = x - mean(x) (linear) and b = (mean(a²) + eps)^-1/2.
 *     The product is split in the order "a first, at the actual scale": Δ(a b) = b Δa + a0 Δb (exact).
 *     Not the Shapley midpoint split: with a zero image as reference, rows of the reference stream are
 *     nearly flat, so b0 approaches eps^-1/2 (1000 for ConvNeXt) and the midpoint b̄ = (b + b0)/2 would
 *     multiply the multipliers by up to ~500 at every layer norm (ConvNeXt-T has 19): exact in real numbers,
 *     but float32 multipliers of 1e11 leave nothing after cancellation. In this order the large b0 never
 *     enters, and the Δb term is weighted by a0, small exactly where b0 is large.
 *     Then Δb = (Δb/Δv) Δv (Rescale on v -> b, the derivative where |Δv| < eps) and Δv = Σ_j (a_j + a0_j)/C Δa_j
 *     exactly (Δ(a²) = (a + a0) Δa). The multiplier on a is m_a,j = gamma_j b m_j + (Σ_i m_i gamma_i a0_i)
 *     (Δb/Δv) (a_j + a0_j)/C, and the centering passes it on linearly (m_x = m_a - mean(m_a)). Every step
 *     is an exact identity, so summation-to-delta holds per row.</li>
 * </ul>
 */
final class GatingDeepLift {
    private GatingDeepLift() {}

    static Tensor pointwise(LayerValues v, Pointwise p, Tensor m, double eps, boolean atReference) {
        float[] x = v.inputs().get(0).data(), y = v.output().data(), g = m.data();
        int half = g.length;
        float[] out = new float[half];
        for (int i = 0; i < half; i++) {
            double dx = (double) x[i] - x[i + half];
            out[i] = (float) (Math.abs(dx) < eps ? g[i] * p.slope(atReference ? x[i + half] : x[i]) : g[i] * (((double) y[i] - y[i + half]) / dx));
        }
        return new Tensor(m.shape(), out);
    }

    static List<Tensor> mul(LayerValues v, Tensor m) {
        int n = m.dim(0);
        Tensor a = midpoint(v.inputs().get(0), n), b = midpoint(v.inputs().get(1), n);
        return v.kernels().inputGradients(new Mul(), List.of(a, b), v.kernels().forward(new Mul(), List.of(a, b)), m);
    }

    static Tensor layerNorm(LayerValues v, LayerNorm l, Tensor m, double eps) {
        float[] x = v.inputs().get(0).data(), g = l.gamma().data(), md = m.data();
        int c = l.features(), half = md.length, rows = half / c;
        float[] out = new float[half];
        double[] a = new double[c], a0 = new double[c], ma = new double[c];
        for (int row = 0; row < rows; row++) {
            int p = row * c, q = half + row * c;
            double mean = 0, mean0 = 0;
            for (int i = 0; i < c; i++) { mean += x[p + i]; mean0 += x[q + i]; }
            mean /= c;
            mean0 /= c;
            double var = 0, var0 = 0;
            for (int i = 0; i < c; i++) {
                a[i] = x[p + i] - mean;
                a0[i] = x[q + i] - mean0;
                var += a[i] * a[i];
                var0 += a0[i] * a0[i];
            }
            double vv = var / c + l.epsilon(), v0 = var0 / c + l.epsilon();
            double b = 1 / Math.sqrt(vv), b0 = 1 / Math.sqrt(v0);
            double dbdv = Math.abs(vv - v0) < eps ? -0.5 * Math.pow(vv, -1.5) : (b - b0) / (vv - v0);
            double gateSum = 0;
            for (int i = 0; i < c; i++) gateSum += (double) md[p + i] * g[i] * a0[i];
            double ms = 0;
            for (int i = 0; i < c; i++) {
                ma[i] = g[i] * b * md[p + i] + gateSum * dbdv * (a[i] + a0[i]) / c;
                ms += ma[i];
            }
            ms /= c;
            for (int i = 0; i < c; i++) out[p + i] = (float) (ma[i] - ms);
        }
        return new Tensor(m.shape(), out);
    }

    /** (actual + reference) / 2 of a paired batch of 2n. */
    private static Tensor midpoint(Tensor paired, int n) {
        Tensor act = paired.slice(0, n);
        float[] d = paired.data(), o = new float[act.size()];
        for (int i = 0; i < o.length; i++) o[i] = (float) (((double) d[i] + d[i + o.length]) * 0.5);
        return new Tensor(act.shape(), o);
    }
}
