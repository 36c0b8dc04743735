package dev.candela.explain.attribution;

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

    /** (actual + reference) / 2 of a paired batch of 2n. */
    private static Tensor midpoint(Tensor paired, int n) {
        Tensor act = paired.slice(0, n);
        float[] d = paired.data(), o = new float[act.size()];
        for (int i = 0; i < o.length; i++) o[i] = (float) (((double) d[i] + d[i + o.length]) * 0.5);
        return new Tensor(act.shape(), o);
    }
}
