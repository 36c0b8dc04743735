package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.List;

/** Concatenation along a non-batch axis (usually channels, axis 1). */
public record Concat(int axis) implements Op {
    public Concat {
        Op.require(axis >= 1, "Concat axis must be >= 1 (batch axis cannot be concatenated), got " + axis);
    }

    @Override public int arity() { return -1; }

    @Override public Shape outputShape(List<Shape> in) {
        Op.require(in.size() >= 1, "Concat takes 1 or more inputs");
        Shape s0 = in.get(0);
        Op.require(axis < s0.rank(), "Concat axis " + axis + " out of range for " + s0);
        int total = 0;
        for (Shape s : in) {
            Op.require(s.rank() == s0.rank(), "Concat inputs must have equal rank, got " + in);
            for (int i = 0; i < s.rank(); i++) Op.require(i == axis || s.dim(i) == s0.dim(i), "Concat inputs differ off axis " + axis + ": " + in);
            total += s.dim(axis);
        }
        return s0.withDim(axis, total);
    }
}
