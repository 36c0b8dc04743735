package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.List;

/**
 * Max pooling; padded positions never win. Ties go to the first maximum in row-major window order
 * (PyTorch's index rule). {@code pads} = {top, left, bottom, right}.
 */
public record MaxPool2d(int[] kernel, int[] strides, int[] pads, int[] dilations, boolean ceilMode) implements Op {
    public MaxPool2d {
        Op.require(kernel.length == 2 && kernel[0] >= 1 && kernel[1] >= 1, "MaxPool2d kernel must be 2 positive ints");
        Op.require(strides.length == 2 && strides[0] >= 1 && strides[1] >= 1, "MaxPool2d strides must be 2 positive ints");
        Op.require(pads.length == 4 && pads[0] >= 0 && pads[1] >= 0 && pads[2] >= 0 && pads[3] >= 0, "MaxPool2d pads must be 4 non-negative ints");
        Op.require(dilations.length == 2 && dilations[0] >= 1 && dilations[1] >= 1, "MaxPool2d dilations must be 2 positive ints");
    }

    public int outH(int h) { return PoolGeometry.out(h, kernel[0], strides[0], pads[0], pads[2], dilations[0], ceilMode); }
    public int outW(int w) { return PoolGeometry.out(w, kernel[1], strides[1], pads[1], pads[3], dilations[1], ceilMode); }

    @Override public Shape outputShape(List<Shape> in) {
        Shape s = Op.only(in, 4, "MaxPool2d");
        int oh = outH(s.dim(2)), ow = outW(s.dim(3));
        Op.require(oh >= 1 && ow >= 1, "MaxPool2d output would be empty for input " + s);
        return Shape.of(s.dim(0), s.dim(1), oh, ow);
    }
}
