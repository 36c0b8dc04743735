package dev.candela.tensor;

/**
 * 3x3 stride-1 convolution by Winograd's minimal filtering F(4x4, 3x3) (Lavin and Gray, "Fast Algorithms for
 * Convolutional Neural Networks", 2016; interpolation points 0, 1, -1, 2, -2 and infinity): each 4x4 block of
 * output is A^T [(G g G^T) . (B^T d B)] A from the 6x6 block d of input around it, so the 36 products per
 * (input channel, output channel, block) replace 144 multiply-adds. The element-wise products summed over the
 * input channels are 36 independent GEMMs (output channels x input channels times input channels x blocks),
 * run by {@link Sgemm}; the transforms are short loops over a row of blocks.
 *
 * <p>The result differs from the direct sum by rounding only (the transforms' constants are exact in binary but
 * for G's sixths; a larger spread than im2col's, bounded in {@code WinogradConvTest}). It is deterministic: every
 * sum has one order whatever the thread count, and the transforms are the same plain Java under both kernel
 * choices. {@code -Dcandela.winograd=false} turns it off (every convolution then sums taps directly).
 */
public final class WinogradConv {
    private WinogradConv() {}

    /** Off with {@code -Dcandela.winograd=false}. */
    public static final boolean ENABLED = !"false".equals(System.getProperty("candela.winograd"));

    static final int POS = 36;

    /**
     * Whether a convolution is done this way: 3x3, stride and dilation 1, one group, and wide enough that the
     * transforms pay (16 input and output channels) with enough 4x4 blocks to fill the GEMM's column panels.
     */
    public static boolean applies(ConvKernels.Geometry g, int groups, int outC) {
        return ENABLED && groups == 1 && g.kh() == 3 && g.kw() == 3 && g.sy() == 1 && g.sx() == 1 && g.dy() == 1 && g.dx() == 1
                && g.c() >= 16 && outC >= 16 && blocks(g.oh()) * blocks(g.ow()) >= 36 && bandRows(g, outC, SCRATCH_FLOATS) >= 1;
    }

    static int blocks(int n) { return (n + 3) / 4; }

    /**
     * Most floats of scratch one call uses (kept by the calling thread for the next call): the transformed input
     * and the 36 products of a whole image take 36 (c + outC) floats per 4x4 block: 4.8 GB for a 64-channel layer at
     * 2048 x 2048, past an int's range for 512 channels at 1024 x 1024. So an image is done in bands of block rows
     * within this (64 MB: every layer of VGG-16 at 224 x 224 in one band); a convolution whose single row of blocks
     * exceeds it is left to im2col.
     */
    static final int SCRATCH_FLOATS = 1 << 24;

    /** Rows of 4x4 blocks per band within {@code budget} floats of scratch; 0 when not even one row fits. */
    static int bandRows(ConvKernels.Geometry g, int outC, int budget) {
        long perRow = (long) POS * (g.c() + outC) * blocks(g.ow());
        return (int) Math.min(blocks(g.oh()), budget / perRow);
    }

    /**
     * U[pos][co][ci] = (G w[co][ci] G^T)[pos], packed as one GEMM A operand (outC x c) per position. Computed in
     * double and rounded once.
     */
    public static Sgemm.PackedA[] packWeights(float[] w, int outC, int c) {
        final double[][] gm = {{1 / 4.0, 0, 0}, {-1 / 6.0, -1 / 6.0, -1 / 6.0}, {-1 / 6.0, 1 / 6.0, -1 / 6.0},
                {1 / 24.0, 1 / 12.0, 1 / 6.0}, {1 / 24.0, -1 / 12.0, 1 / 6.0}, {0, 0, 1}};
        float[] u = new float[POS * outC * c];
        double[] t = new double[18];
        for (int co = 0; co < outC; co++)
            for (int ci = 0; ci < c; ci++) {
                int at = (co * c + ci) * 9;
                for (int i = 0; i < 6; i++) // t = G w (6 x 3)
                    for (int j = 0; j < 3; j++)
                        t[i * 3 + j] = gm[i][0] * w[at + j] + gm[i][1] * w[at + 3 + j] + gm[i][2] * w[at + 6 + j];
                for (int i = 0; i < 6; i++) // U = t G^T (6 x 6)
                    for (int j = 0; j < 6; j++)
                        u[((i * 6 + j) * outC + co) * c + ci] = (float) (t[i * 3] * gm[j][0] + t[i * 3 + 1] * gm[j][1] + t[i * 3 + 2] * gm[j][2]);
            }
        Sgemm.PackedA[] p = new Sgemm.PackedA[POS];
        for (int pos = 0; pos < POS; pos++) p[pos] = Sgemm.packA(u, pos * outC * c, c, 1, outC, c);
        return p;
    }

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    /** y[n][outC][oh][ow] = conv(x) + bias, then {@code after} (may be null) per output plane. */
    public static void conv(float[] x, int n, ConvKernels.Geometry g, Sgemm.PackedA[] u, float[] bias, ConvEpilogue after,
                            float[] y, Parallel parallel) {
        conv(x, n, g, u, bias, after, y, parallel, SCRATCH_FLOATS);
    }

