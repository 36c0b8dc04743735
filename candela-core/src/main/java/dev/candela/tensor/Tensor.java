package dev.candela.tensor;

import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * A dense float32 tensor, row-major (NCHW for images). The data array is exposed so kernels can read
 * it directly; by convention a tensor is not modified after it has been handed to someone else.
 */
public final class Tensor {
    private final Shape shape;
    private final float[] data;

    public Tensor(Shape shape, float[] data) {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("data length " + data.length + " does not match shape " + shape);
        }
        this.shape = shape;
        this.data = data;
    }

    public static Tensor zeros(Shape shape) { return new Tensor(shape, new float[shape.size()]); }

    public static Tensor zeros(int... dims) { return zeros(Shape.of(dims)); }

    public static Tensor of(float[] data, int... dims) { return new Tensor(Shape.of(dims), data); }

    public static Tensor full(Shape shape, float v) {
        float[] d = new float[shape.size()];
        Arrays.fill(d, v);
        return new Tensor(shape, d);
    }

    public Shape shape() { return shape; }

    public float[] data() { return data; }

    public int size() { return data.length; }

    public int dim(int i) { return shape.dim(i); }

    public int rank() { return shape.rank(); }

    public Tensor reshape(Shape s) { return new Tensor(s, data); }

    public Tensor reshape(int... dims) { return reshape(Shape.of(dims)); }

    public Tensor copy() { return new Tensor(shape, data.clone()); }

    /** Item {@code n} of the first axis, as a tensor of rank-1 without that axis (a copy). */
    public Tensor item(int n) {
        int[] d = shape.dims();
        int[] rest = Arrays.copyOfRange(d, 1, d.length);
        int sz = shape.itemSize();
        return new Tensor(Shape.of(rest), Arrays.copyOfRange(data, n * sz, (n + 1) * sz));
    }

    /** Stacks equally shaped tensors on a new first axis. */
    public static Tensor stack(java.util.List<Tensor> items) {
        Shape s = items.get(0).shape;
        int[] d = new int[s.rank() + 1];
        d[0] = items.size();
        System.arraycopy(s.dims(), 0, d, 1, s.rank());
        float[] out = new float[items.size() * s.size()];
        for (int i = 0; i < items.size(); i++) {
            if (!items.get(i).shape.equals(s)) throw new IllegalArgumentException("cannot stack " + s + " with " + items.get(i).shape);
            System.arraycopy(items.get(i).data, 0, out, i * s.size(), s.size());
        }
        return new Tensor(Shape.of(d), out);
    }

    /** Concatenates tensors along the first axis (batches). */
    public static Tensor concatBatch(java.util.List<Tensor> parts) {
        int n = 0;
        Shape s0 = parts.get(0).shape;
        for (Tensor t : parts) {
            if (t.rank() != s0.rank() || t.shape.itemSize() != s0.itemSize()) throw new IllegalArgumentException("cannot concatenate " + s0 + " with " + t.shape);
            n += t.dim(0);
        }
        float[] out = new float[n * s0.itemSize()];
        int off = 0;
        for (Tensor t : parts) {
            System.arraycopy(t.data, 0, out, off, t.data.length);
            off += t.data.length;
        }
        return new Tensor(s0.withDim(0, n), out);
    }

    /** Items [from, to) of the first axis (a copy). */
    public Tensor slice(int from, int to) {
        int sz = shape.itemSize();
        return new Tensor(shape.withDim(0, to - from), Arrays.copyOfRange(data, from * sz, to * sz));
    }

    public float get(int... idx) {
        return data[offset(idx)];
    }

    public int offset(int... idx) {
        if (idx.length != shape.rank()) throw new IllegalArgumentException("index rank " + idx.length + " for shape " + shape);
        int off = 0;
        for (int i = 0; i < idx.length; i++) off = off * shape.dim(i) + idx[i];
        return off;
    }

    public double sum() {
        double s = 0;
        for (float v : data) s += v;
        return s;
    }

    public float min() {
        float m = Float.POSITIVE_INFINITY;
        for (float v : data) m = Math.min(m, v);
        return m;
    }

    public float max() {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : data) m = Math.max(m, v);
        return m;
    }

    /** CRC32 of the little-endian float bits: a checksum of the exact values for traces. */
    public long checksum() {
        CRC32 crc = new CRC32();
        byte[] b = new byte[4 * Math.min(data.length, 1 << 16)];
        int i = 0;
        while (i < data.length) {
            int n = Math.min(data.length - i, b.length / 4);
            for (int j = 0; j < n; j++) {
                int bits = Float.floatToRawIntBits(data[i + j]);
                b[4 * j] = (byte) bits;
                b[4 * j + 1] = (byte) (bits >>> 8);
                b[4 * j + 2] = (byte) (bits >>> 16);
                b[4 * j + 3] = (byte) (bits >>> 24);
            }
            crc.update(b, 0, 4 * n);
            i += n;
        }
        return crc.getValue();
    }

    @Override public String toString() { return "Tensor[" + shape + "]"; }
}
