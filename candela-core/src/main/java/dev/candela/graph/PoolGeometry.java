package dev.candela.graph;

/** Output-size arithmetic shared by the pooling ops (ONNX / PyTorch conventions). */
final class PoolGeometry {
    private PoolGeometry() {}

    static int out(int in, int k, int s, int padBegin, int padEnd, int d, boolean ceil) {
        int span = in + padBegin + padEnd - d * (k - 1) - 1;
        if (span < 0) return 0;
        int o = ceil ? (span + s - 1) / s + 1 : span / s + 1;
        // PyTorch/ONNX: the last window must start inside the input or the left padding.
        if (ceil && (o - 1) * s >= in + padBegin) o--;
        return o;
    }
}
