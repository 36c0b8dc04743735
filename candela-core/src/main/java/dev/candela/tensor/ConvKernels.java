package dev.candela.tensor;

/**
 * Fast 2-D convolution in NCHW: im2col fused into the packing of {@link Sgemm}'s B operand (so the
 * column matrix is never materialised), 1x1 stride-1 convolutions read the input as B directly,
 * depthwise convolutions use a direct kernel. The GEMM is oriented with output channels as rows and
 * output pixels as the vector dimension. The input gradient of a stride-1 convolution is the same
 * machinery run as a transposed convolution (flipped and transposed weights), so it gathers rather
 * than scatters; a strided convolution's is a GEMM into a column gradient followed by col2im, one
 * input plane per task. Either way every output element is summed in a fixed order, so results do
 * not depend on the thread split.
 */
public final class ConvKernels {
    private ConvKernels() {}

    /**
     * One convolution of an image of {@code c x h x w} (channels per group) with a {@code kh x kw}
     * kernel into {@code oh x ow}. Pads are the top and left offsets and may be negative (the
     * transposed convolution of the backward pass needs that); bottom/right padding is implied by oh, ow.
     */
    public record Geometry(int c, int h, int w, int kh, int kw, int sy, int sx, int dy, int dx,
                           int padTop, int padLeft, int oh, int ow) {
        public int depth() { return c * kh * kw; }
        public int pixels() { return oh * ow; }
        boolean pointwise() { return kh == 1 && kw == 1 && sy == 1 && sx == 1 && padTop == 0 && padLeft == 0 && oh == h && ow == w; }
    }

    /** Packs per-group weights [outC][c*kh*kw] (row-major OIHW) as GEMM A operands. */
    public static Sgemm.PackedA[] packWeights(float[] w, int outC, int groups, int depth) {
        int ocg = outC / groups;
        Sgemm.PackedA[] p = new Sgemm.PackedA[groups];
        for (int g = 0; g < groups; g++) p[g] = Sgemm.packA(w, g * ocg * depth, depth, 1, ocg, depth);
        return p;
    }

    /**
     * Weights of the transposed convolution that computes the input gradient: for group g,
     * W'[ci][co][ky][kx] = W[co][ci][kh-1-ky][kw-1-kx], packed with ci as rows.
     */
    public static Sgemm.PackedA[] packTransposedWeights(float[] w, int outC, int icg, int kh, int kw, int groups) {
        int ocg = outC / groups, khw = kh * kw;
        Sgemm.PackedA[] p = new Sgemm.PackedA[groups];
        float[] t = new float[icg * ocg * khw];
        for (int g = 0; g < groups; g++) {
            for (int ci = 0; ci < icg; ci++)
                for (int co = 0; co < ocg; co++)
                    for (int r = 0; r < khw; r++)
                        t[(ci * ocg + co) * khw + r] = w[((g * ocg + co) * icg + ci) * khw + (khw - 1 - r)];
            p[g] = Sgemm.packA(t, 0, ocg * khw, 1, icg, ocg * khw);
        }
        return p;
    }

    /**
     * y[n][outC][oh][ow] = conv(x[n][groups*g.c][h][w]) + bias via GEMM. Tiles (image, group,
     * row block, column block) are independent, so any thread count gives the same bits.
     */
    public static void gemmConv(float[] x, int n, Geometry g, int groups, Sgemm.PackedA[] w, float[] bias,
                                float[] y, Parallel parallel) {
        gemmConv(x, n, g, groups, w, bias, null, y, parallel);
    }

    /** The same, with {@code after} (may be null) applied to each tile's output rows once they are summed. */
    public static void gemmConv(float[] x, int n, Geometry g, int groups, Sgemm.PackedA[] w, float[] bias,
                                ConvEpilogue after, float[] y, Parallel parallel) {
        if (!g.pointwise() && shiftedWidth(g) <= 2 * g.ow()) shiftedConv(x, n, g, groups, w, bias, after, y, parallel);
        else im2colConv(x, n, g, groups, w, bias, after, y, parallel);
    }

