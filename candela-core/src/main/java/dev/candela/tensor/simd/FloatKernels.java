package dev.candela.tensor.simd;

/**
 * The innermost loops of the engine, in one interface with two implementations: {@link ScalarFloatKernels}
 * (plain Java, always there) and {@code VectorFloatKernels} (the incubating Vector API). {@link KernelChoice}
 * picks one at start-up, as jvector's {@code VectorizationProvider} does, so no kernel call branches on it.
 *
 * <p>Contract shared by both: every kernel gives identical bits, whatever the vector width. Element-wise
 * kernels trivially; the GEMM micro-kernel sums each C element over k in the same order with fused
 * multiply-adds; {@link #sum} and {@link #dot} keep {@link #R} ({@link #DR} for doubles) partial sums (element i into partial
 * i mod R) whatever the hardware's lane count, then add the partials in order, then the tail. So a JVM
 * with the Vector API (a Spark executor: Spark's launcher adds {@code --add-modules jdk.incubator.vector})
 * and one without give the same maps.
 */
public interface FloatKernels {

    /** Partial sums of {@link #sum} and {@link #dot}: a constant, not the lane count, so their bits do not depend on it. */
    int R = 8;

    /** Partial sums of the double {@link #dot(double[], int, double[], int, int)}, likewise. */
    int DR = 4;

    /** Constants of {@link #sigmoid}'s exponential: log2(e), 1.5 * 2^23 (adding and subtracting it rounds to an integer), ln 2 in two parts, the polynomial. */
    float LOG2E = 1.44269504088896341f, ROUND = 12582912f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f, EXP_FLOOR = -87f;
    float E5 = 1.9875691500e-4f, E4 = 1.3981999507e-3f, E3 = 8.3334519073e-3f, E2 = 4.1665795894e-2f, E1 = 1.6666665459e-1f, E0 = 5.0000001201e-1f;

    /** Floats per vector (the scalar kernels keep 8 so the GEMM tile shape is the same). */
    int lanes();

    /** The kernel in use, for benchmarks and traces. */
    String describe();

    /** y[yo..yo+n) += a * x[xo..xo+n) (fused multiply-add). */
    void axpy(float a, float[] x, int xo, float[] y, int yo, int n);

    /** Channels per block of the channel-blocked layout ([..][16 channels]): fixed, whatever the lane count. */
    int BLOCK = 16;

    /**
     * For j &lt; count and c &lt; {@link #BLOCK}: acc[ao + j*BLOCK + c] = fma(w[wo + c], x[xo + j*xStride + c], acc[...]),
     * one tap of a depthwise convolution over an output row in the channel-blocked layout (one weight per channel).
     */
    void blockFma(float[] w, int wo, float[] x, int xo, int xStride, float[] acc, int ao, int count);

    /**
     * For j &lt; n: y[yo + j] = the chain of fused multiply-adds, from {@code start}, over taps t &lt; taps in order, of
     * w[wo + t] * x[xo + offsets[t] + j]: a depthwise plane over its flattened zero-padded (phase) plane, each output
     * kept in a register through all its taps (the same sums as one {@link #axpy} per tap, without the round trips).
     */
    void tapSum(float[] w, int wo, int[] offsets, int taps, float start, float[] x, int xo, float[] y, int yo, int n);

    /**
     * For j &lt; count and c &lt; {@link #BLOCK}: acc[ao + j*BLOCK + c] continued by the chain of fused multiply-adds over
     * taps t &lt; taps in order of w[wo + t*BLOCK + c] * x[xo + offsets[t] + j*xStride + c]: every tap of a depthwise
     * output row in the channel-blocked layout at once (the same sums as one {@link #blockFma} per tap).
     */
    void blockTapSum(float[] w, int wo, int[] offsets, int taps, float[] x, int xo, int xStride, float[] acc, int ao, int count);

    /** Output pixels of one {@link #blockedConv} strip: six for up to four blocks, or seven for up to three. */
    int STRIP = 6, ROW_STRIP = 7;

