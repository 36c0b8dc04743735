package dev.candela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise and reduction kernels over float ranges with the same species as {@link Sgemm}
 * (and a scalar fallback). Each works on one contiguous range; callers split work into ranges.
 * Reductions sum lanes in a fixed order, so a range always gives the same bits.
 */
public final class VectorOps {
    private VectorOps() {}

    private static final VectorSpecies<Float> S = Sgemm.S;
    private static final boolean V = Sgemm.VECTOR;
    private static final int L = Sgemm.L;

    /** y[yo..yo+n) += a * x[xo..xo+n) (fused multiply-add). */
    public static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        if (V) {
            FloatVector av = FloatVector.broadcast(S, a);
            for (; i <= n - L; i += L)
                av.fma(FloatVector.fromArray(S, x, xo + i), FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = Math.fma(a, x[xo + i], y[yo + i]);
    }

    /** y[o..o+n) += v. */
    public static void addScalar(float[] y, int o, int n, float v) {
        int i = 0;
        if (V) {
            FloatVector vv = FloatVector.broadcast(S, v);
            for (; i <= n - L; i += L) FloatVector.fromArray(S, y, o + i).add(vv).intoArray(y, o + i);
        }
        for (; i < n; i++) y[o + i] += v;
    }

    /** y[yo+i] = x[xo+i] + v over i < n. */
    public static void addScalarInto(float[] x, int xo, float[] y, int yo, int n, float v) {
        int i = 0;
        if (V) {
            FloatVector vv = FloatVector.broadcast(S, v);
            for (; i <= n - L; i += L) FloatVector.fromArray(S, x, xo + i).add(vv).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = x[xo + i] + v;
    }

    /** y[o+i] = x[o+i] * scale + shift over [o, o+n). */
    public static void affine(float[] x, float[] y, int o, int n, float scale, float shift) {
        int i = 0;
        if (V) {
            FloatVector sv = FloatVector.broadcast(S, scale), tv = FloatVector.broadcast(S, shift);
            for (; i <= n - L; i += L) FloatVector.fromArray(S, x, o + i).fma(sv, tv).intoArray(y, o + i);
        }
        for (; i < n; i++) y[o + i] = Math.fma(x[o + i], scale, shift);
    }

    /** y[o+i] = min(max(x[o+i], lo), hi); ReLU is lo = 0, hi = +inf. NaN stays NaN. */
    public static void clamp(float[] x, float[] y, int o, int n, float lo, float hi) {
        int i = 0;
        if (V) {
            FloatVector lv = FloatVector.broadcast(S, lo), hv = FloatVector.broadcast(S, hi);
            for (; i <= n - L; i += L) FloatVector.fromArray(S, x, o + i).max(lv).min(hv).intoArray(y, o + i);
        }
        for (; i < n; i++) y[o + i] = Math.min(Math.max(x[o + i], lo), hi);
    }

    /** y = x > 0 || x is NaN ? x : 0: NaN propagates, as in PyTorch (and as in the reference). */
    public static void relu(float[] x, float[] y, int o, int n) {
        int i = 0;
        if (V) {
            FloatVector z = FloatVector.zero(S);
            for (; i <= n - L; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, o + i);
                z.blend(v, v.compare(VectorOperators.GT, 0f).or(v.test(VectorOperators.IS_NAN))).intoArray(y, o + i);
            }
        }
        for (; i < n; i++) y[o + i] = x[o + i] > 0 || x[o + i] != x[o + i] ? x[o + i] : 0f;
    }

    /** y = x >= 0 ? x : alpha * x. */
    public static void leaky(float[] x, float[] y, int o, int n, float alpha) {
        int i = 0;
        if (V) {
            for (; i <= n - L; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, o + i);
                v.blend(v.mul(alpha), v.compare(VectorOperators.LT, 0f)).intoArray(y, o + i);
            }
        }
        for (; i < n; i++) y[o + i] = x[o + i] >= 0 ? x[o + i] : alpha * x[o + i];
    }

