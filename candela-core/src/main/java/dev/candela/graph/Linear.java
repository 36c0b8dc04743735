package dev.candela.graph;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** y = x W^T + b with weight [out, in] (PyTorch layout), input [N, in]. */
public record Linear(Tensor weight, Tensor bias) implements Op {
    public Linear {
        Op.require(weight.rank() == 2, "Linear weight must be [out, in], got " + weight.shape());
        Op.require(bias.rank() == 1 && bias.dim(0) == weight.dim(0), "Linear bias must be [" + weight.dim(0) + "], got " + bias.shape());
    }

    public int inFeatures() { return weight.dim(1); }
    public int outFeatures() { return weight.dim(0); }

    @Override public Shape outputShape(List<Shape> in) {
        Shape s = Op.only(in, 2, "Linear");
        Op.require(s.dim(1) == inFeatures(), "Linear expects " + inFeatures() + " features, got " + s);
        return Shape.of(s.dim(0), outFeatures());
    }

    @Override public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("weight", weight); m.put("bias", bias);
        return m;
    }

    @Override public long multiplyAdds(List<Shape> in) { return (long) inFeatures() * outFeatures(); }
}
