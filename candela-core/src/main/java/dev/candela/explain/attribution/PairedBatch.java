package dev.candela.explain.attribution;

import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch of 2N holding N actual items followed by their N references, as DeepLIFT runs it (one forward
 * pass sees both, so every layer has the pair it needs).
 */
final class PairedBatch {
    private PairedBatch() {}

    /** [actual; reference] along the batch axis; a reference of batch 1 is repeated for every item. */
    static Tensor pair(Tensor actual, Tensor reference) {
        int n = actual.dim(0);
        Tensor ref = broadcast(reference, n, actual);
        return Tensor.concatBatch(List.of(actual, ref));
    }

    static Tensor broadcast(Tensor reference, int n, Tensor like) {
        if (reference.shape().itemSize() != like.shape().itemSize() || reference.rank() != like.rank()) {
            throw new IllegalArgumentException("reference shape " + reference.shape() + " does not match input " + like.shape());
        }
        if (reference.dim(0) == n) return reference;
        if (reference.dim(0) != 1) throw new IllegalArgumentException("reference batch " + reference.dim(0) + " must be 1 or equal the input batch " + n);
        List<Tensor> copies = new ArrayList<>(n);
        for (int i = 0; i < n; i++) copies.add(reference);
        return Tensor.concatBatch(copies);
    }

    static Tensor actual(Tensor paired) {
        return paired.slice(0, half(paired));
    }

    static Tensor reference(Tensor paired) {
        int h = half(paired);
        return paired.slice(h, 2 * h);
    }

    static int half(Tensor paired) {
        int b = paired.dim(0);
        if (b % 2 != 0) throw new IllegalStateException("a DeepLIFT batch must hold actual and reference halves, got batch " + b);
        return b / 2;
    }

    /** The first n items of a tensor that has n or 2n of them. */
    static Tensor firstItems(Tensor t, int n) {
        return t.dim(0) == n ? t : t.slice(0, n);
    }

    /** (a - b) element-wise, in a new tensor. */
    static Tensor minus(Tensor a, Tensor b) {
        float[] x = a.data(), y = b.data(), o = new float[x.length];
        for (int i = 0; i < o.length; i++) o[i] = x[i] - y[i];
        return new Tensor(a.shape(), o);
    }

    /** a * b element-wise, in a new tensor. */
    static Tensor times(Tensor a, Tensor b) {
        float[] x = a.data(), y = b.data(), o = new float[x.length];
        for (int i = 0; i < o.length; i++) o[i] = x[i] * y[i];
        return new Tensor(a.shape(), o);
    }

    /** Per-item sums in double. */
    static double[] itemSums(Tensor t) {
        int n = t.dim(0), sz = t.shape().itemSize();
        double[] s = new double[n];
        float[] d = t.data();
        for (int b = 0; b < n; b++) {
            double acc = 0;
            for (int i = 0; i < sz; i++) acc += d[b * sz + i];
            s[b] = acc;
        }
        return s;
    }
}