    /** The convolution with B packed from the input directly (pointwise) or through im2col. */
    static void im2colConv(float[] x, int n, Geometry g, int groups, Sgemm.PackedA[] w, float[] bias,
                           ConvEpilogue after, float[] y, Parallel parallel) {
        int ocg = w[0].rows(), outC = ocg * groups, inPlane = g.h() * g.w(), outPlane = g.pixels();
        Sgemm.Tiling t = Sgemm.Tiling.of(ocg, outPlane, n * groups, parallel.threads());
        int tiles = t.tiles();
        java.util.function.IntFunction<Sgemm.BPacker> packers = item -> {
            int xOff = item * g.c() * inPlane;
            return g.pointwise() ? Sgemm.rowMajor(x, xOff, inPlane) : im2col(x, xOff, g);
        };
        Sgemm.PackedB[] shared = sharedB(t, n * groups, g.depth(), outPlane, packers, parallel);
        parallel.forEach(n * groups * tiles, i -> {
            int item = i / tiles, b = item / groups, gr = item % groups;
            int yOff = (b * outC + gr * ocg) * outPlane;
            if (shared != null) t.run(i % tiles, w[gr], shared[item], y, yOff, outPlane);
            else t.run(i % tiles, w[gr], packers.apply(item), y, yOff, outPlane);
            if (bias != null || after != null) {
                int i0 = (i % tiles) / t.colBlocks() * t.rowBlock(), j0 = (i % tiles) % t.colBlocks() * t.colBlock();
                int i1 = Math.min(ocg, i0 + t.rowBlock()), j1 = Math.min(outPlane, j0 + t.colBlock());
                for (int o = i0; o < i1; o++) {
                    int at = yOff + o * outPlane + j0;
                    if (bias != null) VectorOps.addScalar(y, at, j1 - j0, bias[gr * ocg + o]);
                    if (after != null) after.apply(y, at, j1 - j0, gr * ocg + o);
                }
            }
        });
    }

    private static final ThreadLocal<float[]> SHARED_B = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * When the tiling cuts rows, several tiles (on different threads) need the same packed columns, and each
     * would pack them again: for a late layer (7x7 pixels, 4608-deep) that repeated packing costs a quarter of
     * the multiply. Then B is packed once per item, in parallel over its KC blocks, and shared; else null.
     * The packed values are the same, so the sums and their bits are too.
     */
    private static Sgemm.PackedB[] sharedB(Sgemm.Tiling t, int items, int depth, int cols,
                                           java.util.function.IntFunction<Sgemm.BPacker> packers, Parallel parallel) {
        if (t.rowBlocks() < 2 || parallel.threads() < 2 || depth == 0) return null;
        long one = Sgemm.PackedB.size(depth, cols);
        if (one * items > Integer.MAX_VALUE - 16) return null; // too large to share in one array: each tile packs its own
        int size = (int) one, blocks = Sgemm.PackedB.blocks(depth);
        float[] data = SHARED_B.get();
        if (data.length < items * size) SHARED_B.set(data = new float[items * size]);
        Sgemm.PackedB[] p = new Sgemm.PackedB[items];
        for (int i = 0; i < items; i++) p[i] = new Sgemm.PackedB(depth, cols, data, i * size);
        parallel.forEach(items * blocks, k -> p[k / blocks].packBlock(packers.apply(k / blocks), k % blocks));
        return p;
    }

    /** Row width of the zero-padded phase planes a convolution reads: the output width plus the kernel's reach in phase columns. */
    static int shiftedWidth(Geometry g) { return g.ow() + g.dx() * (g.kw() - 1) / g.sx(); }

    /** Rows of a phase plane: the output height plus the kernel's reach in phase rows. */
    static int shiftedHeight(Geometry g) { return g.oh() + g.dy() * (g.kh() - 1) / g.sy(); }

