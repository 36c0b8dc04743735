package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.List;

/** [N, d1, d2, ...] -> [N, d1*d2*...] (ONNX Flatten with axis 1). */
public record Flatten() implements Op {
    @Override public Shape outputShape(List<Shape> in) {
        Shape s = Op.only(in, -1, "Flatten");
        Op.require(s.rank() >= 1, "Flatten needs a batch axis");
        return Shape.of(s.dim(0), s.itemSize());
    }
}
