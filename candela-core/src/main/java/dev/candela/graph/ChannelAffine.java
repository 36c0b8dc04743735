package dev.candela.graph;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** y = x * scale[c] + shift[c] per channel: what constant Mul/Add chains (Inception v2, DenseNet) fold into. */
public record ChannelAffine(Tensor scale, Tensor shift) implements Op {
    public ChannelAffine {
        Op.require(scale.rank() == 1 && shift.shape().equals(scale.shape()), "ChannelAffine scale and shift must both be [C]");
    }

    public int channels() { return scale.size(); }

    @Override public Shape outputShape(List<Shape> in) {
        Shape s = Op.only(in, -1, "ChannelAffine");
        Op.require(s.rank() >= 2 && s.dim(1) == channels(), "ChannelAffine expects " + channels() + " channels, got " + s);
        return s;
    }

    @Override public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("scale", scale); m.put("shift", shift);
        return m;
    }

    @Override public long multiplyAdds(List<Shape> in) { return in.get(0).itemSize(); }
}