    /**
     * The same in bands of block rows that fit {@code budget} floats of scratch. Each output is the same sum in the
     * same order whatever the band (the GEMMs' order depends on their depth alone), so the bits do not depend on it.
     */
    static void conv(float[] x, int n, ConvKernels.Geometry g, Sgemm.PackedA[] u, float[] bias, ConvEpilogue after,
                     float[] y, Parallel parallel, int budget) {
        int c = g.c(), outC = u[0].rows(), th = blocks(g.oh()), tw = blocks(g.ow()), oh = g.oh(), ow = g.ow();
        int band = bandRows(g, outC, budget);
        if (band < 1) throw new IllegalStateException("one row of 4x4 blocks exceeds the scratch (" + c + " + " + outC + " channels, " + ow + " wide): applies() is false");
        int most = POS * (c + outC) * band * tw;
        float[] s = SCRATCH.get();
        if (s.length < most) SCRATCH.set(s = new float[most]);
        float[] scratch = s;
        for (int b = 0; b < n; b++) {
            int xOff = b * c * g.h() * g.w(), yOff = b * outC * g.pixels();
            for (int ty0 = 0; ty0 < th; ty0 += band) {
                int ty1 = Math.min(th, ty0 + band), tiles = (ty1 - ty0) * tw, vSize = POS * c * tiles, r0 = 4 * ty0 * ow;
                int len = (Math.min(oh, 4 * ty1) - 4 * ty0) * ow;
                Sgemm.Tiling t = Sgemm.Tiling.of(outC, tiles, POS, parallel.threads());
                int gemmTiles = t.tiles(), first = ty0;
                parallel.forEach(c, ci -> inputTransform(x, xOff + ci * g.h() * g.w(), g, first, ty1, tw, scratch, ci, c));
                parallel.forEach(POS * gemmTiles, i -> {
                    int pos = i / gemmTiles;
                    t.run(i % gemmTiles, u[pos], Sgemm.rowMajor(scratch, pos * c * tiles, tiles), scratch, vSize + pos * outC * tiles, tiles);
                });
                parallel.forEach(outC, co -> {
                    int at = yOff + co * g.pixels();
                    outputTransform(scratch, vSize, co, outC, g, first, ty1, tw, y, at);
                    if (bias != null) VectorOps.addScalar(y, at + r0, len, bias[co]);
                    if (after != null) after.apply(y, at + r0, len, co);
                });
            }
        }
    }

