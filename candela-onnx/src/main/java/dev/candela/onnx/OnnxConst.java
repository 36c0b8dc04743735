package dev.candela.onnx;

import dev.candela.format.ImportOptions;
import dev.candela.format.ModelFormatException;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.Arrays;

/**
 * A constant known at import time (initializer, Constant node or folded subgraph): float values for
 * float/double/half tensors, long values for integer and boolean tensors (shapes, axes).
 */
record OnnxConst(int[] dims, float[] floats, long[] longs) {
    /** Largest constant the importer will materialise (1 GiB of floats): bigger claims are corrupt files. */
    static final long MAX_ELEMENTS = 1L << 28;

    static OnnxConst ofFloats(int[] dims, float[] v) { return new OnnxConst(dims, v, null); }

    static OnnxConst ofLongs(int[] dims, long[] v) { return new OnnxConst(dims, null, v); }

    boolean isFloat() { return floats != null; }

    int size() { return isFloat() ? floats.length : longs.length; }

    int rank() { return dims.length; }

    double get(int i) { return isFloat() ? floats[i] : longs[i]; }

    float[] asFloats() {
        if (isFloat()) return floats;
        float[] f = new float[longs.length];
        for (int i = 0; i < f.length; i++) f[i] = longs[i];
        return f;
    }

    long[] asLongs() {
        if (!isFloat()) return longs;
        long[] l = new long[floats.length];
        for (int i = 0; i < l.length; i++) l[i] = (long) floats[i];
        return l;
    }

    Tensor tensor() { return new Tensor(Shape.of(dims), asFloats()); }

    OnnxConst reshape(int[] d) {
        return isFloat() ? ofFloats(d, floats) : ofLongs(d, longs);
    }

    @Override public String toString() { return "const" + Arrays.toString(dims); }
}
