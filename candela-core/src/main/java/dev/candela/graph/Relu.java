package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.List;

/** y = max(x, 0). */
public record Relu() implements Op {
    @Override public Shape outputShape(List<Shape> in) { return Op.only(in, -1, "Relu"); }
}