    /** V[pos][ci][block] = (B^T d B)[pos] for every block in rows [ty0, ty1) of blocks of one input plane. */
    private static void inputTransform(float[] x, int xo, ConvKernels.Geometry g, int ty0, int ty1, int tw, float[] v, int ci, int c) {
        int h = g.h(), w = g.w(), pt = g.padTop(), pl = g.padLeft(), width = 4 * tw + 2, tiles = (ty1 - ty0) * tw;
        float[] rows = new float[6 * width], t = new float[6 * width], q = new float[6 * tw];
        for (int ty = ty0; ty < ty1; ty++) {
            // the six input rows of this row of blocks, zero outside the image
            java.util.Arrays.fill(rows, 0f);
            int lo = Math.max(0, pl), hi = Math.min(width, w + pl);
            for (int r = 0; r < 6; r++) {
                int iy = 4 * ty - pt + r;
                if (iy >= 0 && iy < h && hi > lo) System.arraycopy(x, xo + iy * w + lo - pl, rows, r * width + lo, hi - lo);
            }
            // t = B^T d, down the columns
            for (int k = 0; k < width; k++)
                inputRows(rows[k], rows[width + k], rows[2 * width + k], rows[3 * width + k], rows[4 * width + k], rows[5 * width + k], t, k, width);
            // (t B) per row i: the six columns of every block gathered, then combined across blocks
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 6; j++)
                    for (int tx = 0, src = i * width + j; tx < tw; tx++, src += 4) q[j * tw + tx] = t[src];
                int base = (ty - ty0) * tw;
                int o0 = ((i * 6) * c + ci) * tiles + base, step = c * tiles;
                for (int tx = 0; tx < tw; tx++)
                    inputRows(q[tx], q[tw + tx], q[2 * tw + tx], q[3 * tw + tx], q[4 * tw + tx], q[5 * tw + tx], v, o0 + tx, step);
            }
        }
    }

    /** Block rows [ty0, ty1) of y's plane of output channel co = A^T M A per block, M[pos][co][block] read at {@code mo}. */
    private static void outputTransform(float[] m, int mo, int co, int outC, ConvKernels.Geometry g, int ty0, int ty1, int tw, float[] y, int at) {
        int tiles = (ty1 - ty0) * tw, step = outC * tiles, oh = g.oh(), ow = g.ow();
        float[] s = new float[24 * tw];
        for (int ty = ty0; ty < ty1; ty++) {
            // s[i][c] = (M A)[i][c] for each row i of the block: across the six columns j
            for (int i = 0; i < 6; i++) {
                int src = mo + ((i * 6) * outC + co) * tiles + (ty - ty0) * tw;
                for (int tx = 0; tx < tw; tx++) {
                    float m0 = m[src + tx], m1 = m[src + step + tx], m2 = m[src + 2 * step + tx], m3 = m[src + 3 * step + tx],
                            m4 = m[src + 4 * step + tx], m5 = m[src + 5 * step + tx];
                    outputRows(m0, m1, m2, m3, m4, m5, s, (i * 4) * tw + tx, tw, 4);
                }
            }
            // A^T s down the rows, each output value stored at its pixel
            for (int cc = 0; cc < 4; cc++) {
                for (int tx = 0; tx < tw; tx++) {
                    int ox = 4 * tx + cc;
                    if (ox >= ow) break;
                    float s0 = s[cc * tw + tx], s1 = s[(4 + cc) * tw + tx], s2 = s[(8 + cc) * tw + tx], s3 = s[(12 + cc) * tw + tx],
                            s4 = s[(16 + cc) * tw + tx], s5 = s[(20 + cc) * tw + tx];
                    int oy = 4 * ty;
                    outputRows(s0, s1, s2, s3, s4, s5, y, at + oy * ow + ox, ow, Math.min(4, oh - oy));
                }
            }
        }
    }

    /** The six rows of B^T d for one column d0..d5 of a 6x6 input block, written at o, o + step, ..., o + 5 step. */
    private static void inputRows(float d0, float d1, float d2, float d3, float d4, float d5, float[] out, int o, int step) {
        out[o] = 4f * d0 - 5f * d2 + d4;
        out[o + step] = -4f * d1 - 4f * d2 + d3 + d4;
        out[o + 2 * step] = 4f * d1 - 4f * d2 - d3 + d4;
        out[o + 3 * step] = -2f * d1 - d2 + 2f * d3 + d4;
        out[o + 4 * step] = 2f * d1 - d2 - 2f * d3 + d4;
        out[o + 5 * step] = 4f * d1 - 5f * d3 + d5;
    }

    /** The first {@code count} of the four rows of A^T m for one column m0..m5, written at o, o + step, .... */
    private static void outputRows(float m0, float m1, float m2, float m3, float m4, float m5, float[] out, int o, int step, int count) {
        out[o] = m0 + m1 + m2 + m3 + m4;
        if (count > 1) out[o + step] = m1 - m2 + 2f * m3 - 2f * m4;
        if (count > 2) out[o + 2 * step] = m1 + m2 + 4f * m3 + 4f * m4;
        if (count > 3) out[o + 3 * step] = m1 - m2 + 8f * m3 - 8f * m4 + m5;
    }
}
