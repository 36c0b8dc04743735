package dev.candela.graph;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Batch normalisation in inference mode: y = (x - mean) / sqrt(var + eps) * gamma + beta, per channel. */
public record BatchNorm2d(Tensor gamma, Tensor beta, Tensor mean, Tensor var, float epsilon) implements Op {
    public BatchNorm2d {
        int c = gamma.size();
        Op.require(gamma.rank() == 1 && beta.shape().equals(gamma.shape()) && mean.shape().equals(gamma.shape()) && var.shape().equals(gamma.shape()),
                "BatchNorm2d gamma, beta, mean and var must all be [" + c + "]");
        Op.require(epsilon >= 0 && Float.isFinite(epsilon), "BatchNorm2d epsilon must be finite and >= 0");
    }

    public int channels() { return gamma.size(); }

    /** Per-channel scale gamma / sqrt(var + eps), computed in double then rounded (as the kernels use it). */
    public float[] scale() {
        float[] s = new float[channels()];
        for (int c = 0; c < s.length; c++) s[c] = (float) (gamma.data()[c] / Math.sqrt((double) var.data()[c] + epsilon));
        return s;
    }

    /** Per-channel shift beta - mean * scale. */
    public float[] shift() {
        float[] s = scale();
        float[] b = new float[channels()];
        for (int c = 0; c < b.length; c++) b[c] = (float) (beta.data()[c] - (double) mean.data()[c] * s[c]);
        return b;
    }

    @Override public Shape outputShape(List<Shape> in) {
        Shape s = Op.only(in, -1, "BatchNorm2d");
        Op.require(s.rank() >= 2 && s.dim(1) == channels(), "BatchNorm2d expects " + channels() + " channels, got " + s);
        return s;
    }

    @Override public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("gamma", gamma); m.put("beta", beta); m.put("mean", mean); m.put("var", var);
        return m;
    }

    @Override public long multiplyAdds(List<Shape> in) { return in.get(0).itemSize(); }
}