    private static final ThreadLocal<float[]> SHIFT_OUT = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> PHASES = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Convolution over zero-padded phase planes whose rows are {@link #shiftedWidth} wide: with strides sy x sx, phase
     * (py, px) of a channel holds the padded input at rows r*sy + py and columns c*sx + px (one plane, the padded
     * image, at stride 1). Tap (ky, kx) of output (oy, ox) reads padded row oy*sy + ky*dy, that is phase row
     * oy + ky*dy/sy of phase ky*dy%sy, and likewise for columns, so tap (ci, ky, kx)'s row of the column matrix is
     * one contiguous slice of one phase plane and packing B is whole-vector copies instead of short runs clipped at
     * every image row or strided gathers (which cost more than the multiply on small planes and strided layers). The
     * GEMM computes wp - ow extra outputs per row, which are dropped. Each output is the same sum in the same order
     * as the im2col path, so the bits do not change. Every (image, group) is laid out once, before the tiles that
     * share it run.
     */
    static void shiftedConv(float[] x, int n, Geometry g, int groups, Sgemm.PackedA[] w, float[] bias,
                            ConvEpilogue after, float[] y, Parallel parallel) {
        int ocg = w[0].rows(), outC = ocg * groups, inPlane = g.h() * g.w(), outPlane = g.pixels();
        int wp = shiftedWidth(g), hp = shiftedHeight(g), phases = g.sy() * g.sx(), padded = phases * hp * wp, cols = g.oh() * wp;
        // room past the last plane: the last taps' slices run their column offset over, a partial panel up to NR
        int padLength = g.c() * padded + g.dx() * (g.kw() - 1) / g.sx() + Sgemm.NR;
        if ((long) n * groups * padLength > Integer.MAX_VALUE - 16) { // past one array's reach: gather instead
            im2colConv(x, n, g, groups, w, bias, after, y, parallel);
            return;
        }
        // the caller's scratch, not a new array per call: a batch of 32 made 20 MB of garbage per strided layer, and
        // the young collections it forced (with the kept activations to copy) cost more than the convolution
        float[] scratch = PHASES.get();
        if (scratch.length < n * groups * padLength) PHASES.set(scratch = new float[n * groups * padLength]);
        float[] xp = scratch;
        parallel.forEach(n * groups, item -> {
            java.util.Arrays.fill(xp, item * padLength, (item + 1) * padLength, 0f);
            padInto(x, item * g.c() * inPlane, g, hp, wp, xp, item * padLength);
        });
        Sgemm.Tiling t = Sgemm.Tiling.of(ocg, cols, n * groups, parallel.threads());
        int tiles = t.tiles();
        int[] taps = tapStarts(g, hp, wp);
        Sgemm.PackedB[] shared = sharedB(t, n * groups, g.depth(), cols, item -> shifted(xp, item * padLength, taps), parallel);
        parallel.forEach(n * groups * tiles, i -> {
            int item = i / tiles, b = item / groups, gr = item % groups, tile = i % tiles;
            int i0 = tile / t.colBlocks() * t.rowBlock(), j0 = tile % t.colBlocks() * t.colBlock();
            int i1 = Math.min(ocg, i0 + t.rowBlock()), j1 = Math.min(cols, j0 + t.colBlock()), ldc = j1 - j0;
            float[] c = SHIFT_OUT.get();
            if (c.length < (i1 - i0) * ldc) SHIFT_OUT.set(c = new float[(i1 - i0) * ldc]);
            if (shared != null) Sgemm.multiplyTile(w[gr], i0, i1, shared[item], j0, j1, c, -i0 * ldc - j0, ldc);
            else Sgemm.multiplyTile(w[gr], i0, i1, shifted(xp, item * padLength, taps), j0, j1, c, -i0 * ldc - j0, ldc);
            int yOff = (b * outC + gr * ocg) * outPlane, ow = g.ow();
            for (int o = i0; o < i1; o++) {
                float bv = bias == null ? 0f : bias[gr * ocg + o];
                int src = (o - i0) * ldc - j0, dst = yOff + o * outPlane;
                int first = -1, last = -1;
                for (int j = j0; j < j1; ) {
                    int oy = j / wp, ox = j % wp, end = Math.min(j1, oy * wp + ow);
                    if (ox < ow) {
                        if (bias == null) System.arraycopy(c, src + j, y, dst + oy * ow + ox, end - j);
                        else VectorOps.addScalarInto(c, src + j, y, dst + oy * ow + ox, end - j, bv);
                        if (first < 0) first = dst + oy * ow + ox;
                        last = dst + oy * ow + ox + end - j;
                    }
                    j = (oy + 1) * wp;
                }
                // the rows this tile wrote follow one another in y (a row's padding columns are not written), so
                // the element-wise epilogue runs once over them: per row, 7- and 14-wide rows ran in scalar tails
                if (after != null && first >= 0) after.apply(y, first, last - first, gr * ocg + o);
            }
        });
    }

    /**
     * xp[at + ci*phases*hp*wp + (py*sx + px)*hp*wp + r*wp + c] = x[off + ci*h*w + iy*w + ix] for iy = r*sy + py - padTop,
     * ix = c*sx + px - padLeft; 0 outside the image.
     */
    private static void padInto(float[] x, int off, Geometry g, int hp, int wp, float[] xp, int at) {
        for (int ci = 0; ci < g.c(); ci++) padPhases(x, off + ci * g.h() * g.w(), g, hp, wp, xp, at + ci * g.sy() * g.sx() * hp * wp);
    }

    /** The phase planes of one input plane at {@code src}, written at {@code at}; xp's span must be zero already. */
    private static void padPhases(float[] x, int src, Geometry g, int hp, int wp, float[] xp, int at) {
        int h = g.h(), w = g.w(), pt = g.padTop(), pl = g.padLeft(), sy = g.sy(), sx = g.sx();
        for (int py = 0; py < sy; py++)
            for (int px = 0; px < sx; px++) {
                int dst = at + (py * sx + px) * hp * wp;
                // phase columns c in [lo, hi) read inside the row: c*sx + px - pl in [0, w)
                int lo = Math.min(wp, Math.max(0, Math.ceilDiv(pl - px, sx))), hi = Math.max(lo, Math.min(wp, Math.ceilDiv(w + pl - px, sx)));
                for (int r = 0; r < hp; r++, dst += wp) {
                    int iy = r * sy + py - pt;
                    if (iy < 0 || iy >= h || hi <= lo) continue; // left zero
                    int s0 = src + iy * w + lo * sx + px - pl;
                    if (sx == 1) System.arraycopy(x, s0, xp, dst + lo, hi - lo);
                    else for (int c = lo, s = s0; c < hi; c++, s += sx) xp[dst + c] = x[s];
                }
            }
    }

    /** Offset of tap (ky, kx)'s slice in a channel's phase planes. */
    private static int tapOffset(Geometry g, int ky, int kx, int hp, int wp) {
        int ry = ky * g.dy(), rx = kx * g.dx();
        return ((ry % g.sy()) * g.sx() + rx % g.sx()) * hp * wp + (ry / g.sy()) * wp + rx / g.sx();
    }

    /** Where row k = (ci, ky, kx) of the column matrix starts in one image's phase planes (offset + j is column j). */
    static int[] tapStarts(Geometry g, int hp, int wp) {
        int khw = g.kh() * g.kw(), kw = g.kw(), channel = g.sy() * g.sx() * hp * wp;
        int[] starts = new int[g.depth()];
        for (int k = 0; k < starts.length; k++) {
            int r = k % khw;
            starts[k] = (k / khw) * channel + tapOffset(g, r / kw, r % kw, hp, wp);
        }
        return starts;
    }

    /**
     * B[k][j] = the phase plane of tap k = (ci, ky, kx) at its row and column offset + j: the column matrix in the
     * phase layout. The offsets come from {@link #tapStarts}, computed once per convolution: worked out per panel
     * row, their divisions cost more than the copies for shallow layers (a 3-channel stem: 27 rows of 32 values).
     */
    static Sgemm.BPacker shifted(float[] xp, int at, int[] tapStarts) {
        return (k0, kc, j0, nc, dst, pos) -> {
            for (int p = 0; p * Sgemm.NR < nc; p++) {
                int jb = at + j0 + p * Sgemm.NR;
                int d = pos + p * Sgemm.NR * kc;
                // a partial last panel copies NR values too: the columns past nc are never stored
                for (int kk = 0; kk < kc; kk++, d += Sgemm.NR) Sgemm.copyPanelRow(xp, tapStarts[k0 + kk] + jb, dst, d);
            }
        };
    }

    /** B[k][j] of the column matrix of one image and group, packed straight from the input. */
    static Sgemm.BPacker im2col(float[] x, int off, Geometry g) {
        return (k0, kc, j0, nc, dst, pos) -> {
            int khw = g.kh() * g.kw(), plane = g.h() * g.w();
            for (int p = 0; p * Sgemm.NR < nc; p++) {
                int jb = j0 + p * Sgemm.NR, jn = Math.min(Sgemm.NR, nc - p * Sgemm.NR);
                int d = pos + p * Sgemm.NR * kc;
                for (int kk = 0; kk < kc; kk++, d += Sgemm.NR) {
                    int k = k0 + kk, ci = k / khw, r = k % khw;
                    fillRow(x, off + ci * plane, g, r / g.kw(), r % g.kw(), jb, jn, dst, d);
                    for (int jj = jn; jj < Sgemm.NR; jj++) dst[d + jj] = 0f;
                }
            }
        };
    }

    /** dst[d + t] = input value under kernel tap (ky, kx) for output pixel jb + t, t < jn (0 in padding). */
    static void fillRow(float[] x, int planeOff, Geometry g, int ky, int kx, int jb, int jn, float[] dst, int d) {
        int ow = g.ow(), w = g.w(), sx = g.sx();
        int oy = jb / ow, ox = jb % ow, left = jn;
        while (left > 0) {
            int run = Math.min(left, ow - ox);
            int iy = oy * g.sy() - g.padTop() + ky * g.dy();
            if (iy < 0 || iy >= g.h()) {
                for (int t = 0; t < run; t++) dst[d + t] = 0f;
            } else {
                int row = planeOff + iy * w, ix0 = ox * sx - g.padLeft() + kx * g.dx();
                if (sx == 1) {
                    int lo = Math.min(run, Math.max(0, -ix0)), hi = Math.max(lo, Math.min(run, w - ix0));
                    for (int t = 0; t < lo; t++) dst[d + t] = 0f;
                    if (hi > lo) System.arraycopy(x, row + ix0 + lo, dst, d + lo, hi - lo);
                    for (int t = hi; t < run; t++) dst[d + t] = 0f;
                } else {
                    // t in [lo, hi) reads inside the row: ix0 + t*sx in [0, w)
                    int lo = Math.min(run, Math.max(0, Math.ceilDiv(-ix0, sx)));
                    int hi = Math.max(lo, Math.min(run, Math.ceilDiv(w - ix0, sx)));
                    for (int t = 0; t < lo; t++) dst[d + t] = 0f;
                    for (int t = lo, s = row + ix0 + lo * sx; t < hi; t++, s += sx) dst[d + t] = x[s];
                    for (int t = hi; t < run; t++) dst[d + t] = 0f;
                }
            }
            left -= run;
            d += run;
            ox = 0;
            oy++;
        }
    }

    /**
     * Depthwise convolution (groups == input channels, output channel o reads input channel
     * o / multiplier). Parallel over (image, channel) planes.
     */
    public static void depthwise(float[] x, int n, int channels, int multiplier, Geometry g, float[] w, float[] bias,
                                 float[] y, Parallel parallel) {
        depthwise(x, n, channels, multiplier, g, w, bias, null, y, parallel);
    }

    /** The same, with {@code after} (may be null) applied to each output plane once it is summed. */
    public static void depthwise(float[] x, int n, int channels, int multiplier, Geometry g, float[] w, float[] bias,
                                 ConvEpilogue after, float[] y, Parallel parallel) {
        int outC = channels * multiplier, inPlane = g.h() * g.w(), outPlane = g.pixels(), khw = g.kh() * g.kw();
        // a fixed width, not one from the lane count: the scalar and Vector API kernels must take the same path
        // strided planes always (the direct loop gathers with a stride, in scalars)
        boolean shifted = g.sy() == 1 && g.sx() == 1 ? g.ow() < 64 : true;
        // output rows of at most one 512-bit vector (14x14 and 7x7 maps): measured faster blocked (EfficientNet-B0's
        // 1152-channel 7x7 layers 2.0 -> 1.0 ms, its 14x14 ones 2.1 -> 1.8); at 28 and 56 the transposes cost more
        if (shifted && multiplier == 1 && g.ow() <= CB) {
            depthwiseBlocked(x, n, channels, g, w, bias, after, y, parallel);
            return;
        }
        parallel.forEach(n * outC, i -> {
            int b = i / outC, o = i % outC;
            int yo = i * outPlane;
            float start = bias == null ? 0f : bias[o];
            if (shifted) {
                depthwisePlaneShifted(x, (b * channels + o / multiplier) * inPlane, g, w, o * khw, start, y, yo);
            } else {
                java.util.Arrays.fill(y, yo, yo + outPlane, start);
                depthwisePlane(x, (b * channels + o / multiplier) * inPlane, g, w, o * khw, y, yo);
            }
            if (after != null) after.apply(y, yo, outPlane, o);
        });
    }

    /**
     * Input gradient of a depthwise convolution: for input channel c, the sum over its multiplier
     * output channels of the transposed convolution ({@code g} describes it: input = zero-inserted
     * gradient, flipped taps in {@code flipped}).
     */
    public static void depthwiseTransposed(float[] gyU, int n, int channels, int multiplier, Geometry g, float[] flipped,
                                           float[] gx, Parallel parallel) {
        int outC = channels * multiplier, inPlane = g.h() * g.w(), outPlane = g.pixels(), khw = g.kh() * g.kw();
        parallel.forEach(n * channels, i -> {
            int b = i / channels, c = i % channels;
            int go = i * outPlane;
            java.util.Arrays.fill(gx, go, go + outPlane, 0f);
            for (int m = 0; m < multiplier; m++) {
                int o = c * multiplier + m;
                depthwisePlane(gyU, (b * outC + o) * inPlane, g, flipped, o * khw, gx, go);
            }
        });
    }

    private static final int CB = VectorOps.BLOCK;
    private static final ThreadLocal<float[][]> BLOCKED = ThreadLocal.withInitial(() -> new float[][]{new float[0], new float[0], new float[0]});

    /**
     * The planes {@link #depthwisePlaneShifted} would take (short rows, strides), CB channels at a time in a
     * channel-blocked layout ([row][column][CB channels], zero-padded): an output row's taps are whole vectors across
     * channels ({@link VectorOps#blockTapSum}, four pixels' sums kept in registers through every tap), whatever the
     * plane's width or stride, instead of axpys over rows of 7 or 14 values and phase planes. Each output starts at its bias and adds the taps in the
     * same (ky, kx) order with the same fused multiply-adds, padding taps included, so the bits are those of
     * {@link #depthwisePlaneShifted} (ConvLayoutBitsTest).
     */
    static void depthwiseBlocked(float[] x, int n, int channels, Geometry g, float[] w, float[] bias, ConvEpilogue after,
                                 float[] y, Parallel parallel) {
        int kh = g.kh(), kw = g.kw(), khw = kh * kw, oh = g.oh(), ow = g.ow(), sy = g.sy(), sx = g.sx();
        int hp = (oh - 1) * sy + (kh - 1) * g.dy() + 1, wp = (ow - 1) * sx + (kw - 1) * g.dx() + 1;
        int blocks = (channels + CB - 1) / CB, inPlane = g.h() * g.w(), outPlane = g.pixels();
        parallel.forEach(n * blocks, task -> {
            int b = task / blocks, c0 = task % blocks * CB, cn = Math.min(CB, channels - c0);
            float[][] scratch = BLOCKED.get();
            if (scratch[0].length < hp * wp * CB) scratch[0] = new float[hp * wp * CB];
            if (scratch[1].length < outPlane * CB) scratch[1] = new float[outPlane * CB];
            if (scratch[2].length < khw * CB) scratch[2] = new float[khw * CB];
            float[] xb = scratch[0], acc = scratch[1], wb = scratch[2];
            java.util.Arrays.fill(xb, 0, hp * wp * CB, 0f);
            java.util.Arrays.fill(wb, 0, khw * CB, 0f);
            int lo = g.padLeft(), hi = Math.min(wp, g.w() + g.padLeft()); // padded columns inside the image
            for (int c = 0; c < cn; c++) {
                int src = (b * channels + c0 + c) * inPlane;
                for (int r = 0; r < hp; r++) {
                    int iy = r - g.padTop();
                    if (iy < 0 || iy >= g.h()) continue;
                    for (int col = lo, at = (r * wp + lo) * CB + c; col < hi; col++, at += CB) xb[at] = x[src + iy * g.w() + col - g.padLeft()];
                }
                for (int t = 0; t < khw; t++) wb[t * CB + c] = w[(c0 + c) * khw + t];
                float start = bias == null ? 0f : bias[c0 + c];
                for (int o = 0, at = c; o < outPlane; o++, at += CB) acc[at] = start;
            }
            int[] taps = new int[khw];
            for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++) taps[ky * kw + kx] = (ky * g.dy() * wp + kx * g.dx()) * CB;
            for (int oy = 0; oy < oh; oy++) VectorOps.blockTapSum(wb, 0, taps, khw, xb, oy * sy * wp * CB, sx * CB, acc, oy * ow * CB, ow);
            for (int c = 0; c < cn; c++) {
                int dst = (b * channels + c0 + c) * outPlane;
                for (int o = 0, at = c; o < outPlane; o++, at += CB) y[dst + o] = acc[at];
                if (after != null) after.apply(y, dst, outPlane, c0 + c);
            }
        });
    }

