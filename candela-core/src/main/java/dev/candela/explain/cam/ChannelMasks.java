package dev.candela.explain.cam;

import dev.candela.image.Resize;
import dev.candela.tensor.Tensor;

/**
 * Input-resolution masks made from single activation channels, computed one at a time so memory does
 * not grow with the channel count (Score-CAM and its relatives).
 */
final class ChannelMasks {
    private ChannelMasks() {}

    /**
     * pytorch-grad-cam's Score-CAM mask: channel k of row r upsampled to H x W with align_corners=True,
     * then (U - min) / (max - min + 1e-8).
     */
    static float[] upsampleThenMinMax(Tensor a, int r, int k, int outH, int outW) {
        float[] u = Resize.bilinear(plane(a, r, k), a.dim(2), a.dim(3), outH, outW, Resize.Mode.ALIGN_CORNERS);
        float mn = Float.POSITIVE_INFINITY, mx = Float.NEGATIVE_INFINITY;
        for (float v : u) { mn = Math.min(mn, v); mx = Math.max(mx, v); }
        float den = (mx - mn) + 1e-8f;
        for (int i = 0; i < u.length; i++) u[i] = (u[i] - mn) / den;
        return u;
    }

    /**
     * TorchCAM's Score-CAM family mask: channel k of row r normalised at feature resolution,
     * (A - min) / (max(A - min) + 1e-8), then upsampled with align_corners=False.
     */
    static float[] minMaxThenUpsample(Tensor a, int r, int k, int outH, int outW) {
        float[] p = plane(a, r, k);
        float mn = Float.POSITIVE_INFINITY;
        for (float v : p) mn = Math.min(mn, v);
        float mx = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < p.length; i++) { p[i] = p[i] - mn; mx = Math.max(mx, p[i]); }
        float den = mx + 1e-8f;
        for (int i = 0; i < p.length; i++) p[i] = p[i] / den;
        return Resize.bilinear(p, a.dim(2), a.dim(3), outH, outW, Resize.Mode.HALF_PIXEL);
    }

    static float[] plane(Tensor a, int r, int k) {
        int hw = a.dim(2) * a.dim(3);
        float[] p = new float[hw];
        System.arraycopy(a.data(), (r * a.dim(1) + k) * hw, p, 0, hw);
        return p;
    }

    /** item = x_r (.) mask on every colour channel, times {@code scale}. */
    static void maskInput(Tensor x, int r, float[] mask, float scale, float[] item) {
        int c = x.dim(1), hw = x.dim(2) * x.dim(3), base = r * c * hw;
        float[] xd = x.data();
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < hw; i++) {
                float v = xd[base + ch * hw + i] * mask[i];
                item[ch * hw + i] = scale == 1f ? v : scale * v;
            }
        }
    }

    /** Softmax over each row of an R x K score matrix (double), as float32 coefficients. */
    static Tensor softmaxRows(double[] scores, int r, int k) {
        float[] out = new float[r * k];
        for (int n = 0; n < r; n++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) m = Math.max(m, scores[n * k + j]);
            double sum = 0;
            double[] e = new double[k];
            for (int j = 0; j < k; j++) sum += (e[j] = Math.exp(scores[n * k + j] - m));
            for (int j = 0; j < k; j++) out[n * k + j] = (float) (e[j] / sum);
        }
        return new Tensor(dev.candela.tensor.Shape.of(r, k), out);
    }
}
