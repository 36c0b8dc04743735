package dev.candela.tensor;

/**
 * The small reduction vocabulary the explanation methods share, on N x C x H x W tensors (N rows, C
 * channels): spatial mean, channel sum, channel scaling, row min-max. Sums accumulate in double and are
 * stored as float32, so every caller gets the same bits.
 */
public final class Reductions {
    private Reductions() {}

    /** Mean over the spatial positions of each (row, channel) plane: N x C x ... -> N x C. */
    public static Tensor spatialMean(Tensor t) {
        int n = t.dim(0), c = t.dim(1), hw = t.shape().itemSize() / c;
        float[] out = new float[n * c];
        for (int p = 0; p < n * c; p++) {
            double s = 0;
            for (int i = 0; i < hw; i++) s += t.data()[p * hw + i];
            out[p] = (float) (s / hw);
        }
        return new Tensor(Shape.of(n, c), out);
    }

    /** Sum over channels: N x C x H x W -> N x H x W. */
    public static Tensor channelSum(Tensor t) {
        if (t.rank() != 4) throw new IllegalArgumentException("a channel sum needs an N x C x H x W tensor, got " + t.shape());
        int n = t.dim(0), c = t.dim(1), hw = t.dim(2) * t.dim(3);
        float[] o = new float[n * hw];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < hw; i++) {
                double s = 0;
                for (int ch = 0; ch < c; ch++) s += t.data()[(b * c + ch) * hw + i];
                o[b * hw + i] = (float) s;
            }
        return new Tensor(Shape.of(n, t.dim(2), t.dim(3)), o);
    }

    /** w_nc * A_nc for every plane: A is N x C x ..., w is N x C. */
    public static Tensor scaleChannels(Tensor a, Tensor w) {
        int n = a.dim(0), k = a.dim(1), hw = a.shape().itemSize() / k;
        if (w.size() != n * k) throw new IllegalArgumentException("channel weights " + w.shape() + " do not fit activations " + a.shape());
        float[] o = new float[a.size()];
        for (int b = 0; b < n; b++)
            for (int c = 0; c < k; c++) {
                float wk = w.data()[b * k + c];
                for (int i = 0; i < hw; i++) o[(b * k + c) * hw + i] = wk * a.data()[(b * k + c) * hw + i];
            }
        return new Tensor(a.shape(), o);
    }

    /** Element-wise product of two tensors of one shape. */
    public static Tensor times(Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape())) throw new IllegalArgumentException("shapes differ: " + a.shape() + " vs " + b.shape());
        float[] o = new float[a.size()];
        for (int i = 0; i < o.length; i++) o[i] = a.data()[i] * b.data()[i];
        return new Tensor(a.shape(), o);
    }

    /**
     * In place, one row of {@code len} values from {@code off}: x - min, then / (max - min + eps) in float32
     * (numpy's order). With eps 0 a constant row becomes zeros (instead of 0/0).
     */
    public static void rowMinMax(float[] d, int off, int len, float eps) {
        float mn = Float.POSITIVE_INFINITY;
        for (int i = off; i < off + len; i++) mn = Math.min(mn, d[i]);
        float mx = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + len; i++) {
            d[i] = d[i] - mn;
            mx = Math.max(mx, d[i]);
        }
        float den = mx + eps;
        if (eps == 0f && !(den > 0f)) {
            for (int i = off; i < off + len; i++) d[i] = 0f;
            return;
        }
        for (int i = off; i < off + len; i++) d[i] = d[i] / den;
    }
}