    private static final ThreadLocal<float[][]> DW_SCRATCH = ThreadLocal.withInitial(() -> new float[][]{new float[0], new float[0]});

    /**
     * A depthwise plane through zero-padded phase planes ({@link #shiftedConv}'s layout): taken for stride-1 planes
     * whose rows are too short for whole vectors (14x14 and 7x7 in a MobileNet) and for every strided plane, whose
     * direct loop gathers in scalars. Each tap reads a contiguous slice covering all output rows at once; the sums over
     * taps stay in registers ({@link VectorOps#tapSum}: an axpy per tap stored and reloaded them, 2 loads and a store a
     * multiply-add).
     * Taps are summed in the same order as {@link #depthwisePlane}; a tap over padding adds w * 0, which leaves the
     * sum as it is except that a -0 sum becomes +0 (weights are finite: models with non-finite weights are refused).
     */
    static void depthwisePlaneShifted(float[] x, int xo, Geometry g, float[] w, int wo, float start, float[] y, int yo) {
        int wp = shiftedWidth(g), hp = shiftedHeight(g), cols = g.oh() * wp, ow = g.ow();
        int padLength = g.sy() * g.sx() * hp * wp + g.dx() * (g.kw() - 1) / g.sx();
        float[][] scratch = DW_SCRATCH.get();
        if (scratch[0].length < padLength) scratch[0] = new float[padLength];
        if (scratch[1].length < cols) scratch[1] = new float[cols];
        float[] xp = scratch[0], acc = scratch[1];
        java.util.Arrays.fill(xp, 0, padLength, 0f);
        padPhases(x, xo, g, hp, wp, xp, 0);
        int[] taps = new int[g.kh() * g.kw()];
        for (int ky = 0; ky < g.kh(); ky++)
            for (int kx = 0; kx < g.kw(); kx++) taps[ky * g.kw() + kx] = tapOffset(g, ky, kx, hp, wp);
        VectorOps.tapSum(w, wo, taps, taps.length, start, xp, 0, acc, 0, cols);
        for (int oy = 0; oy < g.oh(); oy++) System.arraycopy(acc, oy * wp, y, yo + oy * ow, ow);
    }

