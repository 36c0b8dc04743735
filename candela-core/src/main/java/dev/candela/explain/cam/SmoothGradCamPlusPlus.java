package dev.candela.explain.cam;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;

/**
 * Smooth Grad-CAM++ (Omeiza et al. 2019) as TorchCAM computes it: {@code samples} noisy copies
 * x + N(0, std^2) (one full-input noise draw per copy); g2, g3 = mean of g^2, g^3 over the copies;
 * alpha = g2 / (2 g2 + sum_ab(g3 A) + 1e-8) with A from the clean pass; w_k = sum_ij alpha max(g_last, 0)
 * where g_last is the last copy's gradient. TorchCAM then multiplies w by the last noisy copy's
 * activations (its activation hook keeps recording); that is the default here for parity, and
 * {@code mapOnCleanActivations} uses the clean activations instead.
 */
public record SmoothGradCamPlusPlus(int samples, double std, boolean mapOnCleanActivations) implements CamMethod {
    public SmoothGradCamPlusPlus() { this(4, 0.3, false); }

    public SmoothGradCamPlusPlus {
        if (samples < 1) throw new IllegalArgumentException("Smooth Grad-CAM++ samples must be >= 1, got " + samples);
    }

    public String name() { return "smooth-grad-cam++"; }
    public boolean usesGradients() { return true; }

    public Weights weights(LayerEvidence e) {
        Tensor a0 = e.activations(), x = e.input();
        int r = a0.dim(0), k = a0.dim(1), hw = a0.dim(2) * a0.dim(3);
        float[] g2 = new float[a0.size()], g3 = new float[a0.size()];
        float[] noise = new float[x.size()];
        LayerEvidence.LayerPass last = null;
        for (int s = 0; s < samples; s++) {
            e.noise().gaussian(noise, std);
            float[] nx = new float[x.size()];
            for (int i = 0; i < nx.length; i++) nx[i] = x.data()[i] + noise[i];
            last = e.pass(new Tensor(x.shape(), nx), true);
            float[] g = last.gradients().data();
            for (int i = 0; i < g.length; i++) {
                float sq = g[i] * g[i];
                g2[i] += sq;
                g3[i] += sq * g[i];
            }
        }
        for (int i = 0; i < g2.length; i++) { g2[i] /= samples; g3[i] /= samples; }
        float[] w = new float[r * k];
        float[] gl = last.gradients().data();
        for (int p = 0; p < r * k; p++) {
            double s3 = 0;
            for (int i = 0; i < hw; i++) s3 += g3[p * hw + i] * a0.data()[p * hw + i];
            double acc = 0;
            for (int i = 0; i < hw; i++) {
                int q = p * hw + i;
                double alpha = g2[q] / (2 * g2[q] + s3 + 1e-8);
                acc += alpha * Math.max(gl[q], 0f);
            }
            w[p] = (float) acc;
        }
        Tensor coef = new Tensor(Shape.of(r, k), w);
        if (mapOnCleanActivations) return new Weights.PerChannel(coef);
        Tensor a = last.activations();
        Tensor map = e.options().eigenSmooth() ? CamPipeline.projectWeighted(a, coef, null) : CamPipeline.channelSum(a, coef, null);
        return new Weights.RawMap(map, coef);
    }
}
