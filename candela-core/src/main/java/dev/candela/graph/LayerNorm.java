package dev.candela.graph;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Layer normalisation over the last axis (ONNX LayerNormalization with axis -1, or PyTorch's exported
 * ReduceMean / Sub / Pow / ReduceMean / Add / Sqrt / Div [/ Mul / Add] chain, fused by the importer):
 * y = (x - mean(x)) / sqrt(var(x) + epsilon) * gamma + beta, var the biased variance, per row of the last axis.
 */
public record LayerNorm(Tensor gamma, Tensor beta, float epsilon) implements Op {
    public LayerNorm {
        Op.require(gamma.rank() == 1 && beta.rank() == 1 && gamma.dim(0) == beta.dim(0), "LayerNorm gamma and beta must be equal-length vectors, got " + gamma.shape() + ", " + beta.shape());
        Op.require(epsilon >= 0 && Float.isFinite(epsilon), "LayerNorm epsilon must be finite and >= 0, got " + epsilon);
    }

    public int features() { return gamma.dim(0); }

    @Override public Shape outputShape(List<Shape> in) {
        Shape s = Op.only(in, -1, "LayerNorm");
        Op.require(s.rank() >= 2 && s.dim(-1) == features(), "LayerNorm over " + features() + " features does not fit " + s);
        return s;
    }

    @Override public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("gamma", gamma); m.put("beta", beta);
        return m;
    }

    @Override public long multiplyAdds(List<Shape> in) { return 4L * in.get(0).itemSize(); }
}
