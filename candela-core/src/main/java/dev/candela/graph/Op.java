package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.List;

/**
 * The closed set of operators Candela executes. An op is immutable data: attributes plus its own
 * parameters (weights). Computation lives in {@code dev.candela.run.Kernels}; explanation rules switch
 * over this sealed set.
 */
public sealed interface Op permits Conv2d, BatchNorm2d, ChannelAffine, Relu, Clip, LeakyRelu, MaxPool2d,
        AvgPool2d, GlobalAvgPool, Flatten, Reshape, Linear, Add, Concat, Lrn, Transpose, Identity, Softmax,
        Pointwise, Mul, Slice, Pad2d, LayerNorm, Resize2d, ElementAffine, ConvTranspose2d {

    /** Output shape for the given input shapes (batch first); throws IllegalArgumentException when they do not fit. */
    Shape outputShape(List<Shape> inputs);

    /** Name of the op as written in model files and tables ("Conv2d", "Relu", ...). */
    default String kind() { return getClass().getSimpleName(); }

    /** Number of inputs the op takes; -1 for variadic. */
    default int arity() { return 1; }

    /** Named parameter tensors (for the .cnd tensor table and parameter counts). */
    default java.util.Map<String, dev.candela.tensor.Tensor> parameters() { return java.util.Map.of(); }

    /** Multiply-adds per batch item for the given input shapes (for inspect). */
    default long multiplyAdds(List<Shape> inputs) { return 0; }

    static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    static Shape only(List<Shape> in, int rank, String op) {
        require(in.size() == 1, op + " takes 1 input, got " + in.size());
        Shape s = in.get(0);
        require(rank < 0 || s.rank() == rank, op + " expects a rank-" + rank + " input, got " + s);
        return s;
    }
}
