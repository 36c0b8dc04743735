package dev.candela.graph;

/** Output-size arithmetic shared by the pooling ops (ONNX / PyTorch conventions). */
final class PoolGeometry {
    private PoolGeometry() {}

    static int out(int in, int k, int s, int padBegin, int padEnd, int d, boolean ceil) {
        // long arithmetic: pads or dilations near 2^31 must be refused, not wrap around
        long span = (long) in + padBegin + padEnd - (long) d * (k - 1) - 1;
        if (span < 0) return 0;
        long o = ceil ? (span + s - 1) / s + 1 : span / s + 1;
        // PyTorch/ONNX: the last window must start inside the input or the left padding.
        if (ceil && (o - 1) * s >= (long) in + padBegin) o--;
        return checked(o, in, padBegin, padEnd);
    }

    /** Convolution output size, (in + pads - d*(k-1) - 1) / s + 1, in checked arithmetic (0 or less: empty). */
    static int convOut(int in, int k, int s, int padBegin, int padEnd, int d) {
        long span = (long) in + padBegin + padEnd - (long) d * (k - 1) - 1;
        if (span < 0) return 0;
        return checked(span / s + 1, in, padBegin, padEnd);
    }

    /** Largest output side accepted; pads this large are an attack or a corrupt file, not a model. */
    static final int MAX_SIDE = 1 << 20;

    private static int checked(long o, int in, int padBegin, int padEnd) {
        if (o > MAX_SIDE || (long) padBegin + padEnd > MAX_SIDE) {
            throw new IllegalArgumentException("output side " + o + " (input " + in + ", pads " + padBegin + "+" + padEnd + ") exceeds " + MAX_SIDE);
        }
        return (int) o;
    }
}
