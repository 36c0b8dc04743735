package dev.candela.explain.cam;

import dev.candela.tensor.Tensor;

/**
 * Seg-Eigen-CAM (Chung and Ying, Applied Sciences 2025) as pytorch-grad-cam's {@code SegEigenCAM} computes it:
 * the first principal component (SVD of the centred h*w x K matrix) of |dY/dA| * A, its sign chosen so that the
 * larger of |max| and |min| is positive ({@code get_2d_projection_with_sign_correction}, Eq. 13).
 */
public record SegEigenCam() implements CamMethod {
    public String name() { return "seg-eigen-cam"; }
    public boolean usesGradients() { return true; }

    public Weights weights(LayerEvidence e) {
        Tensor a = e.activations(), g = e.gradients();
        float[] d = new float[a.size()];
        for (int i = 0; i < d.length; i++) d[i] = Math.abs(g.data()[i]) * a.data()[i];
        return new Weights.RawMap(CamPipeline.projection(new Tensor(a.shape(), d), CamPipeline.EigenSign.DOMINANT_POSITIVE), null);
    }
}
