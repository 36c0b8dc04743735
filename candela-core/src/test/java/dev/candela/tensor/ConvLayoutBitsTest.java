package dev.candela.tensor;

import dev.candela.testkit.RandomCases;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The phase-plane layout (ConvKernels.shiftedConv: contiguous slices of zero-padded phase planes, any stride and
 * dilation) sums each output in the order im2col does, so both give the same bits, for 1 and 2 threads.
 */
class ConvLayoutBitsTest {
    static final Parallel P2 = new Parallel(2);

    @AfterAll static void close() { P2.close(); }

    static LongStream seeds() { return RandomCases.seeds(60); }

    /** Kernels up to maxK, strides 1-3, dilations 1-2, pads 0-2 on each side, rows up to maxExtraW past the kernel's reach. */
    static ConvKernels.Geometry randomGeometry(RandomCases r, int c, int maxK, int maxExtraW) {
        int kh = r.between(1, maxK), kw = r.between(1, maxK), sy = r.between(1, 3), sx = r.between(1, 3);
        int dy = r.chance(0.7) ? 1 : 2, dx = r.chance(0.7) ? 1 : 2;
        int pt = r.between(0, Math.min(2, kh - 1)), pl = r.between(0, Math.min(2, kw - 1)), pb = r.between(0, 2), pr = r.between(0, 2);
        int h = dy * (kh - 1) + 1 + r.between(0, 20), w = dx * (kw - 1) + 1 + r.between(0, maxExtraW);
        int oh = (h + pt + pb - dy * (kh - 1) - 1) / sy + 1, ow = (w + pl + pr - dx * (kw - 1) - 1) / sx + 1;
        return new ConvKernels.Geometry(c, h, w, kh, kw, sy, sx, dy, dx, pt, pl, oh, ow);
    }

    @ParameterizedTest(name = "the phase-plane layout has im2col's bits (strides 1-3, dilations 1-2, pads 0-2, groups), seed {0}")
    @MethodSource("seeds")
    void phasePlanesGiveIm2colsBits(long seed) {
        RandomCases r = new RandomCases(seed);
        int c = r.between(1, 5), groups = r.between(1, 2), ocg = r.between(1, 30), n = r.between(1, 2);
        ConvKernels.Geometry g = randomGeometry(r, c, 7, 40);
        int kh = g.kh(), kw = g.kw(), h = g.h(), w = g.w(), oh = g.oh(), ow = g.ow();
        float[] x = r.normal(n, groups * c, h, w).data(), wt = r.normal(groups * ocg, c * kh * kw).data(), bias = r.normal(groups * ocg).data();
        if (r.chance(0.3)) x[r.between(0, x.length - 1)] = Float.NaN;
        Sgemm.PackedA[] a = ConvKernels.packWeights(wt, groups * ocg, groups, g.depth());
        int size = n * groups * ocg * oh * ow;
        float[] im2col = new float[size];
        ConvKernels.im2colConv(x, n, g, groups, a, bias, null, im2col, Parallel.serial());
        for (Parallel p : new Parallel[]{Parallel.serial(), P2}) {
            float[] phases = new float[size];
            java.util.Arrays.fill(phases, 7f);
            ConvKernels.shiftedConv(x, n, g, groups, a, bias, null, phases, p);
            for (int i = 0; i < size; i++)
                if (Float.floatToIntBits(phases[i]) != Float.floatToIntBits(im2col[i]))
                    throw new AssertionError("seed " + seed + ": " + g + " groups " + groups + " x" + n + " on " + p.threads()
                        + " threads, output " + i + ": phase planes " + phases[i] + ", im2col " + im2col[i]);
        }
    }

    @ParameterizedTest(name = "a depthwise plane through phase planes sums as the direct loop does (equal values; a zero's sign may differ), seed {0}")
    @MethodSource("seeds")
    void depthwisePhasePlanesSumAsTheDirectLoop(long seed) {
        RandomCases r = new RandomCases(seed);
        ConvKernels.Geometry g = randomGeometry(r, 1, 5, 80);
        int kh = g.kh(), kw = g.kw(), h = g.h(), w = g.w(), oh = g.oh(), ow = g.ow();
        float[] x = r.normal(h, w).data(), wt = r.normal(kh * kw).data();
        if (r.chance(0.3)) x[r.between(0, x.length - 1)] = Float.NaN;
        float start = r.uniform(-1, 1);
        float[] direct = new float[oh * ow], phases = new float[oh * ow];
        java.util.Arrays.fill(direct, start);
        ConvKernels.depthwisePlane(x, 0, g, wt, 0, direct, 0);
        ConvKernels.depthwisePlaneShifted(x, 0, g, wt, 0, start, phases, 0);
        for (int i = 0; i < direct.length; i++)
            if (!(direct[i] == phases[i] || Float.isNaN(direct[i]) && Float.isNaN(phases[i])))
                throw new AssertionError("seed " + seed + ": " + g + " output " + i + ": phase planes " + phases[i] + ", direct " + direct[i]);
    }

    @ParameterizedTest(name = "the channel-blocked depthwise kernel has the phase planes' bits (1-40 channels, strides 1-3, dilations 1-2, pads 0-2), seed {0}")
    @MethodSource("seeds")
    void channelBlockedDepthwiseGivesThePhasePlanesBits(long seed) {
        RandomCases r = new RandomCases(seed);
        int channels = r.between(1, 40), n = r.between(1, 2);
        ConvKernels.Geometry g = randomGeometry(r, 1, 5, 30);
        int khw = g.kh() * g.kw(), inPlane = g.h() * g.w(), outPlane = g.pixels();
        float[] x = r.normal(n, channels, g.h(), g.w()).data(), wt = r.normal(channels, khw).data();
        float[] bias = r.chance(0.8) ? r.normal(channels).data() : null;
        if (r.chance(0.3)) x[r.between(0, x.length - 1)] = Float.NaN;
        if (r.chance(0.3)) x[r.between(0, x.length - 1)] = Float.NEGATIVE_INFINITY;
        float[] planes = new float[n * channels * outPlane];
        for (int b = 0; b < n; b++)
            for (int c = 0; c < channels; c++)
                ConvKernels.depthwisePlaneShifted(x, (b * channels + c) * inPlane, g, wt, c * khw, bias == null ? 0f : bias[c],
                        planes, (b * channels + c) * outPlane);
        ConvEpilogue relu = new ConvEpilogue(java.util.List.of(new ConvEpilogue.Step.Relu()), false);
        for (Parallel p : new Parallel[]{Parallel.serial(), P2}) {
            float[] blocked = new float[planes.length];
            java.util.Arrays.fill(blocked, 7f);
            ConvKernels.depthwiseBlocked(x, n, channels, g, wt, bias, null, blocked, p);
            for (int i = 0; i < planes.length; i++)
                if (Float.floatToIntBits(blocked[i]) != Float.floatToIntBits(planes[i]))
                    throw new AssertionError("seed " + seed + ": " + g + " " + channels + " channels x" + n + " on " + p.threads()
                        + " threads, output " + i + ": blocked " + blocked[i] + ", phase planes " + planes[i]);
            float[] fused = new float[planes.length];
            ConvKernels.depthwiseBlocked(x, n, channels, g, wt, bias, relu, fused, p);
            for (int i = 0; i < planes.length; i++) {
                float want = planes[i] > 0f || Float.isNaN(planes[i]) ? planes[i] : 0f;
                if (Float.floatToIntBits(fused[i]) != Float.floatToIntBits(want))
                    throw new AssertionError("seed " + seed + ": with a fused ReLU, output " + i + ": " + fused[i] + ", want " + want);
            }
        }
    }
}
