package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.List;

/**
 * Softmax. With {@code flattenFrom} (ONNX opset &lt; 13 semantics) the input is viewed as 2-D
 * [prod(dims before axis), prod(dims from axis)] and normalised over the second; otherwise over {@code axis} only.
 */
public record Softmax(int axis, boolean flattenFrom) implements Op {
    public Softmax {
        Op.require(axis >= 1, "Softmax over the batch axis is not supported (axis " + axis + ")");
    }

    @Override public Shape outputShape(List<Shape> in) {
        Shape s = Op.only(in, -1, "Softmax");
        Op.require(axis < s.rank(), "Softmax axis " + axis + " out of range for " + s);
        return s;
    }
}
