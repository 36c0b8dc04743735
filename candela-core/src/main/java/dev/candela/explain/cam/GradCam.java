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
    static Tensor spatialMean(Tensor g) { return dev.candela.tensor.Reductions.spatialMean(g); }
}
