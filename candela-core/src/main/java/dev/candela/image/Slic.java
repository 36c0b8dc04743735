package dev.candela.image;

import java.util.Arrays;

/**
 * SLIC superpixels (Achanta et al., TPAMI 2012) as scikit-image 0.19's {@code segmentation.slic} computes
 * them for a 2-D multichannel image without a mask, without smoothing ({@code sigma = 0}), not SLIC-zero,
 * labels from 0: the image is rescaled to [0, 1] as a whole, converted to CIE Lab (D65, 2 degrees) when it
 * has 3 channels, seeded on skimage's regular grid, clustered by {@code maxIterations} rounds of local
 * k-means (skimage never stops early: every round assigns pixels afresh) and made connected, small pieces
 * joining a neighbour, large components cut at {@code maxSizeFactor} segment sizes, as skimage does.
 * {@link #QUANTUS} is Quantus's {@code get_superpixel_segments} (IROF): {@code slic(image, start_label=0)}.
 * Checked label for label against scikit-image ({@code SlicGoldenTest}).
 *
 * @param segments       the approximate number of segments asked for ({@code n_segments})
 * @param compactness    weight of space against colour
 * @param maxIterations  k-means rounds ({@code max_num_iter})
 * @param minSizeFactor  pieces under this share of the mean segment size join a neighbour
 * @param maxSizeFactor  a connected component stops growing at this many mean segment sizes
 */
public record Slic(int segments, double compactness, int maxIterations, double minSizeFactor, double maxSizeFactor) {
    /** skimage's defaults, as Quantus calls it. */
    public static final Slic QUANTUS = new Slic(100, 10.0, 10, 0.5, 3);

    public Slic {
        if (segments < 1) throw new IllegalArgumentException("slic: segments must be >= 1, got " + segments);
        if (!(compactness > 0)) throw new IllegalArgumentException("slic: compactness must be > 0, got " + compactness);
        if (maxIterations < 0) throw new IllegalArgumentException("slic: maxIterations must be >= 0, got " + maxIterations);
        if (!(minSizeFactor >= 0) || !(maxSizeFactor > 0))
            throw new IllegalArgumentException("slic: size factors must be >= 0 (min) and > 0 (max), got " + minSizeFactor + ", " + maxSizeFactor);
    }

    // skimage.color.colorconv: sRGB to XYZ and the D65 / 2-degree white point
    private static final double[][] XYZ_FROM_RGB = {
            {0.412453, 0.357580, 0.180423}, {0.212671, 0.715160, 0.072169}, {0.019334, 0.119193, 0.950227}};
    private static final double[] WHITE = {0.95047, 1.0, 1.08883};

    /**
     * Labels of an image given channel-first ({@code c} planes of {@code h * w}), one per pixel in row-major
     * order, 0 .. (segments found - 1).
     */
    public int[] labels(float[] chw, int c, int h, int w) {
        if (c < 1 || h < 1 || w < 1 || chw.length != c * h * w)
            throw new IllegalArgumentException("slic: image of " + chw.length + " values is not " + c + " x " + h + " x " + w);
        int hw = h * w;
        double[] img = new double[hw * c]; // pixel-major (H, W, C) as skimage works
        double min = Double.POSITIVE_INFINITY;
        for (int p = 0; p < hw; p++) for (int ch = 0; ch < c; ch++) {
            double v = chw[ch * hw + p];
            img[p * c + ch] = v;
            min = Math.min(min, v);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < img.length; i++) {
            img[i] -= min;
            max = Math.max(max, img[i]);
        }
        if (max != 0) for (int i = 0; i < img.length; i++) img[i] /= max;
        if (c == 3) for (int p = 0; p < hw; p++) toLab(img, p * 3);

        // seeds on the regular grid of (depth 1, h, w)
        Grid g = regularGrid(1, h, w, segments);
        int ny = count(g.startY, g.stepY, h), nx = count(g.startX, g.stepX, w);
        int n = ny * nx;
        int f = 3 + c;
        double[] seg = new double[n * f];
        for (int iy = 0; iy < ny; iy++) for (int ix = 0; ix < nx; ix++) {
            int k = iy * nx + ix;
            seg[k * f + 1] = g.startY + iy * g.stepY;
            seg[k * f + 2] = g.startX + ix * g.stepX;
        }
        float step = (float) Math.max(g.stepZ, Math.max(g.stepY, g.stepX)); // a C float in skimage's Cython
        double ratio = 1.0 / compactness;
        for (int i = 0; i < img.length; i++) img[i] = img[i] * ratio;

        int[] labels = cluster(img, c, h, w, seg, n, step, maxIterations);
        double size = (double) hw / n;
        return connect(labels, h, w, (int) (minSizeFactor * size), (int) (maxSizeFactor * size));
    }

