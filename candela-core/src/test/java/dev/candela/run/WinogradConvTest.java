package dev.candela.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.graph.BatchNorm2d;
import dev.candela.graph.Conv2d;
import dev.candela.graph.Op;
import dev.candela.graph.Relu;
import dev.candela.tensor.ConvKernels;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Sgemm;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.tensor.WinogradConv;
import dev.candela.testkit.RandomCases;
import java.util.List;
import java.util.Locale;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * F(4x4, 3x3) Winograd convolution's accuracy: each output against the exact sum (double precision), within
 * {@link #TOL} times the sum of the magnitudes of its products, twice the bound im2col's float sums are held to
 * (SgemmPropertyTest); the measured worst case is printed beside im2col's on the same convolution (over these
 * seeds: 1.6e-6 to 4.6e-6 against im2col's 1.9e-7 to 3.0e-7).
 * Also: the same bits for 1, 2 and 4 threads, and the fused epilogue's bits equal the ops run one by one.
 */
class WinogradConvTest {
    /** Allowed |y - exact| / sum |w x| (im2col's bound is 1e-5; Winograd's transforms spread the rounding). */
    static final double TOL = 2e-5;
    static final Parallel P2 = new Parallel(2), P4 = new Parallel(4);
    static final FastKernels F1 = new FastKernels(Parallel.serial()), F2 = new FastKernels(P2), F4 = new FastKernels(P4);

    @AfterAll static void close() { P2.close(); P4.close(); }

    static LongStream seeds() { return RandomCases.seeds(16); }

    record Case(Conv2d op, Tensor x, ConvKernels.Geometry g) {}

    static Case randomCase(RandomCases r) {
        // 16-28 input channels: from 29 (261 steps per output) the blocked direct convolution takes these layers
        // unless both channel counts reach FastKernels.WINOGRAD_OVER_BLOCKED, which would make the exact sums slow
        int c = r.between(16, 28), outC = r.between(16, 40), n = r.between(1, 2);
        int[] pads = r.chance(0.7) ? new int[]{1, 1, 1, 1} : r.ints(4, 0, 2);
        int h = r.between(21, 40), w = r.between(21, 44);
        Tensor weight = r.normal(Shape.of(outC, c, 3, 3), 1.0 / Math.sqrt(9 * c));
        Conv2d op = new Conv2d(weight, r.normal(Shape.of(outC), 0.5), new int[]{1, 1}, pads, new int[]{1, 1}, 1);
        Tensor x = r.normal(Shape.of(n, c, h, w), 1.0);
        if (r.chance(0.5)) for (int i = 0; i < x.size(); i++) x.data()[i] = Math.max(0f, x.data()[i]); // post-ReLU inputs
        Shape os = op.outputShape(List.of(x.shape()));
        ConvKernels.Geometry g = new ConvKernels.Geometry(c, h, w, 3, 3, 1, 1, 1, 1, pads[0], pads[1], os.dim(2), os.dim(3));
        assertTrue(!WinogradConv.ENABLED || FastKernels.winogradChosen(g, 1, outC), "seed " + r.seed + ": the case must take the Winograd path");
        return new Case(op, x, g);
    }

    @ParameterizedTest(name = "Winograd F(4,3) stays within 2e-5 of each output's product magnitudes of the exact convolution, seed {0}")
    @MethodSource("seeds")
    void winogradIsWithinItsBoundOfTheExactSum(long seed) {
        Assumptions.assumeTrue(WinogradConv.ENABLED, "-Dcandela.winograd=false");
        Case k = randomCase(new RandomCases(seed));
        Tensor y = F1.forward(k.op(), List.of(k.x()));
        float[] im2col = im2col(k);
        int n = k.x().dim(0), outC = k.op().outChannels(), c = k.g().c(), h = k.g().h(), w = k.g().w(), oh = k.g().oh(), ow = k.g().ow();
        float[] wt = k.op().weight().data(), xd = k.x().data(), b = k.op().bias().data();
        double worst = 0, worstIm2col = 0;
        for (int img = 0; img < n; img++)
            for (int co = 0; co < outC; co++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        double exact = b[co], mag = Math.abs(b[co]);
                        for (int ci = 0; ci < c; ci++)
                            for (int ky = 0; ky < 3; ky++)
                                for (int kx = 0; kx < 3; kx++) {
                                    int iy = oy + ky - k.g().padTop(), ix = ox + kx - k.g().padLeft();
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    double p = (double) wt[((co * c + ci) * 3 + ky) * 3 + kx] * xd[((img * c + ci) * h + iy) * w + ix];
                                    exact += p;
                                    mag += Math.abs(p);
                                }
                        int at = ((img * outC + co) * oh + oy) * ow + ox;
                        double e = Math.abs(y.data()[at] - exact) / mag;
                        worstIm2col = Math.max(worstIm2col, Math.abs(im2col[at] - exact) / mag);
                        if (!(e <= TOL))
                            throw new AssertionError(String.format(Locale.ROOT, "seed %d: output (%d, %d, %d, %d) of %s is %s, exact %.9g: error %.3g of the magnitude %.4g (bound %.0e)",
                                    seed, img, co, oy, ox, y.shape(), y.data()[at], exact, e, mag, TOL));
                        worst = Math.max(worst, e);
                    }
        System.out.printf(Locale.ROOT, "Winograd seed %d, %s -> %d channels: worst error / magnitude %.2e (im2col %.2e)%n", seed, k.x().shape(), outC, worst, worstIm2col);
    }

    @ParameterizedTest(name = "Winograd gives the same bits for 1, 2 and 4 threads, and fused BatchNorm+ReLU the bits of the ops one by one, seed {0}")
    @MethodSource("seeds")
    void winogradIsDeterministicAndFusesExactly(long seed) {
        RandomCases r = new RandomCases(seed);
        Case k = randomCase(r);
        Tensor y = F1.forward(k.op(), List.of(k.x()));
        assertArrayEquals(y.data(), F2.forward(k.op(), List.of(k.x())).data(), "1 vs 2 threads, seed " + seed);
        assertArrayEquals(y.data(), F4.forward(k.op(), List.of(k.x())).data(), "1 vs 4 threads, seed " + seed);
        int outC = k.op().outChannels();
        BatchNorm2d bn = new BatchNorm2d(r.normal(Shape.of(outC), 1.0), r.normal(Shape.of(outC), 1.0), r.normal(Shape.of(outC), 1.0),
                absPlusOne(r.normal(Shape.of(outC), 1.0)), 1e-5f);
        List<Op> after = List.of(bn, new Relu());
        Tensor fused = F2.forwardFused(k.op(), k.x(), after, null, true);
        Tensor oneByOne = Kernels.opByOp(F1, k.op(), k.x(), after, null, true);
        assertArrayEquals(oneByOne.data(), fused.data(), "fused vs one by one, seed " + seed);
    }

    @ParameterizedTest(name = "a NaN in the input stays visible in the Winograd output, seed {0}")
    @MethodSource("seeds")
    void nanInTheInputReachesTheOutput(long seed) {
        RandomCases r = new RandomCases(seed);
        Case k = randomCase(r);
        int i = r.between(0, k.x().size() - 1);
        k.x().data()[i] = Float.NaN;
        Tensor y = F1.forward(k.op(), List.of(k.x()));
        int nans = 0;
        for (float v : y.data()) if (Float.isNaN(v)) nans++;
        // every output channel of the image sees the pixel (through at least one tap, padding 1 or not: 3x3 windows)
        assertTrue(nans >= k.op().outChannels(), "seed " + seed + ": " + nans + " NaN outputs for a NaN input at " + i);
    }

    @org.junit.jupiter.api.Test
    void winogradTakesThe3x3LayersTheBlockedConvolutionDoesNotOrThoseOf256ChannelsAndMore() {
        Assumptions.assumeTrue(WinogradConv.ENABLED && dev.candela.tensor.BlockedConv.ENABLED, "a path turned off");
        assertTrue(FastKernels.winogradChosen(conv3x3(20, 56), 1, 64), "20 channels: 180 steps, too few for the blocked path");
        assertTrue(!FastKernels.winogradChosen(conv3x3(64, 56), 1, 64), "64 channels: blocked");
        assertTrue(!FastKernels.winogradChosen(conv3x3(255, 28), 1, 512), "255 channels in: blocked");
        assertTrue(!FastKernels.winogradChosen(conv3x3(512, 28), 1, 255), "255 channels out: blocked");
        assertTrue(FastKernels.winogradChosen(conv3x3(256, 28), 1, 256), "256 in and out");
        assertTrue(FastKernels.winogradChosen(conv3x3(64, 1024), 1, 64), "past the blocked path's scratch bound");
    }

    static ConvKernels.Geometry conv3x3(int c, int size) {
        return new ConvKernels.Geometry(c, size, size, 3, 3, 1, 1, 1, 1, 1, 1, size, size);
    }

    static Tensor absPlusOne(Tensor t) {
        for (int i = 0; i < t.size(); i++) t.data()[i] = Math.abs(t.data()[i]) + 1f;
        return t;
    }

    static float[] im2col(Case k) {
        int outC = k.op().outChannels();
        Sgemm.PackedA[] a = ConvKernels.packWeights(k.op().weight().data(), outC, 1, k.g().depth());
        float[] y = new float[k.x().dim(0) * outC * k.g().pixels()];
        ConvKernels.gemmConv(k.x().data(), k.x().dim(0), k.g(), 1, a, k.op().bias().data(), y, Parallel.serial());
        return y;
    }
}
