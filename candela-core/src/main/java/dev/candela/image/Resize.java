package dev.candela.image;

/**
 * Bilinear resizing of float planes. {@link Mode#HALF_PIXEL} maps pixel centres (OpenCV INTER_LINEAR,
 * PyTorch {@code align_corners=False}, no antialiasing); {@link Mode#ALIGN_CORNERS} maps corner pixels
 * onto each other (PyTorch {@code align_corners=True}, {@code UpsamplingBilinear2d}).
 */
public final class Resize {
    private Resize() {}

    public enum Mode { HALF_PIXEL, ALIGN_CORNERS }

    /** Resizes one h x w plane (row-major) to outH x outW. */
    public static float[] bilinear(float[] src, int h, int w, int outH, int outW, Mode mode) {
        float[] dst = new float[outH * outW];
        int[] y0 = new int[outH], x0 = new int[outW];
        float[] fy = new float[outH], fx = new float[outW];
        axis(h, outH, mode, y0, fy);
        axis(w, outW, mode, x0, fx);
        for (int oy = 0; oy < outH; oy++) {
            int ya = y0[oy], yb = Math.min(ya + 1, h - 1);
            float wy = fy[oy];
            for (int ox = 0; ox < outW; ox++) {
                int xa = x0[ox], xb = Math.min(xa + 1, w - 1);
                float wx = fx[ox];
                float top = src[ya * w + xa] * (1 - wx) + src[ya * w + xb] * wx;
                float bot = src[yb * w + xa] * (1 - wx) + src[yb * w + xb] * wx;
                dst[oy * outW + ox] = top * (1 - wy) + bot * wy;
            }
        }
        return dst;
    }

    /** Resizes every plane of a [planes, h, w] array. */
    public static float[] bilinearPlanes(float[] src, int planes, int h, int w, int outH, int outW, Mode mode) {
        float[] out = new float[planes * outH * outW];
        float[] plane = new float[h * w];
        for (int p = 0; p < planes; p++) {
            System.arraycopy(src, p * h * w, plane, 0, h * w);
            System.arraycopy(bilinear(plane, h, w, outH, outW, mode), 0, out, p * outH * outW, outH * outW);
        }
        return out;
    }

    private static void axis(int in, int out, Mode mode, int[] idx, float[] frac) {
        for (int o = 0; o < out; o++) {
            float src;
            if (mode == Mode.ALIGN_CORNERS) {
                src = out > 1 ? (float) o * (in - 1) / (out - 1) : 0f;
            } else {
                src = (o + 0.5f) * ((float) in / out) - 0.5f;
                if (src < 0) src = 0;
            }
            int i = (int) Math.floor(src);
            float f = src - i;
            if (i >= in - 1) {
                i = in - 1;
                f = 0;
            }
            idx[o] = i;
            frac[o] = f;
        }
    }
}
