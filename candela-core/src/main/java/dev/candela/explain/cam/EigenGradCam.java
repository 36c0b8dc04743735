package dev.candela.explain.cam;

import dev.candela.tensor.Tensor;

/** EigenGrad-CAM (pytorch-grad-cam): the first principal component of g (.) A; sign rule as {@link EigenCam}. */
public record EigenGradCam(CamPipeline.EigenSign sign) implements CamMethod {
    public EigenGradCam() { this(CamPipeline.EigenSign.DOMINANT_POSITIVE); }

    public String name() { return "eigen-grad-cam"; }
    public boolean usesGradients() { return true; }

    public Weights weights(LayerEvidence e) {
        Tensor a = e.activations(), g = e.gradients();
        float[] d = new float[a.size()];
        for (int i = 0; i < d.length; i++) d[i] = g.data()[i] * a.data()[i];
        return new Weights.RawMap(CamPipeline.projection(new Tensor(a.shape(), d), sign), null);
    }
}
