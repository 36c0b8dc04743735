package dev.candela.explain.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.graph.Model;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Tensor;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Gradient-family pixel attributions: definitions, quadrature, and Integrated Gradients completeness. */
class PixelAttributionTest {

    static LongStream seeds() { return Seeds.eight().limit(4); }

    private static Executor exec(Model m) { return new Executor(m, ReferenceKernels.INSTANCE); }

    @Test
    void gaussLegendreNodesMatchNumpyLeggauss() {
        double[][] xw = Quadrature.legendre(5);
        // numpy.polynomial.legendre.leggauss(5)
        double[] x = {-0.906179845938664, -0.5384693101056831, 0.0, 0.5384693101056831, 0.906179845938664};
        double[] w = {0.23692688505618942, 0.4786286704993662, 0.568888888888889, 0.4786286704993662, 0.23692688505618942};
        for (int i = 0; i < 5; i++) {
            assertEquals(x[i], xw[0][i], 1e-14);
            assertEquals(w[i], xw[1][i], 1e-14);
        }
    }

    @ParameterizedTest
    @EnumSource(Quadrature.class)
    void quadratureIntegratesPolynomialsOnTheUnitInterval(Quadrature q) {
        double[][] r = q.rule(50);
        double s1 = 0, sx = 0;
        for (int i = 0; i < 50; i++) { s1 += r[1][i]; sx += r[1][i] * r[0][i]; }
        double expectTotal = q == Quadrature.RIEMANN_TRAPEZOID ? 49.0 / 50 : 1; // Captum's trapezoid weights sum to (n-1)/n
        assertEquals(expectTotal, s1, 1e-12, q + ": weights");
        if (q == Quadrature.GAUSS_LEGENDRE || q == Quadrature.RIEMANN_MIDDLE) assertEquals(0.5, sx, 1e-12, q + ": integral of x");
        for (double a : r[0]) assertTrue(a >= 0 && a <= 1, q + ": node " + a);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void integratedGradientsCompletenessImprovesAsStepsGrow(long seed) {
        Model m = TestModels.vgg(seed);
        Executor ex = exec(m);
        Tensor x = Seeds.gaussian(seed + 1, 1, 1, 3, 16, 16);
        Tensor w = TargetWeights.oneHot(10, 2);
        Tensor out = ex.forward(x).output(), out0 = ex.forward(Tensor.zeros(x.shape())).output();
        double dy = out.data()[2] - out0.data()[2];
        double[] err = new double[3];
        int[] steps = {4, 16, 128};
        for (int i = 0; i < 3; i++) {
            Tensor a = new PixelAttribution.IntegratedGradients(steps[i], Quadrature.RIEMANN_MIDDLE, new Reference.Zeros(), 64).attribute(ex, x, w);
            err[i] = Math.abs(a.sum() - dy);
        }
        assertTrue(err[2] < err[0], "seed " + seed + ": completeness error must shrink: " + java.util.Arrays.toString(err));
        assertTrue(err[2] <= 0.01 * Math.abs(dy) + 1e-3, "seed " + seed + ": 128 middle-Riemann steps: error " + err[2] + " for dy " + dy);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void gradientTimesInputEqualsDeepLiftAndIntegratedGradientsOnAnAffineModel(long seed) {
        Model m = TestModels.affineHead(seed, 3, 5, 5);
        Executor ex = exec(m);
        Tensor x = Seeds.gaussian(seed + 2, 1, 2, 3, 5, 5);
        Tensor w = TargetWeights.oneHot(5, 1);
        Tensor gxi = new PixelAttribution.GradientTimesInput().attribute(ex, x, w);
        Tensor dl = new PixelAttribution.DeepLiftAttribution(new Reference.Zeros(), DeepLiftOptions.captum()).attribute(ex, x, w);
        Tensor ig = PixelAttribution.IntegratedGradients.captumDefaults().attribute(ex, x, w);
        for (int i = 0; i < gxi.size(); i++) {
            assertEquals(gxi.data()[i], dl.data()[i], 1e-6, "seed " + seed);
            assertEquals(gxi.data()[i], ig.data()[i], 1e-5, "seed " + seed);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void guidedBackpropPassesOnlyPositiveGradientsThroughActiveReLUs(long seed) {
        Model m = TestModels.vgg(seed);
        Executor ex = exec(m);
        Tensor x = Seeds.gaussian(seed + 3, 1, 1, 3, 16, 16);
        java.util.List<float[]> seen = new java.util.ArrayList<>();
        var fwd = ex.forward(x);
        ex.backward(fwd, m.graph().output(), TargetWeights.oneHot(10, 0).reshape(1, 10), java.util.Set.of("x"), GuidedBackpropRule.INSTANCE,
                (v, g, gin) -> {
                    if (v.node().op() instanceof dev.candela.graph.Relu) {
                        float[] xi = v.inputs().get(0).data(), go = g.data(), gi = gin.get(0).data();
                        for (int i = 0; i < gi.length; i++) {
                            float expect = xi[i] > 0 && go[i] > 0 ? go[i] : 0;
                            assertEquals(expect, gi[i], 0f, "seed " + seed + " node " + v.node().name() + " element " + i);
                        }
                        seen.add(gi);
                    }
                });
        assertEquals(3, seen.size());
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void smoothGradIsSeededAndReducesToTheGradientWithoutNoise(long seed) {
        Model m = TestModels.vgg(seed);
        Executor ex = exec(m);
        Tensor x = Seeds.gaussian(seed + 4, 1, 1, 3, 16, 16);
        Tensor w = TargetWeights.oneHot(10, 5);
        Tensor g = new PixelAttribution.Gradient().attribute(ex, x, w);
        Tensor s0 = new PixelAttribution.SmoothGrad(3, 0, seed).attribute(ex, x, w);
        for (int i = 0; i < g.size(); i++) assertEquals(g.data()[i], s0.data()[i], 1e-6, "seed " + seed);
        Tensor a = new PixelAttribution.SmoothGrad(4, 0.2, seed).attribute(ex, x, w);
        Tensor b = new PixelAttribution.SmoothGrad(4, 0.2, seed).attribute(ex, x, w);
        assertTrue(java.util.Arrays.equals(a.data(), b.data()), "seed " + seed + ": same seed, same bits");
    }

    @Test
    void guidedGradCamIsGuidedBackpropTimesTheNormalisedGradCamMap() {
        Model m = TestModels.vgg(9);
        Executor ex = exec(m);
        Tensor x = Seeds.gaussian(10, 1, 1, 3, 16, 16);
        Tensor w = TargetWeights.oneHot(10, 3);
        Tensor gb = new PixelAttribution.GuidedBackprop().attribute(ex, x, w);
        Tensor ggc = new PixelAttribution.GuidedGradCam("relu2").attribute(ex, x, w);
        int nonzero = 0;
        for (int i = 0; i < gb.size(); i++) {
            assertTrue(Math.abs(ggc.data()[i]) <= Math.abs(gb.data()[i]) * (1 + 1e-6f), "map factor is in [0,1]");
            if (ggc.data()[i] != 0) nonzero++;
        }
        assertTrue(nonzero > 0);
        assertTrue(PixelAttribution.names().size() == 7);
    }
}
