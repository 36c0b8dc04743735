package dev.candela.image;

/**
 * Pictures of maps.
 * <ul>
 *   <li>{@link #heatmap}: a map in [0, 1] through a colormap (values are clamped, not rescaled: CAM
 *       maps are already min-max normalised, so 1 is the strongest evidence).</li>
 *   <li>{@link #overlay}: the heatmap blended over the image the model saw:
 *       {@code out = opacity * colour + (1 - opacity) * pixel}, per channel, in 0..255. Unlike
 *       pytorch-grad-cam's {@code show_cam_on_image} the result is not divided by its maximum, so
 *       the image keeps its brightness.</li>
 *   <li>{@link #signed}: a signed attribution (already summed over channels) through the diverging
 *       map, scaled symmetrically by the given percentile of |a| (values beyond it saturate), so
 *       zero is white, positive evidence red and negative evidence blue.</li>
 * </ul>
 * Maps of a different size than the picture are resized bilinearly (half-pixel centres).
 * Output pictures are RGB, 0..255, R plane first.
 */
public final class Overlay {
    private Overlay() {}

    public static Picture heatmap(float[] map, int h, int w, Colormap cm) {
        int n = h * w;
        check(map, h, w);
        float[] rgb = new float[3 * n];
        for (int i = 0; i < n; i++) {
            int c = cm.rgb(map[i]);
            rgb[i] = (c >> 16) & 0xff;
            rgb[n + i] = (c >> 8) & 0xff;
            rgb[2 * n + i] = c & 0xff;
        }
        return new Picture(w, h, rgb, false);
    }

    /** The map over the picture; the map is resized to the picture's size when they differ. */
    public static Picture overlay(Picture image, float[] map, int h, int w, Colormap cm, float opacity) {
        if (!(opacity >= 0 && opacity <= 1)) throw new IllegalArgumentException("opacity must be in [0, 1], got " + opacity);
        check(map, h, w);
        float[] m = fit(map, h, w, image.height(), image.width());
        Picture heat = heatmap(m, image.height(), image.width(), cm);
        float[] a = image.rgb(), b = heat.rgb(), out = new float[a.length];
        for (int i = 0; i < out.length; i++) out[i] = opacity * b[i] + (1 - opacity) * a[i];
        return new Picture(image.width(), image.height(), out, false);
    }

    /**
     * A signed attribution map through {@link Colormap#DIVERGING}: {@code t = 0.5 + 0.5 * a / s} where
     * s is the {@code percentile} (0 &lt; p &lt;= 100) of |a|; s = 0 (all zero) gives plain white.
     */
    public static Picture signed(float[] attribution, int h, int w, double percentile) {
        check(attribution, h, w);
        double s = percentileAbs(attribution, percentile);
        float[] t = new float[attribution.length];
        for (int i = 0; i < t.length; i++) t[i] = s > 0 ? (float) (0.5 + 0.5 * attribution[i] / s) : 0.5f;
        return heatmap(t, h, w, Colormap.DIVERGING);
    }

    /** Sums a C x H x W attribution over its channels (the usual way to show a pixel attribution). */
    public static float[] channelSum(float[] chw, int c, int h, int w) {
        if (chw.length != c * h * w) throw new IllegalArgumentException("expected " + c + "x" + h + "x" + w + " values, got " + chw.length);
        float[] out = new float[h * w];
        for (int k = 0; k < c; k++) for (int i = 0; i < h * w; i++) out[i] += chw[k * h * w + i];
        return out;
    }

    /** The p-th percentile (nearest rank) of |values|. */
    static double percentileAbs(float[] values, double p) {
        if (!(p > 0 && p <= 100)) throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
        float[] a = new float[values.length];
        for (int i = 0; i < a.length; i++) a[i] = Math.abs(values[i]);
        java.util.Arrays.sort(a);
        int rank = (int) Math.ceil(p / 100 * a.length) - 1;
        return a[Math.clamp(rank, 0, a.length - 1)];
    }

    private static float[] fit(float[] map, int h, int w, int outH, int outW) {
        if (h == outH && w == outW) return map;
        return Resize.bilinear(map, h, w, outH, outW, Resize.Mode.HALF_PIXEL);
    }

    private static void check(float[] map, int h, int w) {
        if (map.length != h * w) throw new IllegalArgumentException("map has " + map.length + " values, expected " + h + "x" + w);
    }
}
