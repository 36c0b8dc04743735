package dev.candela.explain.cam;

import dev.candela.tensor.Tensor;

/** pytorch-grad-cam's GradCAMElementWise: map = sum_k max(g_k (.) A_k, 0). */
public record GradCamElementWise() implements CamMethod {
    public String name() { return "grad-cam-elementwise"; }
    public boolean usesGradients() { return true; }

    public Weights weights(LayerEvidence e) {
        Tensor a = e.activations(), g = e.gradients();
        float[] d = new float[a.size()];
        for (int i = 0; i < d.length; i++) d[i] = Math.max(g.data()[i] * a.data()[i], 0f);
        Tensor positive = new Tensor(a.shape(), d);
        Tensor map = e.options().eigenSmooth()
                ? CamPipeline.projection(positive, CamPipeline.EigenSign.DOMINANT_POSITIVE)
                : CamPipeline.channelSum(positive, null, ones(a));
        return new Weights.RawMap(map, null);
    }

    private static Tensor ones(Tensor a) {
        float[] d = new float[a.size()];
        java.util.Arrays.fill(d, 1f);
        return new Tensor(a.shape(), d);
    }
}
