package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.List;

/** Element-wise sum of two or more equally shaped inputs (ONNX Add and Sum; residual connections). */
public record Add() implements Op {
    @Override public int arity() { return -1; }

    @Override public Shape outputShape(List<Shape> in) {
        Op.require(in.size() >= 2, "Add takes 2 or more inputs, got " + in.size());
        for (Shape s : in) Op.require(s.equals(in.get(0)), "Add inputs must have equal shapes, got " + in);
        return in.get(0);
    }
}
