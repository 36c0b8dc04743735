package dev.candela.explain.cam;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;

/** Random-CAM (pytorch-grad-cam's baseline): w_k ~ U(-1, 1) from the injected noise source. */
public record RandomCam() implements CamMethod {
    public String name() { return "random-cam"; }

    public Weights weights(LayerEvidence e) {
        Tensor a = e.activations();
        float[] w = new float[a.dim(0) * a.dim(1)];
        e.noise().uniform(w, -1, 1);
        return new Weights.PerChannel(new Tensor(Shape.of(a.dim(0), a.dim(1)), w));
    }
}
