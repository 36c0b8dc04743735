package dev.candela.explain.lrp;

import dev.candela.run.LayerValues;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Relevance through a product of two activations y = a * b (squeeze-and-excitation x * s, LR-ASPP's
 * gating): as the LRP canonizers for gated blocks do, the gate is treated as a fixed weight of the gated
 * branch, so the relevance passes whole to the input shaped like the output (the gated branch) and the
 * broadcast gate gets none. When both inputs are shaped like the output (no side is broadcast), each gets
 * half. Relevance is conserved exactly either way. Used by LRP (the Pass rule) and FG-CAM.
 */
public final class Gating {
    private Gating() {}

    /**
     * The LN-rule of Ali et al. (2022, "XAI for Transformers: better explanations through conservative
     * propagation") for {@link dev.candela.graph.LayerNorm}: the normalising factor 1/sqrt(var + eps) is held
     * constant, so the layer is the linear map z = gamma (x - mean(x)) rstd (bias left out), and relevance
     * is redistributed by it: R_x = x . J^T (R / d(z)), with J^T s = rstd (gamma s - mean(gamma s)) per row.
     * Sum R_x = sum z (R / z): conserved exactly with an exact division, up to the stabiliser otherwise.
     */
    public static Tensor layerNorm(LayerValues v, Tensor r, Division division) {
        dev.candela.graph.LayerNorm l = (dev.candela.graph.LayerNorm) v.node().op();
        Tensor x = v.inputs().get(0);
        int c = l.features(), rows = x.size() / c;
        float[] d = x.data(), g = l.gamma().data(), z = new float[d.length];
        double[] rstd = new double[rows], mean = new double[rows];
        for (int row = 0; row < rows; row++) {
            double m = 0, var = 0;
            for (int i = 0; i < c; i++) m += d[row * c + i];
            m /= c;
            for (int i = 0; i < c; i++) { double a = d[row * c + i] - m; var += a * a; }
            mean[row] = m;
            rstd[row] = 1 / Math.sqrt(var / c + l.epsilon());
            for (int i = 0; i < c; i++) z[row * c + i] = (float) (g[i] * (d[row * c + i] - m) * rstd[row]);
        }
        float[] s = division.divide(r, new Tensor(x.shape(), z)).data(), out = new float[d.length];
        for (int row = 0; row < rows; row++) {
            double ms = 0;
            for (int i = 0; i < c; i++) ms += (double) g[i] * s[row * c + i];
            ms /= c;
            for (int i = 0; i < c; i++) out[row * c + i] = (float) (d[row * c + i] * rstd[row] * (g[i] * s[row * c + i] - ms));
        }
        return new Tensor(x.shape(), out);
    }

    public static List<Tensor> passToGated(LayerValues v, Tensor r) {
        List<Tensor> in = v.inputs();
        if (v.node().op() instanceof dev.candela.graph.Mul m && m.divisor() >= 0) {
            // a / b: the numerator takes it all (summed where it was broadcast), the divisor none
            Tensor num = in.get(1 - m.divisor());
            // summed where it was broadcast: the gradient a broadcast Add term gets, so the kernels' own reduction
            Tensor toNum = num.shape().equals(r.shape()) ? r : v.kernels().inputGradients(new dev.candela.graph.Add(), List.of(r, num), r, r).get(1);
            return m.divisor() == 0 ? List.of(Tensor.zeros(in.get(0).shape()), toNum) : List.of(toNum, Tensor.zeros(in.get(1).shape()));
        }
        List<Tensor> out = new ArrayList<>(in.size());
        int full = 0;
        for (Tensor t : in) if (t.shape().equals(r.shape())) full++;
        if (full == 0) throw new IllegalArgumentException("no input of " + v.node().name() + " is shaped like its output " + r.shape());
        for (Tensor t : in) {
            out.add(t.shape().equals(r.shape()) ? (full == 1 ? r : Elementwise.scale(r, 0.5f)) : Tensor.zeros(t.shape()));
        }
        return out;
    }
}
