package dev.candela.explain.cam;

/** HiResCAM (Draelos &amp; Carin 2020): map = sum_k g_k (.) A_k, no pooling of the gradients. */
public record HiResCam() implements CamMethod {
    public String name() { return "hires-cam"; }
    public boolean usesGradients() { return true; }

    public Weights weights(LayerEvidence e) {
        return new Weights.PerElement(e.gradients());
    }
}
