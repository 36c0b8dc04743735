package dev.candela.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.testkit.RandomCases;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The channel-blocked direct convolution against its formula written out as plain loops: each output is one chain
 * of fused multiply-adds over (input block of 16, tap, channel), padding read as 0, then the bias added; the same
 * bits, for any stride, dilation, padding, channels that fill no whole block (in or out), and 1, 2 or 3 threads.
 */
class BlockedConvTest {
    static final Parallel P2 = new Parallel(2), P3 = new Parallel(3);

    @AfterAll static void close() { P2.close(); P3.close(); }

    static LongStream seeds() { return RandomCases.seeds(60); }

    /** The formula: a chain of fused multiply-adds from 0 in (block, ky, kx, channel) order, then + bias. */
    static float[] chains(float[] x, int n, ConvKernels.Geometry g, float[] wt, int outC, float[] bias) {
        int c = g.c(), kh = g.kh(), kw = g.kw();
        float[] y = new float[n * outC * g.pixels()];
        for (int img = 0; img < n; img++)
            for (int o = 0; o < outC; o++)
                for (int oy = 0; oy < g.oh(); oy++)
                    for (int ox = 0; ox < g.ow(); ox++) {
                        float acc = 0f;
                        for (int blk = 0; blk < (c + 15) / 16; blk++)
                            for (int ky = 0; ky < kh; ky++)
                                for (int kx = 0; kx < kw; kx++)
                                    for (int ch = blk * 16; ch < Math.min(c, blk * 16 + 16); ch++) {
                                        int iy = oy * g.sy() + ky * g.dy() - g.padTop(), ix = ox * g.sx() + kx * g.dx() - g.padLeft();
                                        float v = iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w() ? 0f : x[((img * c + ch) * g.h() + iy) * g.w() + ix];
                                        acc = Math.fma(v, wt[((o * c + ch) * kh + ky) * kw + kx], acc);
                                    }
                        y[((img * outC + o) * g.oh() + oy) * g.ow() + ox] = bias == null ? acc : acc + bias[o];
                    }
        return y;
    }

    /** Outputs 7 or 14 wide (seven-pixel strips over three blocks), kernels 1-5, strides 1-2, pads up to (k-1)/2. */
    static ConvKernels.Geometry rowGeometry(RandomCases r, int c) {
        int k = r.between(1, 5), s = r.between(1, 2), pad = r.between(0, (k - 1) / 2), ow = 7 * r.between(1, 2), oh = r.between(1, 9);
        return new ConvKernels.Geometry(c, (oh - 1) * s + k - 2 * pad, (ow - 1) * s + k - 2 * pad, k, k, s, s, 1, 1, pad, pad, oh, ow);
    }

    @ParameterizedTest(name = "each output is the chain of fused multiply-adds over (block, tap, channel) plus the bias, bit for bit, on 1, 2 and 3 threads, seed {0}")
    @MethodSource("seeds")
    void blockedConvolutionIsItsChainBitForBit(long seed) {
        RandomCases r = new RandomCases(seed);
        int c = r.chance(0.5) ? 16 * r.between(1, 3) : r.between(16, 50), outC = r.between(1, 90), n = r.between(1, 2);
        ConvKernels.Geometry g;
        boolean rows = r.chance(0.4);
        do g = rows ? rowGeometry(r, c) : ConvLayoutBitsTest.randomGeometry(r, c, 5, 30); while (!BlockedConv.applies(g, 1, outC));
        assertChainsOnRandomValues(seed, r, n, g, outC);
    }

    /**
     * Kernels of at most 4 taps put several input blocks' weights in one cache chunk (8 for a 1x1, 2 for a 2x2), so
     * a strip's step table spans blocks (each a whole phase-plane copy further on) and the last chunk may hold fewer
     * blocks, the last of them partial. The 3x3-and-up layers above reach 256 steps with a chunk of one block only.
     */
    @ParameterizedTest(name = "with several input blocks per weight chunk (1x1 strided, 1x2, 2x1, 2x2; 64-300 channels) each output is its chain, bit for bit, seed {0}")
    @MethodSource("seeds")
    void chunksOfSeveralInputBlocksGiveTheChainBitForBit(long seed) {
        RandomCases r = new RandomCases(seed);
        int c = r.chance(0.3) ? 16 * r.between(8, 18) : r.between(64, 300), outC = r.between(1, 70), n = r.between(1, 2);
        ConvKernels.Geometry g;
        do g = ConvLayoutBitsTest.randomGeometry(r, c, 2, 12); while (!BlockedConv.applies(g, 1, outC));
        assertChainsOnRandomValues(seed, r, n, g, outC);
    }

    /** Random inputs (a NaN in three cases of ten), weights and bias (none in one case of five) for {@link #assertChainsOnEveryThreadCount}. */
    static void assertChainsOnRandomValues(long seed, RandomCases r, int n, ConvKernels.Geometry g, int outC) {
        float[] x = r.normal(n, g.c(), g.h(), g.w()).data(), wt = r.normal(outC, g.c() * g.kh() * g.kw()).data();
        float[] bias = r.chance(0.8) ? r.normal(outC).data() : null;
        if (r.chance(0.3)) x[r.between(0, x.length - 1)] = Float.NaN;
        assertChainsOnEveryThreadCount(seed, x, n, g, wt, outC, bias);
    }

