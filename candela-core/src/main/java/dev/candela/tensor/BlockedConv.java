package dev.candela.tensor;

import dev.candela.tensor.simd.FloatKernels;
import dev.candela.tensor.simd.KernelChoice;

/**
 * Direct convolution in the channel-blocked layout (NCHWc with c = {@link FloatKernels#BLOCK}, as oneDNN and ONNX
 * Runtime's MLAS use): the input is laid out once as zero-padded phase planes [block][phase][row][column][16
 * channels], the weights as [group of output blocks][input block][tap][input channel][blocks][16 outputs], and each
 * {@link FloatKernels#blockedConv} strip broadcasts an input value against the weight vectors of 64 output channels
 * for 6 pixels at a time (48 for 7 on rows of 7 and 14). Nothing is
 * packed per tile (the GEMM path copies every tap of every input channel into its column panels: nine copies of a
 * 3x3 layer's input), and output channels, not pixels, fill the vectors, so a 7x7 map wastes no lanes. The result
 * goes back to NCHW (bias and the fused epilogue on each channel's plane) for the layers around it.
 *
 * <p>Each output is one chain of fused multiply-adds over (input block, tap, channel) in that order, continued
 * through y between the weight chunks a task keeps in cache: the same bits for any thread count and lane count,
 * and, with bias added after the chain, the same value as the direct sum up to the order of its terms.
 */
public final class BlockedConv {
    private BlockedConv() {}

    private static final FloatKernels K = KernelChoice.KERNELS;
    private static final int B = FloatKernels.BLOCK;

    /** Off with {@code -Dcandela.blocked=false} (every convolution then goes through the GEMM). */
    public static final boolean ENABLED = !"false".equals(System.getProperty("candela.blocked"));

    /** Most floats of either blocked copy (input or output) one image may take, kept by the calling thread. */
    static final int SCRATCH_FLOATS = 1 << 24;

    /**
     * Whether a convolution runs here: one group, non-negative pads, both blocked copies within
     * {@link #SCRATCH_FLOATS}, not a stride-1 1x1 (the GEMM reads its input in place), and at least
     * {@link #MIN_STEPS} multiply-adds per output from 16 or more input channels: the layout changes cost per output,
     * the sums per step. A last input block need not be whole (48 or 72 channels read 16 lanes of each pixel
     * but the last block's first channels only).
     * It depends on the geometry only, never on the thread count or the kernels, so a layer's bits do not either.
     */
    public static boolean applies(ConvKernels.Geometry g, int groups, int outC) {
        if (!ENABLED || groups != 1 || g.c() < B || g.depth() < MIN_STEPS || g.padTop() < 0 || g.padLeft() < 0 || g.pointwise()) return false;
        long in = (long) blocks(g.c()) * B * g.sy() * g.sx() * ConvKernels.shiftedHeight(g) * ConvKernels.shiftedWidth(g), out = (long) blocks(outC) * B * (g.pixels() + 1);
        return in <= SCRATCH_FLOATS && out <= SCRATCH_FLOATS && g.pixels() > 0;
    }

    /**
     * Fewest (input channel, tap) steps per output. One Zen 5 core, in isolation, blocked against the GEMM: a
     * 3-channel 7x7 stride-2 stem (147 steps) 2.85 against 2.10 ms, VGG's first layer (27) 4.25 against 1.91, 40
     * channels 3x3 at 28x28 (360) 0.36 against 0.31, 64 at 56x56 (576) even, 256 channels 1x1 stride 2 (256) 1.94
     * against 2.28, and deeper layers 5-25% faster.
     */
    static final int MIN_STEPS = 256;

    static int blocks(int channels) { return (channels + B - 1) / B; }

    /**
     * Output blocks one strip computes: four over six pixels; three over seven for output rows of 7 or 14, which
     * the strips then cover exactly (six-pixel strips run on into the row's padding columns: at 7x7 a quarter of
     * their pixels are junk, at 14x14 an eighth).
     */
    public static int groupBlocks(ConvKernels.Geometry g) { return rowStrips(g) ? 3 : 4; }

    private static boolean rowStrips(ConvKernels.Geometry g) { return g.ow() % FloatKernels.ROW_STRIP == 0 && g.ow() <= 14; }

    /**
     * Weights in the blocked layout: output blocks in groups of {@code group} (the last group what is left), and
     * within a group [input block][tap][the block's input channels][blocks of the group][16 outputs], outputs past
     * outC 0; so a strip's weight vectors for one input channel are adjacent.
     */
    public record Weights(int outC, int inC, int taps, int group, float[] data) {
        /** Where group {@code index}'s weights start: each earlier group has {@code group} blocks of inC * taps steps. */
        int groupOffset(int index) { return index * group * inC * taps * B; }