    /** In place: the 3 values at {@code o} from sRGB in [0, 1] to L*a*b* (skimage rgb2xyz then xyz2lab). */
    static void toLab(double[] v, int o) {
        double[] lin = new double[3];
        for (int i = 0; i < 3; i++) {
            double x = v[o + i];
            lin[i] = x > 0.04045 ? Math.pow((x + 0.055) / 1.055, 2.4) : x / 12.92;
        }
        double[] fxyz = new double[3];
        for (int r = 0; r < 3; r++) {
            // arr @ xyz_from_rgb.T: the goldens' BLAS accumulates with fused multiply-adds in this order
            double xyz = Math.fma(lin[2], XYZ_FROM_RGB[r][2], Math.fma(lin[1], XYZ_FROM_RGB[r][1], lin[0] * XYZ_FROM_RGB[r][0]));
            double t = xyz / WHITE[r];
            fxyz[r] = t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16.0 / 116.0;
        }
        v[o] = 116.0 * fxyz[1] - 16.0;
        v[o + 1] = 500.0 * (fxyz[0] - fxyz[1]);
        v[o + 2] = 200.0 * (fxyz[1] - fxyz[2]);
    }

    private static int count(int start, int step, int size) {
        return start >= size ? 0 : (size - start + step - 1) / step;
    }

    /** Start and step per axis of skimage.util.regular_grid. */
    record Grid(int startZ, int stepZ, int startY, int stepY, int startX, int stepX) {}

    static Grid regularGrid(int d, int h, int w, int points) {
        int[] shape = {d, h, w};
        double space = (double) d * h * w;
        if (space <= points) return new Grid(0, 1, 0, 1, 0, 1);
        // axes sorted by size, ties in axis order (NumPy's argsort of 3 values is stable)
        Integer[] order = {0, 1, 2};
        Arrays.sort(order, (a, b) -> Integer.compare(shape[a], shape[b]));
        double[] sorted = new double[3];
        for (int i = 0; i < 3; i++) sorted[i] = shape[order[i]];
        double[] steps = new double[3];
        Arrays.fill(steps, Math.pow(space / points, 1.0 / 3));
        if (sorted[0] < steps[0] || sorted[1] < steps[1] || sorted[2] < steps[2]) {
            for (int dim = 0; dim < 3; dim++) {
                steps[dim] = sorted[dim];
                double rest = 1;
                for (int j = dim + 1; j < 3; j++) rest *= sorted[j];
                for (int j = dim + 1; j < 3; j++) steps[j] = Math.pow(rest / points, 1.0 / (3 - dim - 1));
                boolean fits = true;
                for (int j = 0; j < 3; j++) fits &= sorted[j] >= steps[j];
                if (fits) break;
            }
        }
        int[] start = new int[3], step = new int[3];
        for (int i = 0; i < 3; i++) {
            start[order[i]] = (int) Math.floor(steps[i] / 2);
            step[order[i]] = (int) Math.rint(steps[i]); // np.round: halves to even
        }
        return new Grid(start[0], step[0], start[1], step[1], start[2], step[2]);
    }

