package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.List;

/** y = min(max(x, min), max); ReLU6 is Clip(0, 6). */
public record Clip(float min, float max) implements Op {
    public Clip {
        Op.require(!(min > max), "Clip min " + min + " exceeds max " + max);
    }

    @Override public Shape outputShape(List<Shape> in) { return Op.only(in, -1, "Clip"); }
}