        /** Steps (input channel, tap) before input block {@code block}: every earlier block is whole. */
        int stepsBefore(int block) { return block * B * taps; }
    }

    /** Input channels in block {@code block} of {@code c}. */
    static int channelsIn(int block, int c) { return Math.min(B, c - block * B); }

    /** Packs OIHW weights [outC][c][kh][kw] (one group) for strips of {@code group} output blocks ({@link #groupBlocks}). */
    public static Weights packWeights(float[] w, int outC, int c, int kh, int kw, int group) {
        int taps = kh * kw, ob = blocks(outC);
        Weights p = new Weights(outC, c, taps, group, new float[ob * c * taps * B]);
        for (int o = 0; o < outC; o++) {
            int blk = o / B, grp = blk / group, nb = Math.min(group, ob - group * grp);
            for (int ci = 0; ci < c; ci++)
                for (int t = 0; t < taps; t++) {
                    int step = p.stepsBefore(ci / B) + t * channelsIn(ci / B, c) + ci % B;
                    p.data()[p.groupOffset(grp) + step * nb * B + (blk % group) * B + o % B] = w[(o * c + ci) * taps + t];
                }
        }
        return p;
    }

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][]{new float[0], new float[0]});

    private static float[] scratch(int which, int size) {
        float[][] s = SCRATCH.get();
        if (s[which].length < size) s[which] = new float[size];
        return s[which];
    }

    /**
     * y[n][outC][oh][ow] = conv(x[n][c][h][w]) + bias, then {@code after} (may be null) on each output channel's
     * plane. Per image: the input to blocks of zero-padded phase planes ({@link ConvKernels}' phase planes, of
     * ConvKernels.shiftedHeight by shiftedWidth, so that tap (ky, kx) of every output pixel of a phase-plane row is
     * one fixed offset and a strip's pixels are adjacent whatever the stride); the strips, a task per group of
     * {@link #groupBlocks} output blocks and run of strips; the output back to channels. A six-pixel strip runs over
     * the phase plane's columns, past the output's width into the next row: the pixels past the width are computed
     * into a slot that is never read (as are the phase rows past the last output row's reach, copied like the
     * others); seven-pixel strips tile rows of 7 and 14 exactly.
     */
    public static void conv(float[] x, int n, ConvKernels.Geometry g, Weights w, float[] bias, ConvEpilogue after,
                            float[] y, Parallel parallel) {
        if (w.inC() != g.c() || w.taps() != g.kh() * g.kw())
            throw new IllegalArgumentException("weights packed for " + w.inC() + " channels x " + w.taps() + " taps, geometry " + g);
        if (w.group() != groupBlocks(g))
            throw new IllegalArgumentException("weights packed for strips of " + w.group() + " blocks, the geometry wants " + groupBlocks(g));
        int P = rowStrips(g) ? FloatKernels.ROW_STRIP : FloatKernels.STRIP, G = w.group();
        int c = g.c(), h = g.h(), wd = g.w(), plane = h * wd, ow = g.ow();
        int phases = g.sy() * g.sx(), pr = ConvKernels.shiftedHeight(g), pc = ConvKernels.shiftedWidth(g);
        int ib = blocks(c), ob = blocks(w.outC()), pixels = g.pixels(), outC = w.outC();
        int xStride = phases * pr * pc * B, yStride = (pixels + 1) * B;
        float[] xb = scratch(0, ib * xStride + 2 * FloatKernels.STRIP * B), yb = scratch(1, ob * yStride);
        int[] taps = new int[g.kh() * g.kw()];
        boolean[] used = new boolean[phases];
        for (int ky = 0; ky < g.kh(); ky++)
            for (int kx = 0; kx < g.kw(); kx++) {
                int ry = ky * g.dy(), rx = kx * g.dx(), phase = (ry % g.sy()) * g.sx() + rx % g.sx();
                taps[ky * g.kw() + kx] = ((phase * pr + ry / g.sy()) * pc + rx / g.sx()) * B;
                used[phase] = true;
            }
        // a task keeps one chunk of input blocks' weights (for G output blocks) in the first-level cache across its strips
        int chunk = Math.max(1, 8192 / (G * w.taps() * B * B));
        // the (block, tap, channel) steps of a chunk, relative to its first block: one table for the whole chunks and
        // one for the last, which may be shorter and end in a partial block
        int lastChunk = (ib - 1) / chunk * chunk;
        int[] whole = offsets(Math.min(chunk, ib), B, taps, xStride), last = offsets(ib - lastChunk, channelsIn(ib - 1, c), taps, xStride);
        // strips: where each starts in a phase plane, and where each of its pixels' outputs go in a block (a pixel, or the
        // slot past the last, never read): seven-pixel strips tile the rows; six-pixel ones run over the plane's columns
        int span = (g.oh() - 1) * pc + ow, perRow = ow / P, strips = P == FloatKernels.ROW_STRIP ? g.oh() * perRow : (span + P - 1) / P;
        int groups = (ob + G - 1) / G;
        int[] starts = new int[strips], slots = new int[strips * P];
        for (int st = 0; st < strips; st++) {
            if (P == FloatKernels.ROW_STRIP) {
                int oy = st / perRow, ox = st % perRow * P;
                starts[st] = (oy * pc + ox) * B;
                for (int p = 0; p < P; p++) slots[st * P + p] = (oy * ow + ox + p) * B;
            } else {
                starts[st] = st * P * B;
                for (int p = 0, q = st * P; p < P; p++, q++) slots[q] = (q < span && q % pc < ow ? q / pc * ow + q % pc : pixels) * B;
            }
        }
        int runs = parallel.threads() == 1 ? 1 : Math.min(strips, Math.max(1, (4 * parallel.threads() + groups - 1) / groups));
        int perRun = (strips + runs - 1) / runs;
        for (int img = 0; img < n; img++) {
            int xOff = img * c * plane, yOff = img * outC * pixels;
            parallel.forEach(ib * phases * pr, r -> {
                int blk = r / (phases * pr), phase = r / pr % phases, row = r % pr;
                int py = row * g.sy() + phase / g.sx(), iy = py - g.padTop(), px0 = phase % g.sx();
                int d = r * pc * B;
                if (!used[phase]) return; // a phase no tap reads (a strided 1x1): only the junk pixels might read it
                if (iy < 0 || iy >= h) { java.util.Arrays.fill(xb, d, d + pc * B, 0f); return; }
                int src = xOff + blk * B * plane + iy * wd, chans = channelsIn(blk, c);
                // columns whose input lies inside the row, then zeros either side
                int c0 = Math.max(0, Math.ceilDiv(g.padLeft() - px0, g.sx())), c1 = Math.min(pc, Math.ceilDiv(wd + g.padLeft() - px0, g.sx()));
                if (c1 <= c0) { java.util.Arrays.fill(xb, d, d + pc * B, 0f); return; }
                java.util.Arrays.fill(xb, d, d + c0 * B, 0f);
                java.util.Arrays.fill(xb, d + c1 * B, d + pc * B, 0f);
                int first = c0 * g.sx() + px0 - g.padLeft();
                for (int ch = 0; ch < chans; ch++) {
                    int si = src + ch * plane + first, di = d + c0 * B + ch;
                    for (int col = c0; col < c1; col++, si += g.sx(), di += B) xb[di] = x[si];
                }
            });
            parallel.forEach(groups * runs, t -> {
                int grp = t / runs, s0 = (t % runs) * perRun, s1 = Math.min(strips, s0 + perRun);
                int nb = Math.min(G, ob - G * grp), yBase = G * grp * yStride;
                int[] yo = new int[P];
                for (int k0 = 0; k0 < ib; k0 += chunk) {
                    int[] offsets = k0 == lastChunk ? last : whole;
                    int wo = w.groupOffset(grp) + w.stepsBefore(k0) * nb * B;
                    for (int s = s0; s < s1; s++) {
                        for (int p = 0; p < P; p++) yo[p] = yBase + slots[s * P + p];
                        K.blockedConv(nb, P, xb, k0 * xStride + starts[s], offsets, offsets.length, w.data(), wo, yb, yo, yStride, k0 > 0);
                    }
                }
            });
            parallel.forEach(outC, o -> {
                int at = yOff + o * pixels;
                for (int p = 0, si = (o / B) * yStride + o % B; p < pixels; p++, si += B) y[at + p] = yb[si];
                if (bias != null) VectorOps.addScalar(y, at, pixels, bias[o]);
                if (after != null) after.apply(y, at, pixels, o);
            });
        }
    }

    /** Offsets of the steps of {@code blocks} input blocks (the last with {@code lastChannels} channels), block-major. */
    private static int[] offsets(int blocks, int lastChannels, int[] taps, int xStride) {
        int[] o = new int[((blocks - 1) * B + lastChannels) * taps.length];
        int k = 0;
        for (int b = 0; b < blocks; b++)
            for (int tap : taps)
                for (int ch = 0; ch < (b == blocks - 1 ? lastChannels : B); ch++) o[k++] = b * xStride + tap + ch;
        return o;
    }
}