    /** skimage's _slic_cython without mask and SLIC-zero: the label of each pixel after the last round. */
    static int[] cluster(double[] img, int c, int h, int w, double[] seg, int n, float step, int iterations) {
        int f = 3 + c, hw = h * w;
        Grid g = regularGrid(1, h, w, n); // skimage re-derives its search window from the seed count
        double spatialWeight = 1.0 / (step * step);
        int[] nearest = new int[hw];
        Arrays.fill(nearest, -1);
        double[] distance = new double[hw];
        int[] elems = new int[n];
        for (int it = 0; it < iterations; it++) {
            Arrays.fill(distance, Double.MAX_VALUE);
            boolean change = false;
            for (int k = 0; k < n; k++) {
                double cy = seg[k * f + 1], cx = seg[k * f + 2];
                if (Double.isNaN(cy) || Double.isNaN(cx)) continue; // an emptied segment: skimage's window is empty
                int yMin = (int) Math.max(cy - 2 * g.stepY, 0), yMax = (int) Math.min(cy + 2 * g.stepY + 1, h);
                int xMin = (int) Math.max(cx - 2 * g.stepX, 0), xMax = (int) Math.min(cx + 2 * g.stepX + 1, w);
                double cz = seg[k * f];
                double dz = cz * cz; // depth 1: z = 0
                for (int y = yMin; y < yMax; y++) {
                    double dy = cy - y;
                    dy *= dy;
                    for (int x = xMin; x < xMax; x++) {
                        double dx = cx - x;
                        dx *= dx;
                        double d = (dz + dy + dx) * spatialWeight;
                        double col = 0;
                        int p = y * w + x;
                        for (int ch = 0; ch < c; ch++) {
                            double t = img[p * c + ch] - seg[k * f + 3 + ch];
                            col += t * t;
                        }
                        d += col;
                        if (distance[p] > d) {
                            nearest[p] = k;
                            distance[p] = d;
                            change = true;
                        }
                    }
                }
            }
            if (!change) break;
            Arrays.fill(elems, 0);
            Arrays.fill(seg, 0);
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
                int p = y * w + x, k = nearest[p];
                if (k < 0) continue; // outside every window (skimage would index out of bounds)
                elems[k]++;
                seg[k * f + 1] += y;
                seg[k * f + 2] += x;
                for (int ch = 0; ch < c; ch++) seg[k * f + 3 + ch] += img[p * c + ch];
            }
            for (int k = 0; k < n; k++) for (int j = 0; j < f; j++) seg[k * f + j] /= elems[k]; // 0/0 = NaN, as in C
        }
        return nearest;
    }

    /**
     * skimage's _enforce_label_connectivity_cython (depth 1): components in raster order get new labels from 0;
     * a breadth-first search stops at {@code maxSize} pixels (the rest of a larger component starts a new one);
     * a component under {@code minSize} pixels takes the label of the last labelled neighbour its search met
     * (or, having met none, the label the next component will get).
     */
    static int[] connect(int[] segments, int h, int w, int minSize, int maxSize) {
        int hw = h * w;
        int[] out = new int[hw];
        Arrays.fill(out, -1);
        int[] dx = {1, -1, 0, 0}, dy = {0, 0, 1, -1}; // skimage's 6 neighbours without the two in depth
        int[] list = new int[Math.max(maxSize, 1)];
        int next = 0;
        for (int p = 0; p < hw; p++) {
            if (segments[p] == -1 || out[p] > -1) continue;
            int adjacent = next, label = segments[p];
            out[p] = next;
            int size = 1, visited = 0;
            list[0] = p;
            search:
            while (visited < size && size < maxSize) {
                int y = list[visited] / w, x = list[visited] % w;
                for (int i = 0; i < 4; i++) {
                    int yy = y + dy[i], xx = x + dx[i];
                    if (xx < 0 || xx >= w || yy < 0 || yy >= h) continue;
                    int q = yy * w + xx;
                    if (segments[q] == label && out[q] == -1) {
                        out[q] = next;
                        list[size++] = q;
                        if (size >= maxSize) break search;
                    } else if (out[q] > -1 && out[q] != next) {
                        adjacent = out[q];
                    }
                }
                visited++;
            }
            if (size < minSize) {
                for (int i = 0; i < size; i++) out[list[i]] = adjacent;
            } else {
                next++;
            }
        }
        return out;
    }
}
