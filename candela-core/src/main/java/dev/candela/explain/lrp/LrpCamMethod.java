package dev.candela.explain.lrp;

import dev.candela.explain.cam.CamMethod;
import dev.candela.explain.cam.LayerEvidence;
import dev.candela.explain.cam.Weights;
import dev.candela.tensor.Tensor;

/**
 * LRP-CAM (shipped with the official LIFT-CAM code, lift-cam.md 5.4): phi_k = the spatial sum of the LRP
 * relevance of the target's logit on map A_k, propagated through the head only (the nodes between the
 * layer and the logits). Default rules are Captum's (epsilon 1e-9 on conv, linear, pools, batch norm and
 * sums; activations pass). The shared pipeline then applies ReLU(sum_k phi_k A_k), resize and min-max.
 */
public record LrpCamMethod(Composite composite) implements CamMethod {
    public LrpCamMethod() { this(Composite.captum()); }

    @Override public String name() { return "lrp-cam"; }

    @Override public Weights weights(LayerEvidence e) {
        Lrp lrp = new Lrp(e.executor(), composite);
        Tensor logits = e.forward().get(Lrp.logits(e.graph()));
        Tensor r = lrp.relevance(e.forward(), Lrp.seed(e.targets(), logits), e.layer(), null);
        return new Weights.PerChannel(channelSums(r));
    }

    /** R x K spatial sums of an R x K x h x w tensor. */
    public static Tensor channelSums(Tensor r) {
        int n = r.dim(0), k = r.dim(1), hw = r.shape().itemSize() / k;
        float[] phi = new float[n * k];
        for (int i = 0; i < n * k; i++) {
            double s = 0;
            for (int j = 0; j < hw; j++) s += r.data()[i * hw + j];
            phi[i] = (float) s;
        }
        return Tensor.of(phi, n, k);
    }
}
