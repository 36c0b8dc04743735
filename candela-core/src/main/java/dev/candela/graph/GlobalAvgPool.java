package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.List;

/** Mean over H and W: [N,C,H,W] -> [N,C,1,1]. */
public record GlobalAvgPool() implements Op {
    @Override public Shape outputShape(List<Shape> in) {
        Shape s = Op.only(in, 4, "GlobalAvgPool");
        return Shape.of(s.dim(0), s.dim(1), 1, 1);
    }
}
