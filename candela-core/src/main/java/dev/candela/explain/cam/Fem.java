package dev.candela.explain.cam;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;

/**
 * FEM, the Feature Explanation Method (Fuad et al., IPTA 2020), as pytorch-grad-cam's {@code FEM} computes it:
 * for each channel the threshold mean + k * std over its h x w positions (numpy's population std), the
 * weight w_k = the fraction of positions above it, raw map = sum_k w_k A_k. Uses no gradients and no target:
 * the map is the same for every class.
 *
 * @param k the k of the k-sigma rule (pytorch-grad-cam's default 2)
 */
public record Fem(double k) implements CamMethod {
    public Fem {
        if (!Double.isFinite(k)) throw new IllegalArgumentException("fem: k must be finite, got " + k);
    }

    public Fem() { this(2); }

    public String name() { return "fem"; }

    public Weights weights(LayerEvidence e) {
        Tensor a = e.activations();
        int r = a.dim(0), ch = a.dim(1), hw = a.dim(2) * a.dim(3);
        float[] out = new float[r * ch];
        for (int p = 0; p < r * ch; p++) {
            double mean = 0;
            for (int i = 0; i < hw; i++) mean += a.data()[p * hw + i];
            mean /= hw;
            double var = 0;
            for (int i = 0; i < hw; i++) {
                double d = a.data()[p * hw + i] - mean;
                var += d * d;
            }
            // numpy computes the mean, std and threshold in float32, then compares float32 values
            float th = (float) ((float) mean + k * (float) Math.sqrt(var / hw));
            int above = 0;
            for (int i = 0; i < hw; i++) if (a.data()[p * hw + i] > th) above++;
            out[p] = (float) above / hw;
        }
        return new Weights.PerChannel(new Tensor(Shape.of(r, ch), out));
    }
}
