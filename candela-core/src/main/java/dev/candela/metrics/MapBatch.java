package dev.candela.metrics;

import dev.candela.tensor.Tensor;

/**
 * What a perturbation metric evaluates: inputs (N x C x H x W, the model's preprocessed tensor),
 * one saliency map per input (N x H x W, values in [0, 1], at input resolution) and one target
 * class per input. Shapes are checked here once so metrics can index freely.
 */
public record MapBatch(Tensor inputs, Tensor maps, int[] targets) {
    public MapBatch {
        if (inputs.rank() != 4) throw new IllegalArgumentException("inputs must be N x C x H x W, got " + inputs.shape());
        int n = inputs.dim(0);
        if (maps.rank() == 2 && n == 1) maps = maps.reshape(1, maps.dim(0), maps.dim(1));
        if (maps.rank() != 3 || maps.dim(0) != n || maps.dim(1) != inputs.dim(2) || maps.dim(2) != inputs.dim(3)) {
            throw new IllegalArgumentException("maps must be " + n + "x" + inputs.dim(2) + "x" + inputs.dim(3) + " (N x H x W at input resolution), got " + maps.shape());
        }
        if (targets.length != n) throw new IllegalArgumentException("got " + targets.length + " targets for " + n + " inputs");
        for (float v : maps.data()) {
            if (Float.isNaN(v)) throw new IllegalArgumentException("maps contain NaN");
        }
        targets = targets.clone();
    }

    public int size() { return inputs.dim(0); }
    public int channels() { return inputs.dim(1); }
    public int height() { return inputs.dim(2); }
    public int width() { return inputs.dim(3); }
    public int pixels() { return height() * width(); }

    /** Input {@code i} as C*H*W values (a view into the batch array: do not modify). */
    public float[] inputData() { return inputs.data(); }

    /** A copy of map {@code i} (H*W values). */
    public float[] map(int i) {
        float[] m = new float[pixels()];
        System.arraycopy(maps.data(), i * pixels(), m, 0, pixels());
        return m;
    }

    /** Inputs multiplied element-wise by {@code f(map)}, the map broadcast over channels. */
    Tensor masked(java.util.function.DoubleUnaryOperator f) {
        int c = channels(), hw = pixels();
        float[] x = inputs.data(), m = maps.data();
        float[] out = new float[x.length];
        for (int i = 0; i < size(); i++) {
            for (int p = 0; p < hw; p++) {
                float w = (float) f.applyAsDouble(m[i * hw + p]);
                for (int ch = 0; ch < c; ch++) {
                    int idx = (i * c + ch) * hw + p;
                    out[idx] = x[idx] * w;
                }
            }
        }
        return new Tensor(inputs.shape(), out);
    }
}
