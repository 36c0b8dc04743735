package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.List;

/** The elements start..end-1 (step 1) along one non-batch axis (ONNX Slice with constant bounds; ShuffleNet's channel split). */
public record Slice(int axis, int start, int end) implements Op {
    public Slice {
        Op.require(axis >= 1, "Slice axis must not be the batch axis, got " + axis);
        Op.require(start >= 0 && end > start, "Slice bounds must satisfy 0 <= start < end, got " + start + ".." + end);
    }

    @Override public Shape outputShape(List<Shape> in) {
        Shape s = Op.only(in, -1, "Slice");
        Op.require(axis < s.rank() && end <= s.dim(axis), "Slice " + start + ".." + end + " on axis " + axis + " does not fit " + s);
        return s.withDim(axis, end - start);
    }
}
