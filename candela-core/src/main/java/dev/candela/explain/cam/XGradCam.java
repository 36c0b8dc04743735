package dev.candela.explain.cam;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;

/** XGrad-CAM (Fu et al. 2020): w_k = sum_ij g A / (sum_ij A + 1e-7) (pytorch-grad-cam's epsilon). */
public record XGradCam() implements CamMethod {
    public String name() { return "xgrad-cam"; }
    public boolean usesGradients() { return true; }

    public Weights weights(LayerEvidence e) {
        Tensor a = e.activations(), g = e.gradients();
        int r = a.dim(0), k = a.dim(1), hw = a.dim(2) * a.dim(3);
        float[] out = new float[r * k];
        for (int p = 0; p < r * k; p++) {
            double num = 0, den = 0;
            for (int i = 0; i < hw; i++) {
                num += (double) g.data()[p * hw + i] * a.data()[p * hw + i];
                den += a.data()[p * hw + i];
            }
            out[p] = (float) (num / (den + 1e-7));
        }
        return new Weights.PerChannel(new Tensor(Shape.of(r, k), out));
    }
}
