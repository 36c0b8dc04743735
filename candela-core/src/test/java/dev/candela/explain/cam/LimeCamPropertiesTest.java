package dev.candela.explain.cam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explainer.Method;
import dev.candela.explainer.Methods;
import dev.candela.explain.Target;
import dev.candela.explain.attribution.LiftCamMethod;
import dev.candela.graph.Model;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LIME-CAM's properties. What the surrogate can promise: LIME weighs its coalitions by a kernel, so its
 * coefficients are no classical game value in general. Two exact statements hold and are checked here:
 * (1) with every one of the 2^K coalitions weighted equally, the least-squares coefficient of channel k is
 * its Banzhaf value, mean over S of f(S + k) - f(S) (the centred design columns are orthogonal; the Lasso
 * soft-thresholds it);
 * (2) when the head is affine in A (GAP then a linear layer), f(z) = f(0) + sum_k z_k phi_k exactly, so any
 * full-rank design and any positive weights give phi_k: the Shapley value, which is also LIFT-CAM's phi.
 * Every failure message names the seed.
 */
class LimeCamPropertiesTest {

    static java.util.stream.LongStream seeds() { return TinyModels.seeds(); }

    private static Explanation run(Model m, int threads, String spec, Tensor x, int target, long seed) {
        Executor ex = Executor.fast(m, threads == 1 ? Parallel.serial() : new Parallel(threads));
        Explainer explainer = Explainer.of(ex);
        CamSession s = explainer.session(x, Explainer.Request.defaults().layers("feat").targets(Target.classIndex(target)));
        return Explainer.explainSeeded(s, Methods.parse(List.of(spec), Methods.Defaults.none(), m).get(0), "image.png", seed);
    }