    /** gx = lo < x < hi ? g : 0 (ReLU's gradient is lo = 0, hi = +inf). */
    public static void passBetween(float[] g, float[] x, float[] gx, int o, int n, float lo, float hi) {
        int i = 0;
        if (V) {
            for (; i <= n - L; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, o + i);
                VectorMask<Float> keep = v.compare(VectorOperators.GT, lo).and(v.compare(VectorOperators.LT, hi));
                FloatVector.zero(S).blend(FloatVector.fromArray(S, g, o + i), keep).intoArray(gx, o + i);
            }
        }
        for (; i < n; i++) gx[o + i] = x[o + i] > lo && x[o + i] < hi ? g[o + i] : 0f;
    }

    /** gx = x > 0 ? g : alpha * g. */
    public static void leakyGrad(float[] g, float[] x, float[] gx, int o, int n, float alpha) {
        int i = 0;
        if (V) {
            for (; i <= n - L; i += L) {
                FloatVector gv = FloatVector.fromArray(S, g, o + i);
                gv.mul(alpha).blend(gv, FloatVector.fromArray(S, x, o + i).compare(VectorOperators.GT, 0f)).intoArray(gx, o + i);
            }
        }
        for (; i < n; i++) gx[o + i] = x[o + i] > 0 ? g[o + i] : alpha * g[o + i];
    }

    /** y[o..o+n) = a[o..) + b[o..). */
    public static void add(float[] a, float[] b, float[] y, int o, int n) {
        int i = 0;
        if (V) for (; i <= n - L; i += L) FloatVector.fromArray(S, a, o + i).add(FloatVector.fromArray(S, b, o + i)).intoArray(y, o + i);
        for (; i < n; i++) y[o + i] = a[o + i] + b[o + i];
    }

    /**
     * Sum of the lanes in lane order. FloatVector.reduceLanes(ADD) leaves the order unspecified, and
     * the interpreter and the compiled intrinsic do differ, which would break same-bits guarantees.
     */
    static float sumLanes(FloatVector v) {
        float[] a = v.toArray();
        float s = 0f;
        for (float x : a) s += x;
        return s;
    }

    /** Sum of x[o..o+n): lane-wise partial sums, then lanes in order, then the tail. */
    public static float sum(float[] x, int o, int n) {
        int i = 0;
        float s = 0f;
        if (V && n >= L) {
            FloatVector acc = FloatVector.zero(S);
            for (; i <= n - L; i += L) acc = acc.add(FloatVector.fromArray(S, x, o + i));
            s = sumLanes(acc);
        }
        for (; i < n; i++) s += x[o + i];
        return s;
    }

    /** Dot product of a[ao..ao+n) and b[bo..bo+n): one vector accumulator, the same order as {@link #dot4}. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        float s = 0f;
        if (V && n >= L) {
            FloatVector acc = FloatVector.zero(S);
            for (; i <= n - L; i += L) acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
            s = sumLanes(acc);
        }
        for (; i < n; i++) s = Math.fma(a[ao + i], b[bo + i], s);
        return s;
    }

    /**
     * Four dot products of one row w[wo..wo+n) with x rows at x0..x3 (each read once per chunk of
     * w, so a weight row streams from memory once for up to four batch items).
     */
    public static void dot4(float[] w, int wo, float[] x, int x0, int x1, int x2, int x3, int n, float[] out, int o0, int o1, int o2, int o3) {
        int i = 0;
        float r0 = 0f, r1 = 0f, r2 = 0f, r3 = 0f;
        if (V && n >= L) {
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
            for (; i <= n - L; i += L) {
                FloatVector wv = FloatVector.fromArray(S, w, wo + i);
                s0 = wv.fma(FloatVector.fromArray(S, x, x0 + i), s0);
                s1 = wv.fma(FloatVector.fromArray(S, x, x1 + i), s1);
                s2 = wv.fma(FloatVector.fromArray(S, x, x2 + i), s2);
                s3 = wv.fma(FloatVector.fromArray(S, x, x3 + i), s3);
            }
            r0 = sumLanes(s0);
            r1 = sumLanes(s1);
            r2 = sumLanes(s2);
            r3 = sumLanes(s3);
        }
        for (; i < n; i++) {
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
}
