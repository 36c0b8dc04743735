package dev.candela.graph;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * y = x * scale + shift element by element, with scale and shift shaped like one item of the input: an
 * ONNX Add, Sub, Mul or Div by a constant that is not per-channel (a [W] row, an [H, W] plane, a full
 * [C, H, W] tensor), broadcast at import. Per-channel constants become {@link ChannelAffine}.
 */
public record ElementAffine(Tensor scale, Tensor shift) implements Op {
    public ElementAffine {
        Op.require(scale.shape().equals(shift.shape()), "ElementAffine scale and shift must have one shape, got " + scale.shape() + " and " + shift.shape());
    }

    @Override public Shape outputShape(List<Shape> in) {
        Shape s = Op.only(in, -1, "ElementAffine");
        Op.require(s.rank() == scale.rank() + 1, "ElementAffine of item shape " + scale.shape() + " expects rank " + (scale.rank() + 1) + ", got " + s);
        for (int i = 0; i < scale.rank(); i++) {
            Op.require(s.dim(i + 1) == scale.dim(i), "ElementAffine of item shape " + scale.shape() + " does not fit input " + s);
        }
        return s;
    }

    @Override public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("scale", scale); m.put("shift", shift);
        return m;
    }

    @Override public long multiplyAdds(List<Shape> in) { return in.get(0).itemSize(); }
}
