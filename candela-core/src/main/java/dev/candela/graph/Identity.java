package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.List;

/** y = x (ONNX Identity, and Dropout in inference). */
public record Identity() implements Op {
    @Override public Shape outputShape(List<Shape> in) { return Op.only(in, -1, "Identity"); }
}
