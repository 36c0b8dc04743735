package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/** Constant padding of the two spatial axes of an NCHW tensor: pads = {top, left, bottom, right} (ONNX Pad, mode constant). */
public record Pad2d(int[] pads, float value) implements Op {
    public Pad2d {
        Op.require(pads.length == 4, "Pad2d takes 4 pads (top, left, bottom, right), got " + Arrays.toString(pads));
        for (int p : pads) Op.require(p >= 0 && p <= 1 << 16, "Pad2d pads must be in 0..65536, got " + Arrays.toString(pads));
        Op.require(Float.isFinite(value), "Pad2d value must be finite, got " + value);
        pads = pads.clone();
    }

    @Override public int[] pads() { return pads.clone(); }

    @Override public Shape outputShape(List<Shape> in) {
        Shape s = Op.only(in, 4, "Pad2d");
        return Shape.of(s.dim(0), s.dim(1), s.dim(2) + pads[0] + pads[2], s.dim(3) + pads[1] + pads[3]);
    }

    @Override public boolean equals(Object o) { return o instanceof Pad2d p && Arrays.equals(pads, p.pads) && Float.compare(value, p.value) == 0; }
    @Override public int hashCode() { return Arrays.hashCode(pads) * 31 + Float.hashCode(value); }
    @Override public String toString() { return "Pad2d" + Arrays.toString(pads) + "=" + value; }
}
