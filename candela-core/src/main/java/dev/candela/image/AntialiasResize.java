package dev.candela.image;

/**
 * PIL's {@code Image.resize(size, BILINEAR)} on 8-bit planes, restated so the results are bit-identical:
 * a triangle filter whose support widens with the reduction factor (antialiasing), coefficients computed
 * in double, normalised to sum 1 and stored as 22-bit fixed point; a horizontal pass over the rows the
 * vertical pass needs, rounded and clipped to 0..255, then a vertical pass, rounded and clipped again.
 * A pass whose size does not change is skipped (as PIL does). torchvision's {@code Resize} on a PIL
 * image calls exactly this. Input values are rounded to integers 0..255 first.
 */
public final class AntialiasResize {
    private AntialiasResize() {}

    private static final int PRECISION_BITS = 32 - 8 - 2;

    /** Filter taps of one axis: for output i, taps k[i*ksize .. ] start at input index first[i], count[i] of them. */
    record Taps(int ksize, int[] first, int[] count, int[] k) {}

    static Taps taps(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = 1.0 * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize], count = new int[outSize], k = new int[outSize * ksize];
        double[] w = new double[ksize];
        for (int o = 0; o < outSize; o++) {
            double center = (o + 0.5) * scale;
            double ss = 1.0 / filterscale;
            int lo = (int) (center - support + 0.5);
            if (lo < 0) lo = 0;
            int hi = (int) (center + support + 0.5);
            if (hi > inSize) hi = inSize;
            int n = hi - lo;
            double sum = 0;
            for (int x = 0; x < n; x++) {
                double t = Math.abs((x + lo - center + 0.5) * ss);
                w[x] = t < 1.0 ? 1.0 - t : 0.0;
                sum += w[x];
            }
            for (int x = 0; x < n; x++) {
                double v = sum != 0.0 ? w[x] / sum : w[x];
                k[o * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
            }
            first[o] = lo;
            count[o] = n;
        }
        return new Taps(ksize, first, count, k);
    }

    private static int clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Resizes one h x w plane (row-major, values 0..255) to outH x outW; the result holds integers 0..255. */
    public static float[] resize(float[] src, int h, int w, int outH, int outW) {
        int[] in = new int[h * w];
        for (int i = 0; i < in.length; i++) {
            int v = Math.round(src[i]);
            in[i] = v < 0 ? 0 : Math.min(v, 255);
        }
        Taps ty = taps(h, outH);
        int rowFirst = ty.first[0], rowLast = ty.first[outH - 1] + ty.count[outH - 1];
        int[] cur = in;
        int curW = w, rowShift = 0;
        if (outW != w) {
            Taps tx = taps(w, outW);
            int rows = rowLast - rowFirst;
            int[] tmp = new int[rows * outW];
            for (int y = 0; y < rows; y++) {
                int base = (y + rowFirst) * w;
                for (int x = 0; x < outW; x++) {
                    int acc = 1 << (PRECISION_BITS - 1), kb = x * tx.ksize, lo = tx.first[x];
                    for (int t = 0; t < tx.count[x]; t++) acc += in[base + lo + t] * tx.k[kb + t];
                    tmp[y * outW + x] = clip8(acc);
                }
            }
            cur = tmp;
            curW = outW;
            rowShift = rowFirst;
        }
        float[] out = new float[outH * outW];
        if (outH != h) {
            for (int y = 0; y < outH; y++) {
                int kb = y * ty.ksize, lo = ty.first[y] - rowShift;
                for (int x = 0; x < curW; x++) {
                    int acc = 1 << (PRECISION_BITS - 1);
                    for (int t = 0; t < ty.count[y]; t++) acc += cur[(lo + t) * curW + x] * ty.k[kb + t];
                    out[y * outW + x] = clip8(acc);
                }
            }
        } else {
            // no vertical pass: an unchanged axis keeps every row (its taps are the identity), rowShift is 0
            for (int i = 0; i < out.length; i++) out[i] = cur[i];
        }
        return out;
    }

    /** Resizes every plane of a [planes, h, w] array. */
    public static float[] resizePlanes(float[] src, int planes, int h, int w, int outH, int outW) {
        float[] out = new float[planes * outH * outW];
        float[] plane = new float[h * w];
        for (int p = 0; p < planes; p++) {
            System.arraycopy(src, p * h * w, plane, 0, h * w);
            System.arraycopy(resize(plane, h, w, outH, outW), 0, out, p * outH * outW, outH * outW);
        }
        return out;
    }
}