    /** Determinism: the run's seed fixes the coalitions; 1 and 2 threads give the same bits; another seed another map. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void determinismAFixedSeedGivesTheSameMapOnAnyThreadCount(long seed) {
        Model m = TinyModels.gapLinear(seed, 0f);
        Tensor x = TinyModels.input(seed, 2);
        String spec = "lime-cam(n-samples=24)";
        Explanation a = run(m, 1, spec, x, 3, seed), b = run(m, 2, spec, x, 3, seed), again = run(m, 1, spec, x, 3, seed);
        Explanation other = run(m, 1, spec, x, 3, seed + 1);
        assertArrayEquals(a.coefficients().data(), b.coefficients().data(), 0f, "seed " + seed + ": coefficients on 1 vs 2 threads");
        assertArrayEquals(a.maps().data(), b.maps().data(), 0f, "seed " + seed + ": map on 1 vs 2 threads");
        assertArrayEquals(a.maps().data(), again.maps().data(), 0f, "seed " + seed + ": map of a second run");
        assertFalse(java.util.Arrays.equals(a.coefficients().data(), other.coefficients().data()), "seed " + seed + ": seeds " + seed + " and " + (seed + 1) + " gave the same coefficients");
    }

    /**
     * Additivity on an affine head: LIME-CAM's coefficients are each channel's exact contribution, LIFT-CAM's
     * phi (alpha 1e-9 so the L1 shrinkage is negligible; the Lasso's own stopping rule, tol 1e-4 of y.y on the
     * duality gap, bounds what is left: 2e-4 of max |phi|; measured <= 2.7e-5).
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void additivityOnAnAffineHeadCoefficientsAreLiftCamsPhi(long seed) {
        Model m = TinyModels.gapLinear(seed, 0f);
        Tensor x = TinyModels.input(seed, 2);
        Executor ex = Executor.fast(m, Parallel.serial());
        CamSession s = Explainer.of(ex).session(x, Explainer.Request.defaults().layers("feat").targets(Target.classIndex(1), Target.classIndex(4)));
        LayerEvidence e = s.evidence().get(0);
        Tensor phi = ((Weights.PerChannel) Weights.plain(new LiftCamMethod().weights(e))).coefficients();
        LimeCam lime = new LimeCam(64, 1.0, 1e-9);
        Tensor c = ((Weights.PerChannel) Weights.plain(lime.weights(e))).coefficients();
        double scale = 0;
        for (float v : phi.data()) scale = Math.max(scale, Math.abs(v));
        double worst = 0;
        for (int i = 0; i < phi.size(); i++) {
            worst = Math.max(worst, Math.abs(phi.data()[i] - c.data()[i]));
            assertEquals(phi.data()[i], c.data()[i], 2e-4 * scale, "seed " + seed + ": channel-row " + i);
        }
        System.out.printf("lime-cam vs lift-cam phi on an affine head, seed %d: max |diff| / max |phi| = %.3g%n", seed, worst / scale);
    }

    /**
     * Least squares over all 2^K coalitions with equal weights gives each feature's Banzhaf value (any game); the
     * centred columns are orthogonal, so the Lasso's answer is that value soft-thresholded by alpha n / |column|^2
     * = 4 alpha.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void banzhafAllCoalitionsWithEqualWeightsGiveTheSoftThresholdedBanzhafValue(long seed) {
        int k = 5, n = 1 << k;
        double alpha = 1e-3;
        Random r = new Random(seed);
        double[] game = new double[n];
        for (int s = 0; s < n; s++) game[s] = r.nextGaussian() * 3 + Integer.bitCount(s) * r.nextDouble();
        double[][] x = new double[n][k];
        double[] w = new double[n];
        for (int s = 0; s < n; s++) {
            w[s] = 1;
            for (int j = 0; j < k; j++) x[s][j] = (s >> j) & 1;
        }
        WeightedLasso.Fit f = WeightedLasso.fit(x, game, w, alpha, 1000, 1e-10);
        double scale = 0;
        for (double v : game) scale = Math.max(scale, Math.abs(v));
        for (int j = 0; j < k; j++) {
            double banzhaf = 0;
            for (int s = 0; s < n; s++) if (((s >> j) & 1) == 0) banzhaf += game[s | (1 << j)] - game[s];
            banzhaf /= n / 2;
            double soft = Math.signum(banzhaf) * Math.max(Math.abs(banzhaf) - 4 * alpha, 0);
            assertEquals(soft, f.coefficients()[j], 1e-12 * scale, "seed " + seed + ": feature " + j + " (Banzhaf " + banzhaf + ")");
        }
        assertTrue(f.converged(), "seed " + seed + ": not converged");
    }

    /** Exactly linear data with any positive weights: the generating coefficients and intercept come back. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void linearDataAnyWeightsTheGeneratingCoefficientsComeBack(long seed) {
        Random r = new Random(seed);
        int k = 7, n = 40;
        double[] beta = new double[k];
        for (int j = 0; j < k; j++) beta[j] = r.nextGaussian() * 2;
        double b0 = r.nextGaussian();
        double[][] x = new double[n][k];
        double[] y = new double[n], w = new double[n];
        for (int s = 0; s < n; s++) {
            y[s] = b0;
            for (int j = 0; j < k; j++) {
                x[s][j] = r.nextBoolean() ? 1 : 0;
                y[s] += x[s][j] * beta[j];
            }
            w[s] = 0.05 + r.nextDouble();
        }
        WeightedLasso.Fit f = WeightedLasso.fit(x, y, w, 1e-13, 10000, 1e-16);
        for (int j = 0; j < k; j++) assertEquals(beta[j], f.coefficients()[j], 1e-7, "seed " + seed + ": coefficient " + j);
        assertEquals(b0, f.intercept(), 1e-7, "seed " + seed + ": intercept");
    }

    /** The null model: alpha at or above max |X'y| / n (sklearn's alpha_max) zeroes every coefficient; the intercept is the weighted mean. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void nullModelAlphaAboveAlphaMaxZeroesEveryCoefficient(long seed) {
        Random r = new Random(seed);
        int k = 6, n = 30;
        double[][] x = new double[n][k];
        double[] y = new double[n], w = new double[n];
        double wsum = 0, wy = 0;
        for (int s = 0; s < n; s++) {
            for (int j = 0; j < k; j++) x[s][j] = r.nextBoolean() ? 1 : 0;
            y[s] = r.nextGaussian() * 5;
            w[s] = 0.1 + r.nextDouble();
            wsum += w[s];
            wy += w[s] * y[s];
        }
        WeightedLasso.Fit f = WeightedLasso.fit(x, y, w, 1e6);
        for (int j = 0; j < k; j++) assertEquals(0.0, f.coefficients()[j], 0.0, "seed " + seed + ": coefficient " + j);
        assertEquals(wy / wsum, f.intercept(), 1e-12 * Math.abs(wy / wsum) + 1e-12, "seed " + seed + ": intercept");
        assertTrue(f.converged(), "seed " + seed);
    }

    /** Bad options are refused with one line naming the option. */
    @org.junit.jupiter.api.Test
    void badOptionsAreRefused() {
        Model m = TinyModels.gapLinear(1, 0f);
        for (String bad : List.of("lime-cam(n-samples=-1)", "lime-cam(kernel-width=0)", "lime-cam(alpha=0)", "lime-cam(alpha=x)",
                "lime-cam(n-samples=1000001)", "lime-cam(seed=3)")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Methods.parse(List.of(bad), Methods.Defaults.none(), m), bad);
            assertFalse(e.getMessage().contains("\n"), bad + ": " + e.getMessage());
        }
        Method ok = Methods.parse(List.of("lime-cam(n_samples=5,kernel_width=0.5,alpha=0.1,batch=4)"), Methods.Defaults.none(), m).get(0);
        assertEquals(new LimeCam(5, 0.5, 0.1), ((Method.Cam) ok).cam());
    }
}