    /**
     * One strip of a direct convolution in the channel-blocked layout: for blocks j &lt; nb, pixels p &lt; pixels
     * ({@link #STRIP} with nb &lt;= 4 or {@link #ROW_STRIP} with nb &lt;= 3) and lanes l &lt; {@link #BLOCK}, the output y[yo[p] + j*yStride + l] is, from y's value
     * (add) or from 0, the chain of fused multiply-adds over k &lt; count, in that order, of
     * x[xo + p*BLOCK + offsets[k]] * w[wo + (k*nb + j)*BLOCK + l]: offsets[k] says where input channel k of the
     * strip's (input block, tap, channel) sequence lies. Each output's chain is the same whatever the lane count.
     */
    void blockedConv(int nb, int pixels, float[] x, int xo, int[] offsets, int count, float[] w, int wo,
                     float[] y, int[] yo, int yStride, boolean add);

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

    /**
     * {@link #affine} then {@link #clamp} in place, in one pass (a convolution's BatchNorm and ReLU6 on an output
     * block in cache); returns {@link #allFinite} of the affine values. The same bits as the two passes.
     */
    boolean affineClamp(float[] y, int o, int n, float scale, float shift, float lo, float hi);

    /** {@link #affine} then {@link #relu} in place, in one pass; returns {@link #allFinite} of the affine values. */
    boolean affineRelu(float[] y, int o, int n, float scale, float shift);

    /**
     * y = 1 / (1 + exp(-x)), from exp(-|x|) (1/(1+e) for x &gt;= 0, e/(1+e) below), the exponential by
     * Cody-Waite reduction and Cephes' degree-5 polynomial in fused multiply-adds, scaled by 2^k through the
     * exponent bits: the same operations in both kernels, so the same bits. About 2 ulp; exp(-|x|) is held at
     * exp(-87) or above (a normal float), so sigmoid(-100) is 1.6e-38 instead of 3.7e-44.
     */
    void sigmoid(float[] x, float[] y, int o, int n);

    /** y = x * sigmoid(x), with {@link #sigmoid}'s sigmoid. */
    void silu(float[] x, float[] y, int o, int n);

    /** y = x &gt; 0 ? x : 0. */
    void relu(float[] x, float[] y, int o, int n);

    /** y = x &gt;= 0 ? x : alpha * x. */
    void leaky(float[] x, float[] y, int o, int n, float alpha);

    /** gx = lo &lt; x &lt; hi ? g : 0. */
    void passBetween(float[] g, float[] x, float[] gx, int o, int n, float lo, float hi);

    /** gx = x &gt; 0 ? g : alpha * g. */
    void leakyGrad(float[] g, float[] x, float[] gx, int o, int n, float alpha);

    /** y[yo+i] = Math.max(y[yo+i], x[xo+i]) over i &lt; n (NaN wins; +0 above -0). */
    void maxInto(float[] x, int xo, float[] y, int yo, int n);

    /**
     * y[yo+i] = x[xo+i] &gt; y[yo+i] || x[xo+i] is NaN ? x[xo+i] : y[yo+i]: a later tap replaces the maximum
     * so far only when greater or NaN, so of equal values (+0 and -0) the first stays, as the reference pools.
     */
    void laterMaxInto(float[] x, int xo, float[] y, int yo, int n);

    /** y[o..o+n) = a[o..) + b[o..). */
    void add(float[] a, float[] b, float[] y, int o, int n);

    /**
     * True when x[o..o+n) holds no NaN and no infinity. Checked as x * 0 == 0 (NaN for both), in several
     * independent sums so it is not one long chain of dependent adds.
     */
    boolean allFinite(float[] x, int o, int n);

    /** Sum of x[o..o+n). */
    float sum(float[] x, int o, int n);

    /** Dot product of a[ao..ao+n) and b[bo..bo+n). */
    float dot(float[] a, int ao, float[] b, int bo, int n);

    /** Dot product in double precision (the imputer's Cholesky factorisation). */
    double dot(double[] a, int ao, double[] b, int bo, int n);

    /** Copies 2 * lanes() contiguous floats (one packed GEMM panel row). */
    void copyPanelRow(float[] src, int s, float[] dst, int d);

    /**
     * Rows of the GEMM register tile (its columns are 2 * lanes()): as many as the accumulators, the two B vectors
     * and a broadcast leave registers for. Results do not depend on it (each sum's order depends on the depth only).
     */
    int gemmRows();

    /**
     * GEMM micro-kernel: c[rows x 2*lanes()] (+)= a-panel · b-panel over kc steps, for rows = {@link #gemmRows}
     * (a full panel), 8 or 4 (its first rows); a is packed in panels of {@code mr} rows.
     */
    void gemm(int rows, int mr, int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, boolean add);
}
