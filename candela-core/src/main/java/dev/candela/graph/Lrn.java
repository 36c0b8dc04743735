package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.List;

/**
 * Local response normalisation across channels (ONNX LRN):
 * y = x / (bias + alpha/size * sum_{c' in window} x_{c'}^2)^beta, window = [c - floor((size-1)/2), c + ceil((size-1)/2)].
 */
public record Lrn(int size, float alpha, float beta, float bias) implements Op {
    public Lrn {
        Op.require(size >= 1, "LRN size must be >= 1");
    }

    @Override public Shape outputShape(List<Shape> in) { return Op.only(in, 4, "Lrn"); }
}
