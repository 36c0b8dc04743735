package dev.candela.tensor.simd;

/**
 * The innermost loops of the engine, in one interface with two implementations: {@link ScalarFloatKernels}
 * (plain Java, always there) and {@code VectorFloatKernels} (the incubating Vector API). {@link KernelChoice}
 * picks one at start-up, as jvector's {@code VectorizationProvider} does, so no kernel call branches on it.
 *
 * <p>Contract shared by both: element-wise kernels give identical bits; the GEMM micro-kernel sums
 * each C element over k in the same order with fused multiply-adds, so GEMM results are identical
 * too; {@link #sum}, {@link #dot} and {@link #dot4} sum lane-wise partial sums then lanes in order, so
 * their bits depend on the lane count (within float rounding of each other).
 */
public interface FloatKernels {

    /** Floats per vector (the scalar kernels keep 8 so the GEMM tile shape is the same). */
    int lanes();

    /** The kernel in use, for benchmarks and traces. */
    String describe();

    /** y[yo..yo+n) += a * x[xo..xo+n) (fused multiply-add). */
    void axpy(float a, float[] x, int xo, float[] y, int yo, int n);

    /** y[yo+i] = x[xo+i] * scale[i] + shift[i] over i &lt; n (multiply, then add: no fused rounding); shift null: 0. */
    void scaleShift(float[] x, int xo, float[] scale, float[] shift, float[] y, int yo, int n);

    /** y[o..o+n) += v. */
    void addScalar(float[] y, int o, int n, float v);

    /** y[yo+i] = x[xo+i] + v over i &lt; n. */
    void addScalarInto(float[] x, int xo, float[] y, int yo, int n, float v);

    /** y[o+i] = x[o+i] * scale + shift over [o, o+n) (fused). */
    void affine(float[] x, float[] y, int o, int n, float scale, float shift);

    /** y[o+i] = min(max(x[o+i], lo), hi). NaN stays NaN. */
    void clamp(float[] x, float[] y, int o, int n, float lo, float hi);

    /** y = x &gt; 0 ? x : 0. */
    void relu(float[] x, float[] y, int o, int n);

    /** y = x &gt;= 0 ? x : alpha * x. */
    void leaky(float[] x, float[] y, int o, int n, float alpha);

    /** gx = lo &lt; x &lt; hi ? g : 0. */
    void passBetween(float[] g, float[] x, float[] gx, int o, int n, float lo, float hi);

    /** gx = x &gt; 0 ? g : alpha * g. */
    void leakyGrad(float[] g, float[] x, float[] gx, int o, int n, float alpha);

    /** y[o..o+n) = a[o..) + b[o..). */
    void add(float[] a, float[] b, float[] y, int o, int n);

    /** Sum of x[o..o+n). */
    float sum(float[] x, int o, int n);

    /** Dot product of a[ao..ao+n) and b[bo..bo+n). */
    float dot(float[] a, int ao, float[] b, int bo, int n);

    /** Four dot products of w[wo..wo+n) with x rows at x0..x3, added to out[o0..o3]. */
    void dot4(float[] w, int wo, float[] x, int x0, int x1, int x2, int x3, int n, float[] out, int o0, int o1, int o2, int o3);

    /** Dot product in double precision (the imputer's Cholesky factorisation). */
    double dot(double[] a, int ao, double[] b, int bo, int n);

    /** Copies 2 * lanes() contiguous floats (one packed GEMM panel row). */
    void copyPanelRow(float[] src, int s, float[] dst, int d);

    /**
     * GEMM micro-kernel: c[rows x 2*lanes()] (+)= a-panel · b-panel over kc steps, for rows = 14
     * (a full panel), 8 or 4 (its first rows); a is packed in panels of {@code mr} rows.
     */
    void gemm(int rows, int mr, int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, boolean add);
}
