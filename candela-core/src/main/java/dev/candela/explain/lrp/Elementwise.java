package dev.candela.explain.lrp;

import dev.candela.tensor.Tensor;

/**
 * Element-wise arithmetic on equally shaped tensors, as the relevance rules need it: fresh results, inputs untouched,
 * except the {@code ...Into} forms, which write into their first argument's array (for results no one else holds).
 */
public final class Elementwise {
    private Elementwise() {}

    public static Tensor positive(Tensor t) {
        float[] d = t.data(), o = new float[d.length];
        for (int i = 0; i < d.length; i++) o[i] = d[i] > 0 ? d[i] : 0f;
        return new Tensor(t.shape(), o);
    }

    /**
     * {@link #positive(Tensor)} without the copy when it would change nothing: {@code t} itself if every element is
     * above 0 or +0.0 (a ReLU's output), else the fresh positive part. The result may be {@code t}: never write to it.
     */
    public static Tensor positiveView(Tensor t) {
        for (float v : t.data()) {
            if (!(v > 0) && Float.floatToRawIntBits(v) != 0) return positive(t);
        }
        return t;
    }

    /** Whether some element is below 0 (whether {@link #negative(Tensor)} would be non-zero). */
    public static boolean anyNegative(Tensor t) {
        for (float v : t.data()) if (v < 0) return true;
        return false;
    }

    public static Tensor negative(Tensor t) {
        float[] d = t.data(), o = new float[d.length];
        for (int i = 0; i < d.length; i++) o[i] = d[i] < 0 ? d[i] : 0f;
        return new Tensor(t.shape(), o);
    }

    public static Tensor ones(Tensor like) { return Tensor.full(like.shape(), 1f); }

    public static Tensor abs(Tensor t) {
        float[] d = t.data(), o = new float[d.length];
        for (int i = 0; i < d.length; i++) o[i] = Math.abs(d[i]);
        return new Tensor(t.shape(), o);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        float[] x = a.data(), y = b.data(), o = new float[x.length];
        for (int i = 0; i < x.length; i++) o[i] = x[i] * y[i];
        return new Tensor(a.shape(), o);
    }

    /** a * b into b's array (in that operand order, so even a NaN's payload is mul's); returns b. */
    public static Tensor mulInto(Tensor a, Tensor b) {
        float[] x = a.data(), y = b.data();
        for (int i = 0; i < x.length; i++) y[i] = x[i] * y[i];
        return b;
    }

    /** a + b into a's array; returns a. */
    public static Tensor addInto(Tensor a, Tensor b) {
        float[] x = a.data(), y = b.data();
        for (int i = 0; i < x.length; i++) x[i] += y[i];
        return a;
    }

    /** a - b into a's array; returns a. */
    public static Tensor subInto(Tensor a, Tensor b) {
        float[] x = a.data(), y = b.data();
        for (int i = 0; i < x.length; i++) x[i] -= y[i];
        return a;
    }

    public static Tensor add(Tensor a, Tensor b) {
        float[] x = a.data(), y = b.data(), o = new float[x.length];
        for (int i = 0; i < x.length; i++) o[i] = x[i] + y[i];
        return new Tensor(a.shape(), o);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        float[] x = a.data(), y = b.data(), o = new float[x.length];
        for (int i = 0; i < x.length; i++) o[i] = x[i] - y[i];
        return new Tensor(a.shape(), o);
    }

    public static Tensor scale(Tensor a, float f) {
        float[] x = a.data(), o = new float[x.length];
        for (int i = 0; i < x.length; i++) o[i] = x[i] * f;
        return new Tensor(a.shape(), o);
    }

    /** a where keep(b) else 0. */
    public static Tensor maskPositive(Tensor a, Tensor b) {
        float[] x = a.data(), y = b.data(), o = new float[x.length];
        for (int i = 0; i < x.length; i++) o[i] = y[i] > 0 ? x[i] : 0f;
        return new Tensor(a.shape(), o);
    }

    public static Tensor maskNegative(Tensor a, Tensor b) {
        float[] x = a.data(), y = b.data(), o = new float[x.length];
        for (int i = 0; i < x.length; i++) o[i] = y[i] < 0 ? x[i] : 0f;
        return new Tensor(a.shape(), o);
    }

    public static boolean allZero(Tensor t) {
        for (float v : t.data()) if (v != 0f) return false;
        return true;
    }

    /** Element-wise square. */
    public static Tensor square(Tensor a) { return mul(a, a); }
}
