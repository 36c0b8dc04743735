package dev.candela.explain.cam;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;

/**
 * Grad-CAM++ as pytorch-grad-cam computes it: S_k = sum_ab A_kab,
 * alpha = g^2 / (2 g^2 + S_k g^3 + 1e-6) (0 where g = 0), w_k = sum_ij max(g,0) alpha.
 */
public record GradCamPlusPlus() implements CamMethod {
    static final double EPS = 1e-6;

    public String name() { return "grad-cam++"; }
    public boolean usesGradients() { return true; }

    public Weights weights(LayerEvidence e) {
        return new Weights.PerChannel(plusPlus(e.activations(), e.gradients()));
    }

    static Tensor plusPlus(Tensor a, Tensor g) {
        int r = a.dim(0), k = a.dim(1), hw = a.dim(2) * a.dim(3);
        float[] out = new float[r * k];
        for (int p = 0; p < r * k; p++) {
            double s = 0;
            for (int i = 0; i < hw; i++) s += a.data()[p * hw + i];
            double w = 0;
            for (int i = 0; i < hw; i++) {
                double gi = g.data()[p * hw + i];
                if (gi == 0) continue;
                double g2 = gi * gi, g3 = g2 * gi;
                double alpha = g2 / (2 * g2 + s * g3 + EPS);
                w += Math.max(gi, 0) * alpha;
            }
            out[p] = (float) w;
        }
        return new Tensor(Shape.of(r, k), out);
    }
}
