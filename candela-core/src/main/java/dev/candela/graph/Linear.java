package dev.candela.graph;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** y = x W^T + b with weight [out, in] (PyTorch layout), input [N, in] or [N, ..., in] (applied along the last axis, as ONNX MatMul). */
public record Linear(Tensor weight, Tensor bias) implements Op {
    public Linear {
        Op.require(weight.rank() == 2, "Linear weight must be [out, in], got " + weight.shape());
        Op.require(bias.rank() == 1 && bias.dim(0) == weight.dim(0), "Linear bias must be [" + weight.dim(0) + "], got " + bias.shape());
    }

    public int inFeatures() { return weight.dim(1); }
    public int outFeatures() { return weight.dim(0); }

    @Override public Shape outputShape(List<Shape> in) {
        Shape s = Op.only(in, -1, "Linear");
        Op.require(s.rank() >= 2 && s.dim(-1) == inFeatures(), "Linear expects " + inFeatures() + " features on the last axis, got " + s);
        return s.withDim(s.rank() - 1, outFeatures());
    }

    @Override public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("weight", weight); m.put("bias", bias);
        return m;
    }

    @Override public long multiplyAdds(List<Shape> in) { return (long) inFeatures() * outFeatures() * (in.get(0).itemSize() / inFeatures()); }

    /** The input seen as [rows, in] (rows = every position of the leading axes). */
    public static Tensor rows(Tensor x, int features) { return x.rank() == 2 ? x : x.reshape(x.size() / features, features); }
}
