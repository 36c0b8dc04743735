package dev.candela.run;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.graph.Conv2d;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.testkit.RandomCases;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LRP's z+ family (z+, FG-CAM's exact z+, alpha-beta, flat, w-square) divides by a convolution of non-negative
 * inputs with non-negative weights and no bias, and relies on two facts of the direct sum: that denominator is
 * never negative, and it is exactly 0 where nothing flows (FG-CAM's division then drops the share). Winograd's
 * transforms subtract, so on shapes that take it (16+ channels, 21 x 21 and up) an output whose window is all zero
 * came out as +-1e-8 rounding of its block's other inputs. Weights of one sign are therefore summed directly.
 */
class OneSignedConvTest {
    static final FastKernels F = new FastKernels(dev.candela.tensor.Parallel.serial());

    static LongStream seeds() { return RandomCases.seeds(12); }

    @ParameterizedTest(name = "a bias-free convolution of non-negative inputs with non-negative weights is >= 0, and 0 exactly where its window is 0, seed {0}")
    @MethodSource("seeds")
    void nonNegativeTimesNonNegativeIsNonNegativeAndZeroWhereNothingFlows(long seed) {
        RandomCases r = new RandomCases(seed);
        int c = r.between(16, 48), outC = r.between(16, 32), h = r.between(24, 40), w = r.between(24, 40);
        float[] wt = r.normal(Shape.of(outC, c, 3, 3), 1.0 / Math.sqrt(9 * c)).data();
        boolean negative = r.chance(0.5); // W- of the other branch: non-positive weights, so a non-positive sum
        for (int i = 0; i < wt.length; i++) wt[i] = negative ? -Math.abs(wt[i]) : Math.abs(wt[i]);
        Conv2d op = new Conv2d(new Tensor(Shape.of(outC, c, 3, 3), wt), new Tensor(Shape.of(outC), new float[outC]),
                new int[]{1, 1}, new int[]{1, 1, 1, 1}, new int[]{1, 1}, 1);
        // post-ReLU input: half the values 0, and a few all-channel rectangles of zeros (dead regions)
        float[] x = r.normal(Shape.of(1, c, h, w), 1.0).data();
        for (int i = 0; i < x.length; i++) x[i] = Math.max(0f, x[i]);
        for (int k = 0; k < 4; k++) {
            int y0 = r.between(0, h - 6), x0 = r.between(0, w - 6), y1 = y0 + r.between(4, 12), x1 = x0 + r.between(4, 12);
            for (int ci = 0; ci < c; ci++)
                for (int iy = y0; iy < Math.min(h, y1); iy++)
                    for (int ix = x0; ix < Math.min(w, x1); ix++) x[(ci * h + iy) * w + ix] = 0f;
        }
        float[] y = F.forward(op, List.of(new Tensor(Shape.of(1, c, h, w), x))).data();
        int wrongSign = 0, notZero = 0;
        float worst = 0f;
        for (int co = 0; co < outC; co++)
            for (int oy = 0; oy < h; oy++)
                for (int ox = 0; ox < w; ox++) {
                    float v = y[(co * h + oy) * w + ox];
                    boolean flows = false;
                    for (int ci = 0; ci < c && !flows; ci++)
                        for (int ky = 0; ky < 3; ky++)
                            for (int kx = 0; kx < 3; kx++) {
                                int iy = oy + ky - 1, ix = ox + kx - 1;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w && x[(ci * h + iy) * w + ix] != 0f && wt[((co * c + ci) * 3 + ky) * 3 + kx] != 0f) flows = true;
                            }
                    if (negative ? v > 0f : v < 0f) wrongSign++;
                    if (!flows && v != 0f) {
                        notZero++;
                        worst = Math.max(worst, Math.abs(v));
                    }
                }
        assertTrue(wrongSign == 0 && notZero == 0, "seed " + seed + ": " + wrongSign + " outputs of the wrong sign, " + notZero
                + " not 0 where nothing flows (largest " + worst + "), " + c + " -> " + outC + " channels, " + h + "x" + w);
    }
}