    static void assertChainsOnEveryThreadCount(long seed, float[] x, int n, ConvKernels.Geometry g, float[] wt, int outC, float[] bias) {
        float[] want = chains(x, n, g, wt, outC, bias);
        BlockedConv.Weights w = BlockedConv.packWeights(wt, outC, g.c(), g.kh(), g.kw(), BlockedConv.groupBlocks(g));
        for (Parallel p : new Parallel[]{Parallel.serial(), P2, P3}) {
            float[] y = new float[want.length];
            java.util.Arrays.fill(y, 7f);
            BlockedConv.conv(x, n, g, w, bias, null, y, p);
            for (int i = 0; i < y.length; i++)
                if (Float.floatToIntBits(y[i]) != Float.floatToIntBits(want[i]))
                    throw new AssertionError("seed " + seed + ": " + g + " outC " + outC + " x" + n + " on " + p.threads()
                            + " threads, output " + i + ": blocked " + y[i] + ", chain " + want[i]);
        }
    }

    @ParameterizedTest(name = "a fused ReLU and residual add after the blocked sum equal the same steps applied afterwards, seed {0}")
    @MethodSource("seeds")
    void epilogueRunsOnEachChannelsPlane(long seed) {
        RandomCases r = new RandomCases(seed);
        int c = r.between(29, 48), outC = r.between(1, 40);
        ConvKernels.Geometry g;
        boolean rows = r.chance(0.4);
        do g = rows ? rowGeometry(r, c) : ConvLayoutBitsTest.randomGeometry(r, c, 3, 20); while (!BlockedConv.applies(g, 1, outC));
        float[] x = r.normal(1, c, g.h(), g.w()).data(), wt = r.normal(outC, c * g.kh() * g.kw()).data(), bias = r.normal(outC).data();
        float[] residual = r.normal(outC * g.pixels()).data();
        float[] want = chains(x, 1, g, wt, outC, bias);
        for (int i = 0; i < want.length; i++) want[i] = Math.max(want[i] + residual[i], 0f);
        float[] y = new float[want.length];
        ConvEpilogue after = new ConvEpilogue(List.of(new ConvEpilogue.Step.AddTensor(residual), new ConvEpilogue.Step.Relu()), true);
        BlockedConv.conv(x, 1, g, BlockedConv.packWeights(wt, outC, c, g.kh(), g.kw(), BlockedConv.groupBlocks(g)), bias, after, y, P2);
        for (int i = 0; i < y.length; i++)
            assertEquals(want[i], y[i], 0f, "seed " + seed + ": " + g + " output " + i);
    }

    @Test
    void weightsPackedForAnotherShapeAreRefused() {
        ConvKernels.Geometry g = new ConvKernels.Geometry(48, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8, 8);
        float[] x = new float[48 * 64], y = new float[16 * 64];
        BlockedConv.Weights fewerChannels = BlockedConv.packWeights(new float[16 * 32 * 9], 16, 32, 3, 3, 4);
        BlockedConv.Weights otherKernel = BlockedConv.packWeights(new float[16 * 48 * 25], 16, 48, 5, 5, 4);
        BlockedConv.Weights otherStrips = BlockedConv.packWeights(new float[16 * 48 * 9], 16, 48, 3, 3, 3);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BlockedConv.conv(x, 1, g, fewerChannels, null, null, y, Parallel.serial()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BlockedConv.conv(x, 1, g, otherKernel, null, null, y, Parallel.serial()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BlockedConv.conv(x, 1, g, otherStrips, null, null, y, Parallel.serial()), "packed for rows of 7 or 14");
    }

    @Test
    void appliesToEveryOneGroupConvolutionButStrideOnePointwiseOnes() {
        ConvKernels.Geometry conv3 = new ConvKernels.Geometry(64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 56, 56);
        assertTrue(BlockedConv.applies(conv3, 1, 64));
        assertTrue(BlockedConv.applies(conv3, 1, 5), "output channels need not fill a block");
        assertFalse(BlockedConv.applies(conv3, 2, 64), "grouped");
        assertFalse(BlockedConv.applies(new ConvKernels.Geometry(3, 224, 224, 7, 7, 2, 2, 1, 1, 3, 3, 112, 112), 1, 64), "a 3-channel stem");
        assertFalse(BlockedConv.applies(new ConvKernels.Geometry(24, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 28, 28), 1, 64), "216 steps per output");
        assertTrue(BlockedConv.applies(new ConvKernels.Geometry(48, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 28, 28), 1, 64), "three blocks");
        assertFalse(BlockedConv.applies(new ConvKernels.Geometry(64, 56, 56, 1, 1, 1, 1, 1, 1, 0, 0, 56, 56), 1, 256),
                "a stride-1 1x1 reads its input in place as the GEMM's B");
        assertTrue(BlockedConv.applies(new ConvKernels.Geometry(256, 56, 56, 1, 1, 2, 2, 1, 1, 0, 0, 28, 28), 1, 512), "strided 1x1");
        assertFalse(BlockedConv.applies(new ConvKernels.Geometry(64, 1024, 1024, 3, 3, 1, 1, 1, 1, 1, 1, 1024, 1024), 1, 64),
                "past the scratch bound: the GEMM tiles it instead");
        assertFalse(BlockedConv.applies(new ConvKernels.Geometry(16, 8, 8, 3, 3, 1, 1, 1, 1, -1, 0, 4, 6), 1, 16), "negative pad");
        assertEquals(3, BlockedConv.groupBlocks(new ConvKernels.Geometry(512, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 7, 7)), "rows of 7: seven-pixel strips");
        assertEquals(3, BlockedConv.groupBlocks(new ConvKernels.Geometry(256, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1, 14, 14)), "rows of 14");
        assertEquals(4, BlockedConv.groupBlocks(conv3), "rows of 56: six-pixel strips over the plane's columns");
    }
}
