package dev.candela.explain.attribution;

import dev.candela.explain.Objective;
import dev.candela.explain.ResolvedTarget;
import dev.candela.explain.cam.CamMethod;
import dev.candela.explain.cam.LayerEvidence;
import dev.candela.explain.cam.Weights;
import dev.candela.explain.lrp.Composite;
import dev.candela.explain.lrp.Lrp;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;

/**
 * LRP-CAM, the variant shipped with the official LIFT-CAM code (lift-cam.md 5.4): phi_k = spatial sum
 * of the LRP relevance of Y^c at the target layer, propagated through the head with a composite
 * (default: Captum's epsilon 1e-9 rules), no reference. Same pipeline as LIFT-CAM afterwards.
 */
public record LrpCamMethod(Composite composite) implements CamMethod {

    public LrpCamMethod() { this(Composite.captum()); }

    @Override public String name() { return "lrp-cam"; }

    @Override public Weights weights(LayerEvidence e) {
        int[] classes = new int[e.rows()];
        for (int r = 0; r < classes.length; r++) {
            ResolvedTarget t = e.targets().get(r);
            classes[r] = switch (t.objective()) {
                case Objective.Logit l -> l.classIndex();
                case Objective.Weighted w -> throw new IllegalArgumentException("LRP-CAM explains one class logit, not '" + t.description() + "'");
                case Objective.Probability p -> throw new IllegalArgumentException("LRP-CAM explains logits, not '" + t.description() + "'");
            };
        }
        Tensor rel = new Lrp(e.executor(), composite).relevanceAt(e.forward(), classes, e.layer(), null);
        return new Weights.PerChannel(channelSums(rel));
    }

    /** R x K per-channel sums of an R x K x h x w tensor (double accumulation). */
    static Tensor channelSums(Tensor t) {
        int r = t.dim(0), k = t.dim(1), hw = t.shape().itemSize() / k;
        float[] out = new float[r * k];
        for (int p = 0; p < r * k; p++) {
            double s = 0;
            for (int i = 0; i < hw; i++) s += t.data()[p * hw + i];
            out[p] = (float) s;
        }
        return new Tensor(Shape.of(r, k), out);
    }
}
