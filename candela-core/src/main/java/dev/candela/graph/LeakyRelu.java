package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.List;

/** y = x for x >= 0, alpha * x otherwise. */
public record LeakyRelu(float alpha) implements Op {
    public LeakyRelu {
        Op.require(Float.isFinite(alpha), "LeakyRelu alpha must be finite");
    }

    @Override public Shape outputShape(List<Shape> in) { return Op.only(in, -1, "LeakyRelu"); }
}
