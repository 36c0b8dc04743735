package dev.candela.tensor.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The kernel path is chosen once from the boot layer, and the chosen kernels agree with the scalar ones:
 * element-wise kernels and the GEMM micro-kernel bit for bit, reductions within float rounding.
 */
class KernelChoiceTest {

    @Test
    void theVectorKernelsRunExactlyWhenTheIncubatorModuleIsInTheBootLayer() {
        boolean present = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        System.out.println("kernels: " + KernelChoice.KERNELS.describe() + " (jdk.incubator.vector " + (present ? "present" : "absent") + ")");
        if ("scalar".equals(System.getProperty("candela.expect.kernels"))) {
            assertFalse(present, "the scalar execution must run without jdk.incubator.vector");
            assertFalse(KernelChoice.VECTOR);
            assertEquals(8, KernelChoice.KERNELS.lanes());
        } else if (present && !"scalar".equals(System.getProperty("candela.vector"))) {
            assertTrue(KernelChoice.VECTOR || KernelChoice.KERNELS.lanes() < 4, KernelChoice.KERNELS.describe());
        }
    }

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 4 - 2);
        return a;
    }

    @Test
    void chosenKernelsGiveTheScalarBitsOnRandomShapes() {
        assumeTrue(KernelChoice.VECTOR, "only the scalar kernels are loaded in this JVM");
        FloatKernels v = KernelChoice.KERNELS, s = new ScalarFloatKernels();
        for (long seed = 0; seed < 200; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int n = 1 + r.nextInt(300), o = r.nextInt(5);
            float[] x = random(r, n + o), y0 = random(r, n + o), g = random(r, n + o);
            float a = (float) r.nextDouble();
            String why = "seed " + seed + ", n " + n;
            float[] yv = y0.clone(), ys = y0.clone();
            v.axpy(a, x, o, yv, o, n); s.axpy(a, x, o, ys, o, n);
            assertArrayEquals(ys, yv, 0f, "axpy " + why);
            v.affine(x, yv, o, n, a, -a); s.affine(x, ys, o, n, a, -a);
            assertArrayEquals(ys, yv, 0f, "affine " + why);
            v.relu(x, yv, o, n); s.relu(x, ys, o, n);
            assertArrayEquals(ys, yv, 0f, "relu " + why);
            v.clamp(x, yv, o, n, -0.5f, 1f); s.clamp(x, ys, o, n, -0.5f, 1f);
            assertArrayEquals(ys, yv, 0f, "clamp " + why);
            v.leaky(x, yv, o, n, 0.1f); s.leaky(x, ys, o, n, 0.1f);
            assertArrayEquals(ys, yv, 0f, "leaky " + why);
            v.passBetween(g, x, yv, o, n, 0f, 1f); s.passBetween(g, x, ys, o, n, 0f, 1f);
            assertArrayEquals(ys, yv, 0f, "passBetween " + why);
            v.leakyGrad(g, x, yv, o, n, 0.1f); s.leakyGrad(g, x, ys, o, n, 0.1f);
            assertArrayEquals(ys, yv, 0f, "leakyGrad " + why);
            v.add(x, g, yv, o, n); s.add(x, g, ys, o, n);
            assertArrayEquals(ys, yv, 0f, "add " + why);
            float[] scale = random(r, n), shift = random(r, n);
            v.scaleShift(x, o, scale, shift, yv, o, n); s.scaleShift(x, o, scale, shift, ys, o, n);
            assertArrayEquals(ys, yv, 0f, "scaleShift " + why);
            v.addScalar(yv, o, n, a); s.addScalar(ys, o, n, a);
            assertArrayEquals(ys, yv, 0f, "addScalar " + why);
            v.addScalarInto(x, o, yv, o, n, -a); s.addScalarInto(x, o, ys, o, n, -a);
            assertArrayEquals(ys, yv, 0f, "addScalarInto " + why);
            // +0 and -0 and NaN among the values: Math.max's order of them must hold in both
            float[] z = x.clone();
            z[o + r.nextInt(n)] = -0f;
            z[o + r.nextInt(n)] = 0f;
            if (r.nextBoolean()) z[o + r.nextInt(n)] = Float.NaN;
            v.maxInto(z, o, yv, o, n); s.maxInto(z, o, ys, o, n);
            assertArrayEquals(ys, yv, 0f, "maxInto " + why);
            // the first of equal values stays (bits, so that the sign of a zero counts), NaN replaces
            float[] first = z.clone();
            for (int i = 0; i < n; i++) if (r.nextInt(4) == 0) first[o + i] = -z[o + i];
            first[o + r.nextInt(n)] = Float.NaN;
            float[] lv = first.clone(), ls = first.clone();
            v.laterMaxInto(z, o, lv, o, n); s.laterMaxInto(z, o, ls, o, n);
            for (int i = 0; i < lv.length; i++) {
                assertEquals(Float.floatToIntBits(ls[i]), Float.floatToIntBits(lv[i]), "laterMaxInto element " + i + ", " + why);
                if (i >= o && i < o + n) {
                    float want = z[i] > first[i] || Float.isNaN(z[i]) ? z[i] : first[i];
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(ls[i]), "laterMaxInto's rule, element " + i + ", " + why);
                }
            }
            assertEquals(s.allFinite(z, o, n), v.allFinite(z, o, n), "allFinite " + why);
            z[o + r.nextInt(n)] = r.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
            assertEquals(false, v.allFinite(z, o, n), "allFinite with an infinity, " + why);
            assertEquals(false, s.allFinite(z, o, n), "allFinite with an infinity (scalar), " + why);
            assertEquals(true, v.allFinite(x, o, n) && s.allFinite(x, o, n), "allFinite of finite values, " + why);
            float[] wide = x.clone();
            for (int i = 0; i < wide.length; i++) wide[i] *= 40f; // past the exponential's floor too
            v.sigmoid(wide, yv, o, n); s.sigmoid(wide, ys, o, n);
            assertArrayEquals(ys, yv, 0f, "sigmoid " + why);
            v.silu(z, yv, o, n); s.silu(z, ys, o, n);
            assertArrayEquals(ys, yv, 0f, "silu " + why);
            int count = 1 + r.nextInt(9), xStride = FloatKernels.BLOCK * (1 + r.nextInt(3));
            float[] wb = random(r, FloatKernels.BLOCK + o), xb = random(r, o + (count - 1) * xStride + FloatKernels.BLOCK);
            float[] accV = random(r, o + count * FloatKernels.BLOCK), accS = accV.clone();
            v.blockFma(wb, o, xb, o, xStride, accV, o, count); s.blockFma(wb, o, xb, o, xStride, accS, o, count);
            assertArrayEquals(accS, accV, 0f, "blockFma " + why);
            // sum and dot keep FloatKernels.R partial sums whatever the lane count: the same bits (a Spark
            // executor has the Vector API, a plain java driver may not)
            assertEquals(Float.floatToRawIntBits(s.sum(x, o, n)), Float.floatToRawIntBits(v.sum(x, o, n)), "sum " + why);
            assertEquals(Float.floatToRawIntBits(s.dot(x, o, g, o, n)), Float.floatToRawIntBits(v.dot(x, o, g, o, n)), "dot " + why);
            double[] xd = new double[n + o], gd = new double[n + o];
            for (int i = 0; i < n + o; i++) { xd[i] = x[i] * 1.000000001; gd[i] = g[i] / 3.0; }
            assertEquals(Double.doubleToRawLongBits(s.dot(xd, o, gd, o, n)), Double.doubleToRawLongBits(v.dot(xd, o, gd, o, n)), "double dot " + why);
        }
    }

    /**
     * The depthwise tap sums keep each output in a register through its taps: the same chain as one axpy (or
     * blockFma) per tap, in tap order, so the Vector API's strips of 4, single vectors and scalar tails all give the
     * scalar kernel's bits, and those are the bits of the per-tap form.
     */
    @Test
    void depthwiseTapSumsGiveThePerTapFormsBits() {
        assumeTrue(KernelChoice.VECTOR, "only the scalar kernels are loaded in this JVM");
        FloatKernels v = KernelChoice.KERNELS, s = new ScalarFloatKernels();
        for (long seed = 0; seed < 300; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int taps = 1 + r.nextInt(25), n = 1 + r.nextInt(300), wo = r.nextInt(4), xo = r.nextInt(4), yo = r.nextInt(4);
            int[] offsets = new int[taps];
            for (int t = 0; t < taps; t++) offsets[t] = r.nextInt(40);
            float[] w = random(r, wo + taps), x = random(r, xo + 40 + n);
            if (r.nextBoolean()) x[xo + r.nextInt(40 + n)] = Float.NaN;
            float start = (float) r.nextDouble();
            float[] yv = random(r, yo + n), ys = yv.clone(), yAxpy = yv.clone();
            v.tapSum(w, wo, offsets, taps, start, x, xo, yv, yo, n);
            s.tapSum(w, wo, offsets, taps, start, x, xo, ys, yo, n);
            java.util.Arrays.fill(yAxpy, yo, yo + n, start);
            for (int t = 0; t < taps; t++) s.axpy(w[wo + t], x, xo + offsets[t], yAxpy, yo, n);
            String why = "seed " + seed + ", taps " + taps + ", n " + n;
            assertArrayEquals(ys, yv, 0f, "tapSum " + why);
            assertArrayEquals(yAxpy, ys, 0f, "tapSum against an axpy per tap, " + why);

            int count = 1 + r.nextInt(17), xStride = FloatKernels.BLOCK * (1 + r.nextInt(3));
            int[] blockOffsets = new int[taps];
            for (int t = 0; t < taps; t++) blockOffsets[t] = FloatKernels.BLOCK * r.nextInt(30) + (r.nextInt(4) == 0 ? r.nextInt(3) : 0);
            float[] wb = random(r, wo + taps * FloatKernels.BLOCK), xb = random(r, xo + 30 * FloatKernels.BLOCK + 3 + count * xStride);
            float[] accV = random(r, yo + count * FloatKernels.BLOCK), accS = accV.clone(), accFma = accV.clone();
            v.blockTapSum(wb, wo, blockOffsets, taps, xb, xo, xStride, accV, yo, count);
            s.blockTapSum(wb, wo, blockOffsets, taps, xb, xo, xStride, accS, yo, count);
            for (int t = 0; t < taps; t++) s.blockFma(wb, wo + t * FloatKernels.BLOCK, xb, xo + blockOffsets[t], xStride, accFma, yo, count);
            assertArrayEquals(accS, accV, 0f, "blockTapSum " + why + ", count " + count);
            assertArrayEquals(accFma, accS, 0f, "blockTapSum against a blockFma per tap, " + why + ", count " + count);
        }
    }

    @Test
    void blockedConvolutionStripsGiveTheScalarBits() {
        assumeTrue(KernelChoice.VECTOR, "only the scalar kernels are loaded in this JVM");
        FloatKernels v = KernelChoice.KERNELS, s = new ScalarFloatKernels();
        int b = FloatKernels.BLOCK;
        for (long seed = 0; seed < 80; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int p = r.nextBoolean() ? FloatKernels.STRIP : FloatKernels.ROW_STRIP, nb = 1 + r.nextInt(p == FloatKernels.STRIP ? 4 : 3), count = 1 + r.nextInt(70), xo = r.nextInt(40), wo = r.nextInt(40), yStride = b * (p + 1 + r.nextInt(3));
            int[] offsets = new int[count];
            for (int k = 0; k < count; k++) offsets[k] = r.nextInt(500);
            float[] x = random(r, xo + p * b + 500), w = random(r, wo + count * nb * b);
            if (r.nextBoolean()) x[r.nextInt(x.length)] = Float.NaN;
            int[] yo = new int[p];
            for (int q = 0; q < p; q++) yo[q] = q * b;
            boolean add = r.nextBoolean();
            float[] yv = random(r, nb * yStride), ys = yv.clone();
            v.blockedConv(nb, p, x, xo, offsets, count, w, wo, yv, yo, yStride, add);
            s.blockedConv(nb, p, x, xo, offsets, count, w, wo, ys, yo, yStride, add);
            String why = "seed " + seed + ", nb " + nb + ", pixels " + p + ", count " + count + ", add " + add;
            for (int i = 0; i < yv.length; i++)
                assertEquals(Float.floatToIntBits(ys[i]), Float.floatToIntBits(yv[i]), "blockedConv element " + i + ", " + why);
        }
    }

    @Test
    void gemmMicroKernelsGiveTheScalarBits() {
        assumeTrue(KernelChoice.VECTOR, "only the scalar kernels are loaded in this JVM");
        FloatKernels v = KernelChoice.KERNELS, s = new ScalarFloatKernels();
        int nr = 2 * v.lanes(), mr = 14;
        for (long seed = 0; seed < 50; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int kc = 1 + r.nextInt(64);
            // The scalar kernel keeps 8 lanes; compare on its panel width by running it twice when lanes differ.
            float[] a = random(r, kc * mr), b = random(r, kc * nr);
            for (int rows : new int[]{14, 8, 4}) {
                float[] cv = random(r, rows * nr), cs = cv.clone();
                v.gemm(rows, mr, kc, a, 0, b, 0, cv, 0, nr, true);
                gemmWide(s, rows, mr, kc, a, b, cs, nr);
                assertArrayEquals(cs, cv, 0f, "gemm rows " + rows + ", seed " + seed + ", kc " + kc);
            }
        }
    }

    /**
     * The scalar micro-kernel over a panel of width nr, column block by block of its own 16; a narrower panel
     * (8 columns on 128-bit vectors, {@code -Dcandela.vector=128}) is padded with zero columns that are dropped.
     */
    static void gemmWide(FloatKernels s, int rows, int mr, int kc, float[] a, float[] b, float[] c, int nr) {
        int w = 2 * s.lanes();
        if (nr < w) {
            float[] bp = new float[kc * w], cp = new float[rows * w];
            for (int k = 0; k < kc; k++) System.arraycopy(b, k * nr, bp, k * w, nr);
            for (int i = 0; i < rows; i++) System.arraycopy(c, i * nr, cp, i * w, nr);
            s.gemm(rows, mr, kc, a, 0, bp, 0, cp, 0, w, true);
            for (int i = 0; i < rows; i++) System.arraycopy(cp, i * w, c, i * nr, nr);
            return;
        }
        for (int j0 = 0; j0 < nr; j0 += w) {
            float[] bp = new float[kc * w];
            for (int k = 0; k < kc; k++) System.arraycopy(b, k * nr + j0, bp, k * w, w);
            s.gemm(rows, mr, kc, a, 0, bp, 0, c, j0, nr, true);
        }
    }

    /** Values where lane order, masking and the sign of zero show: zeros of both signs, infinities, NaN, extremes. */
    private static final float[] SPECIAL = {0f, -0f, 1f, -1f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
            Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 3e38f, -3e38f, 1e-20f, 88f, -88f, 100f, -100f};

    private static float[] drawn(SplittableRandom r, int len, int special) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++)
            a[i] = r.nextInt(100) < special ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) (r.nextDouble() * 4 - 2);
        return a;
    }

    /** Same bits, NaN's payload aside (Java fixes none: a NaN compares equal to any other NaN here). */
    private static void sameBits(float want, float got, String what) {
        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got), what + ": scalar " + want + ", vector " + got);
    }

    /**
     * sum and dot keep 8 partial sums in the first lanes of the vector (masked loads when it has 16 lanes): for
     * every length and offset, with the reads ending at the array's last element (where a full 16-lane load would
     * run past it), and with -0, infinities, NaN and overflowing values, the scalar kernels' bits. Also the
     * element-wise kernels the fused convolution epilogue runs at block offsets that differ from the op's own.
     */
    @Test
    void sumDotAndElementwiseKernelsGiveTheScalarBitsAtEveryLengthAndOffsetWithSpecialValues() {
        assumeTrue(KernelChoice.VECTOR, "only the scalar kernels are loaded in this JVM");
        FloatKernels v = KernelChoice.KERNELS, s = new ScalarFloatKernels();
        SplittableRandom r = new SplittableRandom(7);
        for (int special : new int[]{0, 10, 50, 100}) {
            for (int n = 0; n <= 72; n++) {
                for (int o = 0; o <= 17; o++) {
                    String why = "n " + n + ", offset " + o + ", special " + special + "%";
                    float[] x = drawn(r, o + n, special), g = drawn(r, o + n, special);
                    sameBits(s.sum(x, o, n), v.sum(x, o, n), "sum " + why);
                    sameBits(s.dot(x, o, g, o, n), v.dot(x, o, g, o, n), "dot " + why);
                    int go = r.nextInt(5);
                    float[] gShift = new float[go + n];
                    System.arraycopy(g, o, gShift, go, n);
                    sameBits(s.dot(x, o, gShift, go, n), v.dot(x, o, gShift, go, n), "dot at offsets " + o + ", " + go + ", " + why);
                    float[] ys = new float[o + n], yv = new float[o + n];
                    s.sigmoid(x, ys, o, n); v.sigmoid(x, yv, o, n);
                    for (int i = o; i < o + n; i++) sameBits(ys[i], yv[i], "sigmoid(" + x[i] + ") " + why);
                    s.silu(x, ys, o, n); v.silu(x, yv, o, n);
                    for (int i = o; i < o + n; i++) sameBits(ys[i], yv[i], "silu(" + x[i] + ") " + why);
                    s.relu(x, ys, o, n); v.relu(x, yv, o, n);
                    for (int i = o; i < o + n; i++) sameBits(ys[i], yv[i], "relu(" + x[i] + ") " + why);
                    s.leaky(x, ys, o, n, 0.1f); v.leaky(x, yv, o, n, 0.1f);
                    for (int i = o; i < o + n; i++) sameBits(ys[i], yv[i], "leaky(" + x[i] + ") " + why);
                    s.clamp(x, ys, o, n, 0f, 6f); v.clamp(x, yv, o, n, 0f, 6f);
                    for (int i = o; i < o + n; i++) sameBits(ys[i], yv[i], "clamp(" + x[i] + ") " + why);
                    s.affine(x, ys, o, n, 0.5f, -0f); v.affine(x, yv, o, n, 0.5f, -0f);
                    for (int i = o; i < o + n; i++) sameBits(ys[i], yv[i], "affine(" + x[i] + ") " + why);
                    assertEquals(s.allFinite(x, o, n), v.allFinite(x, o, n), "allFinite " + why);
                    // the one-pass epilogues: the bits of affine then clamp / relu, and allFinite of the affine values
                    for (FloatKernels k : new FloatKernels[]{s, v}) {
                        float[] two = new float[o + n], one = x.clone();
                        k.affine(x, two, o, n, 0.5f, -0.25f);
                        boolean finite = k.allFinite(two, o, n);
                        float[] relu = new float[o + n];
                        k.relu(two, relu, o, n);
                        k.clamp(two, two, o, n, 0f, 6f);
                        assertEquals(finite, k.affineClamp(one, o, n, 0.5f, -0.25f, 0f, 6f), "affineClamp's finiteness " + why);
                        for (int i = o; i < o + n; i++) sameBits(two[i], one[i], "affineClamp(" + x[i] + ") " + why);
                        one = x.clone();
                        assertEquals(finite, k.affineRelu(one, o, n, 0.5f, -0.25f), "affineRelu's finiteness " + why);
                        for (int i = o; i < o + n; i++) sameBits(relu[i], one[i], "affineRelu(" + x[i] + ") " + why);
                    }
                }
            }
        }
    }
}
