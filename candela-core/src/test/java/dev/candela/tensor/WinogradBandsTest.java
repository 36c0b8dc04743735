package dev.candela.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
 * The Winograd convolution's scratch is bounded: a large image is done in bands of 4x4-block rows (the whole-image
 * scratch, 36 (c + outC) floats per block, overflowed an int for 512 channels at 1024 x 1024), the bands give the
 * same bits as one band, and a convolution whose one row of blocks does not fit is left to im2col.
 */
class WinogradBandsTest {
    static final Parallel P2 = new Parallel(2);

    @AfterAll static void close() { P2.close(); }

    static LongStream seeds() { return RandomCases.seeds(12); }

    static ConvKernels.Geometry geometry(int c, int h, int w, int pt, int pl, int pb, int pr) {
        return new ConvKernels.Geometry(c, h, w, 3, 3, 1, 1, 1, 1, pt, pl, h + pt + pb - 2, w + pl + pr - 2);
    }

    @Test
    void aWholeImageScratchPastAnIntIsCutIntoBandsThatFitTheBudget() {
        ConvKernels.Geometry g = geometry(512, 1024, 1024, 1, 1, 1, 1);
        long whole = (long) WinogradConv.POS * (512 + 512) * WinogradConv.blocks(g.oh()) * WinogradConv.blocks(g.ow());
        assertTrue(whole > Integer.MAX_VALUE, "the case must overflow an int when done whole: " + whole);
        assertTrue(WinogradConv.applies(g, 1, 512));
        int band = WinogradConv.bandRows(g, 512, WinogradConv.SCRATCH_FLOATS);
        assertTrue(band >= 1 && (long) WinogradConv.POS * 1024 * band * WinogradConv.blocks(g.ow()) <= WinogradConv.SCRATCH_FLOATS, "band " + band);
    }

    @Test
    void aConvolutionWhoseOneRowOfBlocksExceedsTheScratchIsLeftToIm2col() {
        // 36 x (512 + 512) x 500 blocks = 18.4 M floats in one row of blocks, over the 16.8 M budget
        ConvKernels.Geometry g = geometry(512, 40, 2000, 1, 1, 1, 1);
        assertEquals(0, WinogradConv.bandRows(g, 512, WinogradConv.SCRATCH_FLOATS));
        assertFalse(WinogradConv.applies(g, 1, 512));
    }

    @ParameterizedTest(name = "Winograd in bands of 1, 2 or 3 block rows gives the bits of one band (bias, fused ReLU + residual, batch 2), seed {0}")
    @MethodSource("seeds")
    void bandsGiveTheBitsOfOneBand(long seed) {
        RandomCases r = new RandomCases(seed);
        int c = r.between(16, 40), outC = r.between(16, 30), n = r.between(1, 2);
        int[] pads = r.ints(4, 0, 2);
        ConvKernels.Geometry g = geometry(c, r.between(21, 38), r.between(21, 38), pads[0], pads[1], pads[2], pads[3]);
        assertTrue(WinogradConv.applies(g, 1, outC), "seed " + seed + ": " + g);
        float[] w = r.normal(Shape.of(outC, c, 3, 3), 1.0 / Math.sqrt(9 * c)).data(), bias = r.normal(Shape.of(outC), 0.5).data();
        float[] x = r.normal(Shape.of(n, c, g.h(), g.w()), 1.0).data();
        float[] residual = r.normal(Shape.of(n, outC, g.oh(), g.ow()), 1.0).data();
        Sgemm.PackedA[] u = WinogradConv.packWeights(w, outC, c);
        Parallel p = r.chance(0.5) ? P2 : Parallel.serial();
        float[] whole = run(x, n, g, u, bias, residual, p, WinogradConv.SCRATCH_FLOATS);
        int rows = r.between(1, 3);
        long perRow = (long) WinogradConv.POS * (c + outC) * WinogradConv.blocks(g.ow());
        int budget = (int) (rows * perRow + perRow - 1);
        assertEquals(Math.min(rows, WinogradConv.blocks(g.oh())), WinogradConv.bandRows(g, outC, budget));
        assertArrayEquals(whole, run(x, n, g, u, bias, residual, p, budget), "seed " + seed + ": bands of " + rows + " rows, " + g);
    }

    static float[] run(float[] x, int n, ConvKernels.Geometry g, Sgemm.PackedA[] u, float[] bias, float[] residual, Parallel p, int budget) {
        int outC = u[0].rows();
        float[] y = new float[n * outC * g.pixels()];
        java.util.Arrays.fill(y, Float.NaN); // every output must be written
        ConvEpilogue after = new ConvEpilogue(List.of(new ConvEpilogue.Step.AddTensor(residual), new ConvEpilogue.Step.Relu()), true);
        WinogradConv.conv(x, n, g, u, bias, after, y, p, budget);
        assertFalse(after.sawNonFinite());
        return y;
    }
}
