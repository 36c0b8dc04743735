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

    public static List<Tensor> passToGated(LayerValues v, Tensor r) {
        List<Tensor> in = v.inputs();
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
