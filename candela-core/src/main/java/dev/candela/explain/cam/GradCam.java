package dev.candela.explain.cam;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;

/** Grad-CAM (Selvaraju et al. 2017): w_k = mean over positions of dy/dA_k. */
public record GradCam() implements CamMethod {
    public String name() { return "grad-cam"; }
    public boolean usesGradients() { return true; }

    public Weights weights(LayerEvidence e) {
        return new Weights.PerChannel(spatialMean(e.gradients()));
    }

    /** Mean over h x w of each (row, channel) plane: R x K. */
    static Tensor spatialMean(Tensor g) {
        int r = g.dim(0), k = g.dim(1), hw = g.dim(2) * g.dim(3);
        float[] out = new float[r * k];
        for (int p = 0; p < r * k; p++) {
            double s = 0;
            for (int i = 0; i < hw; i++) s += g.data()[p * hw + i];
            out[p] = (float) (s / hw);
        }
        return new Tensor(Shape.of(r, k), out);
    }
}
