package dev.candela.metrics;

import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;

/** How alike two saliency maps of the same size are (used by the randomisation sanity check). */
public final class MapSimilarity {
    private MapSimilarity() {}

    /**
     * Spearman rank correlation of the pixel values (ties get their average rank, Commons Math's
     * {@code NaturalRanking}); 0 when either map is constant (the correlation is undefined).
     */
    public static double spearman(float[] a, float[] b) {
        check(a, b);
        if (constant(a) || constant(b)) return 0;
        double[] x = new double[a.length], y = new double[b.length];
        for (int i = 0; i < a.length; i++) { x[i] = a[i]; y[i] = b[i]; }
        return new SpearmansCorrelation().correlation(x, y);
    }

    /**
     * Structural similarity (Wang et al. 2004) with scikit-image's defaults as used by Adebayo et al.
     * (2018): a 7x7 uniform window, sample (N-1) covariances, {@code K1 = 0.01}, {@code K2 = 0.03},
     * data range 1 (maps in [0, 1]), mean over the windows that fit inside the image. Images smaller
     * than 7 pixels use a window of the smaller odd size.
     */
    public static double ssim(float[] a, float[] b, int h, int w) {
        check(a, b);
        if (a.length != h * w) throw new IllegalArgumentException("maps have " + a.length + " values, expected " + h + "x" + w);
        int win = Math.min(7, Math.min(h, w));
        if (win % 2 == 0) win--;
        int n = win * win;
        double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03, cov = n / (n - 1.0);
        double total = 0;
        int count = 0;
        for (int y = 0; y + win <= h; y++) {
            for (int x = 0; x + win <= w; x++) {
                double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
                for (int dy = 0; dy < win; dy++) {
                    for (int dx = 0; dx < win; dx++) {
                        double va = a[(y + dy) * w + x + dx], vb = b[(y + dy) * w + x + dx];
                        sa += va; sb += vb; saa += va * va; sbb += vb * vb; sab += va * vb;
                    }
                }
                double ma = sa / n, mb = sb / n;
                double va = cov * (saa / n - ma * ma), vb = cov * (sbb / n - mb * mb), vab = cov * (sab / n - ma * mb);
                total += ((2 * ma * mb + c1) * (2 * vab + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
                count++;
            }
        }
        return total / count;
    }

    private static void check(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("maps differ in size: " + a.length + " vs " + b.length);
        if (a.length < 2) throw new IllegalArgumentException("maps need at least 2 pixels");
    }

    private static boolean constant(float[] a) {
        for (float v : a) if (v != a[0]) return false;
        return true;
    }
}
