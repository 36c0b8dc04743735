package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.List;

/**
 * Element-wise sum of two or more inputs (ONNX Add and Sum; residual connections), with NumPy broadcasting
 * of equal-rank shapes that share the batch axis (e.g. [N, C, H, W] + [N, C, 1, 1]).
 */
public record Add() implements Op {
    @Override public int arity() { return -1; }

    @Override public Shape outputShape(List<Shape> in) {
        Op.require(in.size() >= 2, "Add takes 2 or more inputs, got " + in.size());
        Shape out = in.get(0);
        for (Shape s : in.subList(1, in.size())) {
            Op.require(s.rank() == out.rank() && s.dim(0) == out.dim(0), "Add inputs must have equal rank and batch, got " + in);
            out = Mul.broadcast(out, s);
        }
        return out;
    }
}
