package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.List;

/**
 * Element-wise product of two activations with NumPy broadcasting (ONNX Mul): squeeze-and-excitation
 * gating x * s with s of shape [N, C, 1, 1], and any gating of one branch by another. Both inputs keep
 * the batch axis; ranks may differ (the shorter shape is padded with leading 1s) but the batch must match.
 *
 * @param divisor -1 for a product; 0 or 1 when that input is a reciprocal 1/b (ONNX Div of two activations,
 *                a / b = a * (1 / b)): relevance rules then hold the divisor constant, as the LN-rule holds
 *                a normaliser, and send all relevance to the numerator
 */
public record Mul(int divisor) implements Op {
    public Mul {
        Op.require(divisor >= -1 && divisor <= 1, "Mul divisor must be -1, 0 or 1, got " + divisor);
    }

    /** A plain product. */
    public Mul() { this(-1); }

    @Override public int arity() { return 2; }

    @Override public Shape outputShape(List<Shape> in) {
        Op.require(in.size() == 2, "Mul takes 2 inputs, got " + in.size());
        return broadcast(in.get(0), in.get(1));
    }

    /** NumPy broadcast of two shapes whose first (batch) axis is equal. */
    public static Shape broadcast(Shape a, Shape b) {
        Op.require(a.rank() == b.rank(), "Mul inputs must have equal rank (batch first), got " + a + " and " + b);
        Op.require(a.dim(0) == b.dim(0), "Mul inputs must have the same batch, got " + a + " and " + b);
        int[] d = new int[a.rank()];
        for (int i = 0; i < d.length; i++) {
            int x = a.dim(i), y = b.dim(i);
            Op.require(x == y || x == 1 || y == 1, "shapes " + a + " and " + b + " do not broadcast");
            d[i] = Math.max(x, y);
        }
        return Shape.of(d);
    }

    /** For each element of {@code out} (row-major), the index of the element of {@code in} it reads. */
    public static int[] sourceIndex(Shape in, Shape out) {
        int r = out.rank();
        int[] idx = new int[out.size()];
        int[] stride = new int[r];
        int s = 1;
        for (int i = r - 1; i >= 0; i--) {
            stride[i] = in.dim(i) == 1 ? 0 : s;
            s *= in.dim(i);
        }
        int[] pos = new int[r];
        int src = 0;
        for (int k = 0; k < idx.length; k++) {
            idx[k] = src;
            for (int i = r - 1; i >= 0; i--) {
                pos[i]++;
                src += stride[i];
                if (pos[i] < out.dim(i)) break;
                src -= stride[i] * pos[i];
                pos[i] = 0;
            }
        }
        return idx;
    }
}
