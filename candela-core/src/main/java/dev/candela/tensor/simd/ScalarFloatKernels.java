package dev.candela.tensor.simd;

/** Plain-Java kernels: the path without {@code jdk.incubator.vector}, and the reference for the vector one. */
final class ScalarFloatKernels implements FloatKernels {
    static final int LANES = 8;

    @Override public int lanes() { return LANES; }

    @Override public String describe() { return "scalar"; }

    @Override public int gemmRows() { return 14; }

    @Override public void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] = Math.fma(a, x[xo + i], y[yo + i]);
    }

    @Override public void blockFma(float[] w, int wo, float[] x, int xo, int xStride, float[] acc, int ao, int count) {
        for (int j = 0; j < count; j++, xo += xStride, ao += BLOCK)
            for (int c = 0; c < BLOCK; c++) acc[ao + c] = Math.fma(w[wo + c], x[xo + c], acc[ao + c]);
    }

    @Override public void tapSum(float[] w, int wo, int[] offsets, int taps, float start, float[] x, int xo, float[] y, int yo, int n) {
        for (int j = 0; j < n; j++) {
            float s = start;
            for (int t = 0; t < taps; t++) s = Math.fma(w[wo + t], x[xo + offsets[t] + j], s);
            y[yo + j] = s;
        }
    }

    @Override public void blockTapSum(float[] w, int wo, int[] offsets, int taps, float[] x, int xo, int xStride, float[] acc, int ao, int count) {
        for (int j = 0; j < count; j++, xo += xStride, ao += BLOCK)
            for (int c = 0; c < BLOCK; c++) {
                float s = acc[ao + c];
                for (int t = 0; t < taps; t++) s = Math.fma(w[wo + t * BLOCK + c], x[xo + offsets[t] + c], s);
                acc[ao + c] = s;
            }
    }

    @Override public void blockedConv(int nb, int pixels, float[] x, int xo, int[] offsets, int count, float[] w, int wo,
                                      float[] y, int[] yo, int yStride, boolean add) {
        int row = nb * BLOCK;
        for (int j = 0; j < nb; j++)
            for (int p = 0; p < pixels; p++)
                for (int l = 0; l < BLOCK; l++) {
                    int at = yo[p] + j * yStride + l, xi = xo + p * BLOCK, wi = wo + j * BLOCK + l;
                    float acc = add ? y[at] : 0f;
                    for (int k = 0; k < count; k++, wi += row) acc = Math.fma(x[xi + offsets[k]], w[wi], acc);
                    y[at] = acc;
                }
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

    @Override public boolean affineClamp(float[] y, int o, int n, float scale, float shift, float lo, float hi) {
        float t = 0f;
        for (int i = 0; i < n; i++) {
            float v = Math.fma(y[o + i], scale, shift);
            t += v * 0f;
            y[o + i] = Math.min(Math.max(v, lo), hi);
        }
        return t == 0f;
    }

    @Override public boolean affineRelu(float[] y, int o, int n, float scale, float shift) {
        float t = 0f;
        for (int i = 0; i < n; i++) {
            float v = Math.fma(y[o + i], scale, shift);
            t += v * 0f;
            y[o + i] = v > 0 || v != v ? v : 0f; // NaN propagates
        }
        return t == 0f;
    }

    @Override public boolean allFinite(float[] x, int o, int n) {
        float a = 0f, b = 0f, c = 0f, d = 0f;
        int i = 0;
        for (; i <= n - 4; i += 4) {
            a += x[o + i] * 0f;
            b += x[o + i + 1] * 0f;
            c += x[o + i + 2] * 0f;
            d += x[o + i + 3] * 0f;
        }
        for (; i < n; i++) a += x[o + i] * 0f;
        return a + b + c + d == 0f;
    }

    @Override public void maxInto(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] = Math.max(y[yo + i], x[xo + i]);
    }

    @Override public void laterMaxInto(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            if (v > y[yo + i] || v != v) y[yo + i] = v;
        }
    }

    /** exp(t) for t &lt;= 0, held at exp(-87): see {@link FloatKernels#sigmoid}. */
    static float expNonPositive(float t) {
        t = Math.max(t, EXP_FLOOR);
        float k = t * LOG2E + ROUND - ROUND;
        float r = Math.fma(k, -LN2_HI, t);
        r = Math.fma(k, -LN2_LO, r);
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(E5, r, E4), r, E3), r, E2), r, E1), r, E0);
        float e = Math.fma(p, r * r, r) + 1f;
        return e * Float.intBitsToFloat(((int) k + 127) << 23);
    }

    static float sigmoid(float v) {
        float e = expNonPositive(-Math.abs(v)), d = 1f + e;
        return v >= 0 ? 1f / d : e / d;
    }

    @Override public void sigmoid(float[] x, float[] y, int o, int n) {
        for (int i = 0; i < n; i++) y[o + i] = sigmoid(x[o + i]);
    }

    @Override public void silu(float[] x, float[] y, int o, int n) {
        for (int i = 0; i < n; i++) y[o + i] = x[o + i] * sigmoid(x[o + i]);
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
        // Eight partial sums (element i into partial i mod 8), then the partials in order, then the tail:
        // the Vector API kernels' order for any vector width, so both give the same bits.
        float s = 0f;
        int i = 0;
        if (n >= R) {
            float[] p = new float[R];
            for (; i <= n - R; i += R)
                for (int l = 0; l < R; l++) p[l] += x[o + i + l];
            for (float v : p) s += v;
        }
        for (; i < n; i++) s += x[o + i];
        return s;
    }

    @Override public float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s = 0f;
        int i = 0;
        if (n >= R) {
            float[] p = new float[R];
            for (; i <= n - R; i += R)
                for (int l = 0; l < R; l++) p[l] = Math.fma(a[ao + i + l], b[bo + i + l], p[l]);
            for (float v : p) s += v;
        }
        for (; i < n; i++) s = Math.fma(a[ao + i], b[bo + i], s);
        return s;
    }

    @Override public double dot(double[] a, int ao, double[] b, int bo, int n) {
        double s = 0;
        int k = 0;
        if (n >= DR) {
            double[] p = new double[DR];
            for (; k <= n - DR; k += DR)
                for (int l = 0; l < DR; l++) p[l] = Math.fma(a[ao + k + l], b[bo + k + l], p[l]);
            for (double v : p) s += v;
        }
        for (; k < n; k++) s = Math.fma(a[ao + k], b[bo + k], s);
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
