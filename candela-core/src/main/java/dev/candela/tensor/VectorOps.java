package dev.candela.tensor;

import dev.candela.tensor.simd.FloatKernels;
import dev.candela.tensor.simd.KernelChoice;

/**
 * Element-wise and reduction kernels over float ranges, through the {@link FloatKernels} chosen once at
 * start-up (Vector API or scalar). Each works on one contiguous range; callers split work into ranges.
 * Reductions sum lanes in a fixed order, so a range always gives the same bits.
 */
public final class VectorOps {
    private VectorOps() {}

    private static final FloatKernels K = KernelChoice.KERNELS;

    /** y[yo..yo+n) += a * x[xo..xo+n) (fused multiply-add). */
    public static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) { K.axpy(a, x, xo, y, yo, n); }

    /** Channels per block of {@link #blockFma}'s layout. */
    public static final int BLOCK = FloatKernels.BLOCK;

    /** @see FloatKernels#blockFma */
    public static void blockFma(float[] w, int wo, float[] x, int xo, int xStride, float[] acc, int ao, int count) { K.blockFma(w, wo, x, xo, xStride, acc, ao, count); }

    /** @see FloatKernels#tapSum */
    public static void tapSum(float[] w, int wo, int[] offsets, int taps, float start, float[] x, int xo, float[] y, int yo, int n) { K.tapSum(w, wo, offsets, taps, start, x, xo, y, yo, n); }

    /** @see FloatKernels#blockTapSum */
    public static void blockTapSum(float[] w, int wo, int[] offsets, int taps, float[] x, int xo, int xStride, float[] acc, int ao, int count) { K.blockTapSum(w, wo, offsets, taps, x, xo, xStride, acc, ao, count); }

    /** y[o..o+n) += v. */
    public static void addScalar(float[] y, int o, int n, float v) { K.addScalar(y, o, n, v); }

    /** y[yo+i] = x[xo+i] * scale[i] + shift[i] over i &lt; n; shift null: 0. */
    public static void scaleShift(float[] x, int xo, float[] scale, float[] shift, float[] y, int yo, int n) { K.scaleShift(x, xo, scale, shift, y, yo, n); }

    /** y[yo+i] = x[xo+i] + v over i &lt; n. */
    public static void addScalarInto(float[] x, int xo, float[] y, int yo, int n, float v) { K.addScalarInto(x, xo, y, yo, n, v); }

    /** y[o+i] = x[o+i] * scale + shift over [o, o+n). */
    public static void affine(float[] x, float[] y, int o, int n, float scale, float shift) { K.affine(x, y, o, n, scale, shift); }

    /** y[o+i] = min(max(x[o+i], lo), hi); ReLU is lo = 0, hi = +inf. NaN stays NaN. */
    public static void clamp(float[] x, float[] y, int o, int n, float lo, float hi) { K.clamp(x, y, o, n, lo, hi); }

    /** y = clamp(y * scale + shift, lo, hi) in one pass; true when every y * scale + shift was finite. */
    public static boolean affineClamp(float[] y, int o, int n, float scale, float shift, float lo, float hi) { return K.affineClamp(y, o, n, scale, shift, lo, hi); }

    /** y = relu(y * scale + shift) in one pass; true when every y * scale + shift was finite. */
    public static boolean affineRelu(float[] y, int o, int n, float scale, float shift) { return K.affineRelu(y, o, n, scale, shift); }

    /** y = x &gt; 0 ? x : 0. */
    public static void relu(float[] x, float[] y, int o, int n) { K.relu(x, y, o, n); }

    /** y[yo+i] = Math.max(y[yo+i], x[xo+i]) over i &lt; n. */
    public static void maxInto(float[] x, int xo, float[] y, int yo, int n) { K.maxInto(x, xo, y, yo, n); }

    /** y[yo+i] = x[xo+i] if greater or NaN, else unchanged: see {@link FloatKernels#laterMaxInto}. */
    public static void laterMaxInto(float[] x, int xo, float[] y, int yo, int n) { K.laterMaxInto(x, xo, y, yo, n); }

    /** y = sigmoid(x) over [o, o+n): see {@link FloatKernels#sigmoid}. */
    public static void sigmoid(float[] x, float[] y, int o, int n) { K.sigmoid(x, y, o, n); }

    /** y = x * sigmoid(x) over [o, o+n). */
    public static void silu(float[] x, float[] y, int o, int n) { K.silu(x, y, o, n); }

    /** True when x[o..o+n) holds no NaN and no infinity. */
    public static boolean allFinite(float[] x, int o, int n) { return K.allFinite(x, o, n); }

    /** y = x &gt;= 0 ? x : alpha * x. */
    public static void leaky(float[] x, float[] y, int o, int n, float alpha) { K.leaky(x, y, o, n, alpha); }

    /** gx = lo &lt; x &lt; hi ? g : 0 (ReLU's gradient is lo = 0, hi = +inf). */
    public static void passBetween(float[] g, float[] x, float[] gx, int o, int n, float lo, float hi) { K.passBetween(g, x, gx, o, n, lo, hi); }

    /** gx = x &gt; 0 ? g : alpha * g. */
    public static void leakyGrad(float[] g, float[] x, float[] gx, int o, int n, float alpha) { K.leakyGrad(g, x, gx, o, n, alpha); }

    /** y[o..o+n) = a[o..) + b[o..). */
    public static void add(float[] a, float[] b, float[] y, int o, int n) { K.add(a, b, y, o, n); }

    /** Sum of x[o..o+n): {@link dev.candela.tensor.simd.FloatKernels#R} partial sums, then the partials in order, then the tail (the same bits with or without the Vector API). */
    public static float sum(float[] x, int o, int n) { return K.sum(x, o, n); }

    /** Dot product of a[ao..ao+n) and b[bo..bo+n), in {@link #sum}'s order (fused multiply-adds). */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) { return K.dot(a, ao, b, bo, n); }

    /** Dot product in double precision. */
    public static double dot(double[] a, int ao, double[] b, int bo, int n) { return K.dot(a, ao, b, bo, n); }
}
