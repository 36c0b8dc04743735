package dev.candela.explain.cam;

import dev.candela.tensor.Tensor;

/** LayerCAM (Jiang et al. 2021): map = sum_k max(g_k, 0) (.) A_k. */
public record LayerCam() implements CamMethod {
    public String name() { return "layer-cam"; }
    public boolean usesGradients() { return true; }

    public Weights weights(LayerEvidence e) {
        Tensor g = e.gradients();
        float[] d = new float[g.size()];
        for (int i = 0; i < d.length; i++) d[i] = Math.max(g.data()[i], 0f);
        return new Weights.PerElement(new Tensor(g.shape(), d));
    }
}