    /** y[plane] += conv of one input plane with one kh x kw filter, tap by tap (row axpys). */
    static void depthwisePlane(float[] x, int xo, Geometry g, float[] w, int wo, float[] y, int yo) {
        int h = g.h(), wd = g.w(), oh = g.oh(), ow = g.ow(), sx = g.sx();
        for (int ky = 0; ky < g.kh(); ky++)
            for (int kx = 0; kx < g.kw(); kx++) {
                float wv = w[wo + ky * g.kw() + kx];
                int shift = kx * g.dx() - g.padLeft();
                // ox range whose input column ox*sx + shift lies in [0, wd)
                int lo = Math.max(0, Math.floorDiv(-shift + sx - 1, sx));
                int hi = Math.min(ow, Math.floorDiv(wd - 1 - shift, sx) + 1);
                if (hi <= lo) continue;
                for (int oy = 0; oy < oh; oy++) {
                    int iy = oy * g.sy() - g.padTop() + ky * g.dy();
                    if (iy < 0 || iy >= h) continue;
                    int src = xo + iy * wd + shift, dst = yo + oy * ow;
                    if (sx == 1) VectorOps.axpy(wv, x, src + lo, y, dst + lo, hi - lo);
                    else for (int ox = lo; ox < hi; ox++) y[dst + ox] = Math.fma(wv, x[src + ox * sx], y[dst + ox]);
                }
            }
    }

