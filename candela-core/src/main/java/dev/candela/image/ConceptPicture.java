package dev.candela.image;

/**
 * Several concept maps in one picture, as pytorch-grad-cam's {@code show_factorization_on_image} draws Deep
 * Feature Factorization's concepts (without its matplotlib legend): concept i gets the colour of matplotlib's
 * {@code gist_rainbow} at i / n; each pixel shows only the concept whose map is highest there (the first on
 * ties, numpy's argmax), its colour's HSV value set to {@code uint8(255 * map)} through OpenCV's 8-bit
 * RGB-to-HSV and HSV-to-RGB conversions; the picture is {@code uint8(255 * ((1 - opacity) * image + opacity *
 * mask))} with the image in [0, 1] (the reference's image_weight is 1 - opacity).
 */
public final class ConceptPicture {
    private ConceptPicture() {}

    /** matplotlib's _gist_rainbow_data: (x, r, g, b), continuous at every break. */
    private static final double[][] GIST_RAINBOW = {
            {0.000, 1.00, 0.00, 0.16}, {0.030, 1.00, 0.00, 0.00}, {0.215, 1.00, 1.00, 0.00}, {0.400, 0.00, 1.00, 0.00},
            {0.586, 0.00, 1.00, 1.00}, {0.770, 0.00, 0.00, 1.00}, {0.954, 1.00, 0.00, 1.00}, {1.000, 1.00, 0.00, 0.75}};
    private static final int HSV_SHIFT = 12;

    /**
     * The picture of n concept maps (n x h x w, in [0, 1]) over {@code image}; maps of another size are resized
     * to the picture's (bilinear, half-pixel centres).
     */
    public static Picture draw(Picture image, float[] maps, int n, int h, int w, float opacity) {
        if (!(opacity >= 0 && opacity <= 1)) throw new IllegalArgumentException("opacity must be in [0, 1], got " + opacity);
        if (n < 1 || maps.length != n * h * w) throw new IllegalArgumentException("concept maps: expected " + n + "x" + h + "x" + w + " values, got " + maps.length);
        int ph = image.height(), pw = image.width(), plane = ph * pw;
        float[] m = h == ph && w == pw ? maps : Resize.bilinearPlanes(maps, n, h, w, ph, pw, Resize.Mode.HALF_PIXEL);
        int[][] hsv = new int[n][];
        for (int i = 0; i < n; i++) {
            int[] rgb = colour((double) i / n);
            hsv[i] = rgbToHsv(rgb[0], rgb[1], rgb[2]);
        }
        float[] src = image.rgb(), out = new float[3 * plane];
        for (int p = 0; p < plane; p++) {
            int best = 0;
            for (int i = 1; i < n; i++) if (m[i * plane + p] > m[best * plane + p]) best = i;
            int v = (int) (255f * m[best * plane + p]);
            int[] rgb = hsvToRgb(hsv[best][0], hsv[best][1], Math.clamp(v, 0, 255));
            for (int c = 0; c < 3; c++) {
                float mask = rgb[c] / 255f * opacity;
                double pixel = src[c * plane + p] / 255.0;
                out[c * plane + p] = (int) (255 * (pixel * (1 - (double) opacity) + mask));
            }
        }
        return new Picture(pw, ph, out, false);
    }

    /** uint8(255 * gist_rainbow(x)) for x in [0, 1): matplotlib's 256-entry table, entry int(256 x). */
    static int[] colour(double x) {
        int j = Math.min((int) (x * 256), 255);
        double xj = j * (1.0 / 255);
        int[] rgb = new int[3];
        for (int c = 0; c < 3; c++) {
            double v;
            if (j == 0) v = GIST_RAINBOW[0][c + 1];
            else if (j == 255) v = GIST_RAINBOW[GIST_RAINBOW.length - 1][c + 1];
            else {
                int k = 1;
                while (GIST_RAINBOW[k][0] < xj) k++;
                double d = (xj - GIST_RAINBOW[k - 1][0]) / (GIST_RAINBOW[k][0] - GIST_RAINBOW[k - 1][0]);
                v = d * (GIST_RAINBOW[k][c + 1] - GIST_RAINBOW[k - 1][c + 1]) + GIST_RAINBOW[k - 1][c + 1];
            }
            rgb[c] = (int) (Math.clamp(v, 0, 1) * 255);
        }
        return rgb;
    }

    /** OpenCV's 8-bit RGB to HSV (H in 0..180), integer tables with a 12-bit shift. */
    static int[] rgbToHsv(int r, int g, int b) {
        int v = Math.max(b, Math.max(g, r)), vmin = Math.min(b, Math.min(g, r));
        int diff = v - vmin;
        int vr = v == r ? -1 : 0, vg = v == g ? -1 : 0;
        int sdiv = v == 0 ? 0 : (int) Math.rint((255 << HSV_SHIFT) / (1.0 * v));
        int hdiv = diff == 0 ? 0 : (int) Math.rint((180 << HSV_SHIFT) / (6.0 * diff));
        int s = (diff * sdiv + (1 << (HSV_SHIFT - 1))) >> HSV_SHIFT;
        int hh = (vr & (g - b)) + (~vr & ((vg & (b - r + 2 * diff)) + (~vg & (r - g + 4 * diff))));
        hh = (hh * hdiv + (1 << (HSV_SHIFT - 1))) >> HSV_SHIFT;
        hh += hh < 0 ? 180 : 0;
        return new int[]{Math.clamp(hh, 0, 255), s, v};
    }

    private static final int[][] SECTOR = {{1, 3, 0}, {1, 0, 2}, {3, 0, 1}, {0, 2, 1}, {0, 1, 3}, {2, 1, 0}};

    /** OpenCV's 8-bit HSV to RGB: in float, H scaled by 6/180, S and V by 1/255, rounded back to 0..255. */
    static int[] hsvToRgb(int hIn, int sIn, int vIn) {
        float h = hIn, s = sIn * (1f / 255f), v = vIn * (1f / 255f);
        float r, g, b;
        if (s == 0) {
            r = g = b = v;
        } else {
            h *= 6f / 180f;
            h = h % 6f;
            h += h < 0 ? 6f : 0f;
            int sector = (int) Math.floor(h);
            h -= sector;
            if (sector < 0 || sector >= 6) {
                sector = 0;
                h = 0f;
            }
            float[] tab = {v, v * (1f - s), v * (1f - s * h), v * (1f - s * (1f - h))};
            b = tab[SECTOR[sector][0]];
            g = tab[SECTOR[sector][1]];
            r = tab[SECTOR[sector][2]];
        }
        return new int[]{round8(r * 255f), round8(g * 255f), round8(b * 255f)};
    }

    private static int round8(float x) { return Math.clamp((int) Math.rint(x), 0, 255); }
}
