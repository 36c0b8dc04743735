package dev.candela.tensor.simd;

/** Plain-Java kernels: the path without {@code jdk.incubator.vector}, and the reference for the vector one. */
final class ScalarFloatKernels implements FloatKernels {
    static final int LANES = 8;

    @Override public int lanes() { return LANES; }

    @Override public String describe() { return "scalar"; }

    @Override public void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] = Math.fma(a, x[xo + i], y[yo + i]);
    }

    @Override public void scaleShift(float[] x, int xo, float[] scale, float[] shift, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] = shift == null ? x[xo + i] * scale[i] : x[xo + i] * scale[i] + shift[i];
    }

    @Override public void addScalar(float[] y, int o, int n, float v) {
        for (int i = 0; i < n; i++) y[o + i] += v;
    }

    @Override public void addScalarInto(float[] x, int xo, float[] y, int yo, int n, float v) {
        for (int i = 0; i < n; i++) y[yo + i] = x[xo + i] + v;
    }

    @Override public void affine(float[] x, float[] y, int o, int n, float scale, float shift) {
        for (int i = 0; i < n; i++) y[o + i] = Math.fma(x[o + i], scale, shift);
    }

    @Override public void clamp(float[] x, float[] y, int o, int n, float lo, float hi) {
        for (int i = 0; i < n; i++) y[o + i] = Math.min(Math.max(x[o + i], lo), hi);
    }

    @Override public void relu(float[] x, float[] y, int o, int n) {
        for (int i = 0; i < n; i++) y[o + i] = x[o + i] > 0 || x[o + i] != x[o + i] ? x[o + i] : 0f; // NaN propagates
    }

    @Override public void leaky(float[] x, float[] y, int o, int n, float alpha) {
        for (int i = 0; i < n; i++) y[o + i] = x[o + i] >= 0 ? x[o + i] : alpha * x[o + i];
    }

    @Override public void passBetween(float[] g, float[] x, float[] gx, int o, int n, float lo, float hi) {
        for (int i = 0; i < n; i++) gx[o + i] = x[o + i] > lo && x[o + i] < hi ? g[o + i] : 0f;
    }

    @Override public void leakyGrad(float[] g, float[] x, float[] gx, int o, int n, float alpha) {
        for (int i = 0; i < n; i++) gx[o + i] = x[o + i] > 0 ? g[o + i] : alpha * g[o + i];
    }

    @Override public void add(float[] a, float[] b, float[] y, int o, int n) {
        for (int i = 0; i < n; i++) y[o + i] = a[o + i] + b[o + i];
    }

    @Override public float sum(float[] x, int o, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += x[o + i];
        return s;
    }

    @Override public float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s = Math.fma(a[ao + i], b[bo + i], s);
        return s;
    }

    @Override public void dot4(float[] w, int wo, float[] x, int x0, int x1, int x2, int x3, int n, float[] out, int o0, int o1, int o2, int o3) {
        float r0 = 0f, r1 = 0f, r2 = 0f, r3 = 0f;
        for (int i = 0; i < n; i++) {
            r0 = Math.fma(w[wo + i], x[x0 + i], r0);
            r1 = Math.fma(w[wo + i], x[x1 + i], r1);
            r2 = Math.fma(w[wo + i], x[x2 + i], r2);
            r3 = Math.fma(w[wo + i], x[x3 + i], r3);
        }
        out[o0] += r0;
        out[o1] += r1;
        out[o2] += r2;
        out[o3] += r3;
    }

    @Override public double dot(double[] a, int ao, double[] b, int bo, int n) {
        double s = 0;
        for (int k = 0; k < n; k++) s += a[ao + k] * b[bo + k];
        return s;
    }

    @Override public void copyPanelRow(float[] src, int s, float[] dst, int d) {
        System.arraycopy(src, s, dst, d, 2 * LANES);
    }

    @Override public void gemm(int rows, int mr, int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, boolean add) {
        int nr = 2 * LANES;
        float[] acc = new float[rows * nr];
        for (int k = 0; k < kc; k++, ao += mr, bo += nr)
            for (int r = 0; r < rows; r++) {
                float av = a[ao + r];
                for (int j = 0; j < nr; j++) acc[r * nr + j] = Math.fma(av, b[bo + j], acc[r * nr + j]);
            }
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < nr; j++) c[co + r * ldc + j] = add ? c[co + r * ldc + j] + acc[r * nr + j] : acc[r * nr + j];
    }
}