    /**
     * The gradient zero-inserted for a strided convolution: [n][c][(oh-1)*sy+1][(ow-1)*sx+1] with
     * gy at every stride-th position (returned as is when both strides are 1).
     */
    public static float[] zeroInsert(float[] gy, int nc, int oh, int ow, int sy, int sx) {
        if (sy == 1 && sx == 1) return gy;
        int uh = (oh - 1) * sy + 1, uw = (ow - 1) * sx + 1;
        float[] u = new float[nc * uh * uw];
        for (int p = 0; p < nc; p++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) u[(p * uh + oy * sy) * uw + ox * sx] = gy[(p * oh + oy) * ow + ox];
        return u;
    }

    /**
     * Geometry of the transposed convolution that yields the input gradient of a forward
     * convolution with geometry {@code f} (whose input is h x w): stride 1 over the zero-inserted
     * gradient, pads d*(k-1) - pad, output h x w; {@code c} = output channels per group.
     */
    public static Geometry transposedGeometry(Geometry f, int outChannelsPerGroup) {
        int uh = (f.oh() - 1) * f.sy() + 1, uw = (f.ow() - 1) * f.sx() + 1;
        return new Geometry(outChannelsPerGroup, uh, uw, f.kh(), f.kw(), 1, 1, f.dy(), f.dx(),
                f.dy() * (f.kh() - 1) - f.padTop(), f.dx() * (f.kw() - 1) - f.padLeft(), f.h(), f.w());
    }

