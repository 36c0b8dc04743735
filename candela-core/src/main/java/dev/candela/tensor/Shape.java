package dev.candela.tensor;

import java.util.Arrays;

/** An immutable tensor shape (row-major). */
public final class Shape {
    /** Upper bound on elements of any tensor we agree to allocate (2^31 - 1 floats is the array limit). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    public static Shape of(int... dims) {
        for (int d : dims) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
        }
        long n = product(dims);
        if (n > MAX_ELEMENTS) throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has " + n + " elements, more than " + MAX_ELEMENTS);
        return new Shape(dims.clone());
    }

    /** Product of dims with overflow saturating at Long.MAX_VALUE (used by validators before allocating). */
    public static long product(int... dims) {
        long n = 1;
        for (int d : dims) {
            if (d < 0) return -1;
            if (d != 0 && n > Long.MAX_VALUE / d) return Long.MAX_VALUE;
            n *= d;
        }
        return n;
    }

    public static Shape of(long[] dims) {
        int[] d = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) throw new IllegalArgumentException("dimension out of range: " + Arrays.toString(dims));
            d[i] = (int) dims[i];
        }
        return of(d);
    }

    public int rank() { return dims.length; }

    public int dim(int i) { return dims[i < 0 ? dims.length + i : i]; }

    public int[] dims() { return dims.clone(); }

    public int size() { return (int) product(dims); }

    /** Elements per item of the first axis (C*H*W for NCHW). */
    public int itemSize() {
        int n = 1;
        for (int i = 1; i < dims.length; i++) n *= dims[i];
        return n;
    }

    public Shape withDim(int axis, int value) {
        int[] d = dims.clone();
        d[axis] = value;
        return of(d);
    }

    @Override public boolean equals(Object o) { return o instanceof Shape s && Arrays.equals(dims, s.dims); }
    @Override public int hashCode() { return Arrays.hashCode(dims); }

    /** "1x3x224x224". */
    @Override public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) sb.append('x');
            sb.append(dims[i]);
        }
        return dims.length == 0 ? "scalar" : sb.toString();
    }

    public static Shape parse(String s) {
        String[] parts = s.trim().split("[xX,]");
        int[] d = new int[parts.length];
        for (int i = 0; i < parts.length; i++) d[i] = Integer.parseInt(parts[i].trim());
        return of(d);
    }
}
