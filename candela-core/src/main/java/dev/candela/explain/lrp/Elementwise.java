package dev.candela.explain.lrp;

import dev.candela.tensor.Tensor;

/** Element-wise arithmetic on equally shaped tensors, as the relevance rules need it (fresh results, inputs untouched). */
public final class Elementwise {
    private Elementwise() {}

    public static Tensor positive(Tensor t) {
        float[] d = t.data(), o = new float[d.length];
        for (int i = 0; i < d.length; i++) o[i] = d[i] > 0 ? d[i] : 0f;
        return new Tensor(t.shape(), o);
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
