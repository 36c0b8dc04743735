package dev.candela.tensor.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The float sigmoid of {@link FloatKernels#sigmoid} against the double formula, and its special values. */
class SigmoidAccuracyTest {

    static double sigmoid(double x) { return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)); }

    @Test
    void sigmoidIsWithinThreeUlpOfTheDoubleFormulaWhereItIsANormalFloat() {
        FloatKernels k = KernelChoice.KERNELS;
        int n = 2_000_001;
        float[] x = new float[n], y = new float[n], s = new float[n];
        for (int i = 0; i < n; i++) x[i] = -87f + 174f * i / (n - 1);
        k.sigmoid(x, y, 0, n);
        k.silu(x, s, 0, n);
        double worst = 0;
        float at = 0;
        for (int i = 0; i < n; i++) {
            double want = sigmoid(x[i]), ulps = Math.abs(y[i] - want) / Math.ulp((float) want);
            if (ulps > worst) { worst = ulps; at = x[i]; }
            assertEquals(x[i] * y[i], s[i], 0f, "silu is x times the same sigmoid at " + x[i]);
        }
        System.out.println("sigmoid: worst " + worst + " ulp at x = " + at + " (" + k.describe() + ")");
        assertTrue(worst <= 3, "worst error " + worst + " ulp at x = " + at);
    }

    @Test
    void specialValues() {
        FloatKernels k = KernelChoice.KERNELS;
        float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 100f, -100f, 88.8f, -88.8f};
        float[] y = new float[x.length];
        k.sigmoid(x, y, 0, x.length);
        assertTrue(Float.isNaN(y[0]), "NaN stays NaN");
        assertEquals(1f, y[1]);
        assertTrue(y[2] >= 0 && y[2] < 2e-38f, "sigmoid(-Inf) is at most exp(-87): " + y[2]);
        assertEquals(0.5f, y[3]);
        assertEquals(0.5f, y[4]);
        assertEquals(1f, y[5]);
        assertTrue(y[6] > 0 && y[6] < 2e-38f, "sigmoid(-100) is held at exp(-87): " + y[6]);
        assertEquals(1f, y[7]);
        assertTrue(y[8] > 0 && y[8] < 2e-38f, "sigmoid(-88.8): " + y[8]);
    }
}