    /** Per-group W^T for the column-gradient GEMM: rows (ci, ky, kx), columns output channels. */
    public static Sgemm.PackedA[] packColumnGradientWeights(float[] w, int outC, int groups, int depth) {
        int ocg = outC / groups;
        Sgemm.PackedA[] p = new Sgemm.PackedA[groups];
        for (int g = 0; g < groups; g++) p[g] = Sgemm.packA(w, g * ocg * depth, 1, depth, depth, ocg);
        return p;
    }

    /**
     * Input gradient of a strided convolution (where the transposed convolution would mostly
     * multiply inserted zeros): per image, gcol = W^T · gy for every group (GEMM tiles), then
     * col2im adds each column entry to the input position it was read from, one input channel
     * plane per task in a fixed order.
     */
    public static void col2imGradient(float[] gy, int n, Geometry g, int groups, Sgemm.PackedA[] wt, float[] gx, Parallel parallel) {
        int depth = g.depth(), pix = g.pixels(), ocg = wt[0].depth(), outC = ocg * groups, inC = g.c() * groups;
        int plane = g.h() * g.w(), khw = g.kh() * g.kw();
        float[] gcol = new float[groups * depth * pix];
        Sgemm.Tiling t = Sgemm.Tiling.of(depth, pix, groups, parallel.threads());
        int tiles = t.tiles();
        for (int b = 0; b < n; b++) {
            int img = b;
            parallel.forEach(groups * tiles, i -> {
                int gr = i / tiles;
                t.run(i % tiles, wt[gr], Sgemm.rowMajor(gy, (img * outC + gr * ocg) * pix, pix), gcol, gr * depth * pix, pix);
            });
            parallel.forEach(inC, ci -> {
                int gr = ci / g.c(), cl = ci % g.c();
                int dst = (img * inC + ci) * plane;
                for (int r = 0; r < khw; r++) {
                    int ky = r / g.kw(), kx = r % g.kw();
                    int src = (gr * depth + cl * khw + r) * pix;
                    for (int oy = 0; oy < g.oh(); oy++) {
                        int iy = oy * g.sy() - g.padTop() + ky * g.dy();
                        if (iy < 0 || iy >= g.h()) continue;
                        int row = dst + iy * g.w(), s = src + oy * g.ow();
                        for (int ox = 0, ix = -g.padLeft() + kx * g.dx(); ox < g.ow(); ox++, ix += g.sx())
                            if (ix >= 0 && ix < g.w()) gx[row + ix] += gcol[s + ox];
                    }
                }
            });
        }
    }
}
