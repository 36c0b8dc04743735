package dev.candela.explain.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.explain.shapley.ShapleyComparison;
import dev.candela.explain.shapley.ShapleyEstimate;
import dev.candela.explain.shapley.ShapleyReference;
import dev.candela.graph.Linear;
import dev.candela.graph.Model;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Tensor;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** LIFT-CAM axioms of lift-cam.md section 6 and the Shapley oracle, on seeded heads and networks. */
class LiftCamPropertiesTest {

    static LongStream seeds() { return Seeds.eight(); }

    private static Executor exec(Model m) { return new Executor(m, ReferenceKernels.INSTANCE); }

    private static double sum(double[] v) { double s = 0; for (double x : v) s += x; return s; }

    private static double absSum(double[] v) { double s = 0; for (double x : v) s += Math.abs(x); return s; }

    /** Non-negative maps, as after a ReLU. */
    private static Tensor maps(long seed, int k, int h, int w) {
        Tensor t = Seeds.gaussian(seed, 1, 1, k, h, w);
        for (int i = 0; i < t.size(); i++) t.data()[i] = Math.max(0, t.data()[i]);
        return t;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void completenessPhiSumsToScoreMinusHeadOfZero(long seed) {
        Model m = TestModels.vgg(seed);
        Tensor x = Seeds.gaussian(seed + 1, 1, 2, 3, 16, 16);
        LiftCamResult r = new LiftCam(exec(m)).explain(x, "relu2", null);
        for (int i = 0; i < 2; i++) {
            double d = r.score()[i] - r.zeroScore()[i];
            assertEquals(d, sum(r.phi()[i]), 2e-6 * (absSum(r.phi()[i]) + Math.abs(d)) + 1e-6, "seed " + seed + " item " + i);
            assertEquals(0, r.residual()[i], 2e-6 * (absSum(r.phi()[i]) + Math.abs(d)) + 1e-6, "seed " + seed + " item " + i);
        }
        // Y^c is the network's own logit: the head re-run on A reproduces the full forward.
        Tensor logits = exec(m).forward(x).output();
        int c = TargetWeights.argmax(logits.slice(0, 1))[0];
        assertEquals(logits.data()[c], r.score()[0], 1e-5, "seed " + seed);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void missingnessAZeroMapAndAnIgnoredMapGetPhiExactlyZero(long seed) {
        int k = 6, h = 4, w = 4;
        Model m = TestModels.head(seed, k, h, w);
        // map 4 ignored: zero outgoing weights in fc1 for its pooled features (4 per map after the 2x2 pool)
        Linear fc1 = (Linear) m.graph().node("fc1").op();
        Tensor wt = fc1.weight().copy();
        for (int o = 0; o < wt.dim(0); o++) for (int f = 4 * 4; f < 5 * 4; f++) wt.data()[o * wt.dim(1) + f] = 0;
        Model ignored = TestModels.replace(m, "fc1", new Linear(wt, fc1.bias()));
        Tensor a = maps(seed + 2, k, h, w);
        for (int i = 2 * h * w; i < 3 * h * w; i++) a.data()[i] = 0; // map 2 is all zero
        LiftCamResult r = new LiftCam(exec(ignored)).fromActivation(a, "A", TargetWeights.oneHot(5, 1), 8, 8);
        assertTrue(r.phi()[0][2] == 0, "seed " + seed + ": zero map has phi " + r.phi()[0][2]);
        assertTrue(r.phi()[0][4] == 0, "seed " + seed + ": ignored map has phi " + r.phi()[0][4]);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void symmetryIdenticalMapsWithIdenticalOutgoingWeightsGetEqualPhi(long seed) {
        int k = 5, h = 4, w = 4;
        Model m = TestModels.head(seed, k, h, w);
        Linear fc1 = (Linear) m.graph().node("fc1").op();
        Tensor wt = fc1.weight().copy();
        for (int o = 0; o < wt.dim(0); o++) for (int f = 0; f < 4; f++) wt.data()[o * wt.dim(1) + 3 * 4 + f] = wt.data()[o * wt.dim(1) + 1 * 4 + f];
        Model sym = TestModels.replace(m, "fc1", new Linear(wt, fc1.bias()));
        Tensor a = maps(seed + 3, k, h, w);
        System.arraycopy(a.data(), 1 * h * w, a.data(), 3 * h * w, h * w);
        LiftCamResult r = new LiftCam(exec(sym)).fromActivation(a, "A", TargetWeights.oneHot(5, 2), 8, 8);
        assertEquals(r.phi()[0][1], r.phi()[0][3], 1e-6 * (1 + Math.abs(r.phi()[0][1])), "seed " + seed);
        ShapleyEstimate exact = new ShapleyReference(exec(sym), "A", 32).exact(a, TargetWeights.oneHot(5, 2));
        assertEquals(exact.phi()[1], exact.phi()[3], 1e-6 * (1 + Math.abs(exact.phi()[1])), "seed " + seed + ": exact Shapley is symmetric too");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void linearityInTheTarget(long seed) {
        Model m = TestModels.head(seed, 6, 4, 4);
        Tensor a = maps(seed + 4, 6, 4, 4);
        LiftCam lc = new LiftCam(exec(m));
        double[] p1 = lc.fromActivation(a, "A", TargetWeights.oneHot(5, 0), 8, 8).phi()[0];
        double[] p2 = lc.fromActivation(a, "A", TargetWeights.oneHot(5, 3), 8, 8).phi()[0];
        float[] w = new float[5];
        w[0] = 1.5f;
        w[3] = -2f;
        double[] p = lc.fromActivation(a, "A", Tensor.of(w, 1, 5), 8, 8).phi()[0];
        for (int k = 0; k < p.length; k++) assertEquals(1.5 * p1[k] - 2 * p2[k], p[k], 1e-5 * (1 + Math.abs(p[k])), "seed " + seed + " map " + k);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void affineHeadLiftCamEqualsExactShapleyEqualsCamWeightTimesChannelMean(long seed) {
        int k = 7, h = 3, w = 3;
        Model m = TestModels.affineHead(seed, k, h, w);
        Tensor a = maps(seed + 5, k, h, w);
        int c = 4;
        LiftCamResult r = new LiftCam(exec(m)).fromActivation(a, "A", TargetWeights.oneHot(5, c), 6, 6);
        ShapleyEstimate exact = new ShapleyReference(exec(m), "A", 64).exact(a, TargetWeights.oneHot(5, c));
        Linear fc = (Linear) m.graph().node("fc").op();
        for (int j = 0; j < k; j++) {
            double mean = 0;
            for (int i = 0; i < h * w; i++) mean += a.data()[j * h * w + i];
            mean /= h * w;
            double cam = fc.weight().data()[c * k + j] * mean;
            assertEquals(cam, r.phi()[0][j], 1e-6 * (1 + Math.abs(cam)), "seed " + seed + " map " + j + ": LIFT-CAM vs w*mean");
            assertEquals(cam, exact.phi()[j], 1e-6 * (1 + Math.abs(cam)), "seed " + seed + " map " + j + ": exact Shapley vs w*mean");
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void exactShapleyIsEfficientWithTheSameTotalAsLiftCamAndSamplingAgreesWithinItsError(long seed) {
        int k = 8;
        Model m = TestModels.head(seed, k, 4, 4);
        Tensor a = maps(seed + 6, k, 4, 4);
        Tensor t = TargetWeights.oneHot(5, 1);
        ShapleyReference ref = new ShapleyReference(exec(m), "A", 64);
        ShapleyEstimate exact = ref.exact(a, t);
        LiftCamResult lift = new LiftCam(exec(m)).fromActivation(a, "A", t, 8, 8);
        assertEquals(0, exact.efficiencyResidual(), 1e-5 * (1 + absSum(exact.phi())), "seed " + seed + ": efficiency");
        assertEquals(sum(lift.phi()[0]), sum(exact.phi()), 1e-5 * (1 + absSum(exact.phi())), "seed " + seed + ": same total as LIFT-CAM");
        assertEquals(exact.empty(), lift.zeroScore()[0], 1e-5, "seed " + seed + ": phi_0 = F(0)");
        ShapleyEstimate sampled = ref.sampled(a, t, 40, seed);
        assertEquals(0, sampled.efficiencyResidual(), 1e-5 * (1 + absSum(sampled.phi())), "seed " + seed + ": every permutation is efficient");
        for (int j = 0; j < k; j++) {
            double allowed = 5 * sampled.standardError()[j] + 1e-6;
            assertTrue(Math.abs(sampled.phi()[j] - exact.phi()[j]) <= allowed,
                    "seed " + seed + " map " + j + ": sampled " + sampled.phi()[j] + " +- " + sampled.standardError()[j] + " vs exact " + exact.phi()[j]);
        }
        assertEquals(sampled.phi()[0], ref.sampled(a, t, 40, seed).phi()[0], 0.0, "seed " + seed + ": sampling is deterministic for a seed");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void maxPoolRulesCoincideForLiftCamsZeroReference(long seed) {
        Model m = TestModels.vgg(seed);
        Tensor x = Seeds.gaussian(seed + 7, 1, 1, 3, 16, 16);
        double[] b = new LiftCam(exec(m)).explain(x, "relu2", null).phi()[0];
        double[] a = new LiftCam(exec(m), DeepLiftOptions.captum().withMaxPool(DeepLiftOptions.MaxPoolRule.GRADIENT)).explain(x, "relu2", null).phi()[0];
        for (int k = 0; k < a.length; k++) assertEquals(b[k], a[k], 1e-6 * (1 + Math.abs(b[k])), "seed " + seed + " map " + k);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void postProcessingMapInUnitRangeScaleInvariantInTheTargetRow(long seed) {
        Model m = TestModels.head(seed, 6, 4, 4);
        Tensor a = maps(seed + 8, 6, 4, 4);
        int c = 2;
        LiftCamResult r = new LiftCam(exec(m)).fromActivation(a, "A", TargetWeights.oneHot(5, c), 13, 11);
        assertEquals(13, r.map().dim(1));
        assertEquals(11, r.map().dim(2));
        for (float v : r.map().data()) assertTrue(v >= 0 && v <= 1, "seed " + seed + ": map value " + v);
        float s = 3.5f;
        Linear fc2 = (Linear) m.graph().node("fc2").op();
        Tensor wt = fc2.weight().copy(), b = fc2.bias().copy();
        for (int i = 0; i < wt.dim(1); i++) wt.data()[c * wt.dim(1) + i] *= s;
        b.data()[c] *= s;
        LiftCamResult scaled = new LiftCam(exec(TestModels.replace(m, "fc2", new Linear(wt, b)))).fromActivation(a, "A", TargetWeights.oneHot(5, c), 13, 11);
        for (int k = 0; k < 6; k++) assertEquals(s * r.phi()[0][k], scaled.phi()[0][k], 1e-5 * (1 + Math.abs(s * r.phi()[0][k])), "seed " + seed + " map " + k);
        for (int i = 0; i < r.map().size(); i++) assertEquals(r.map().data()[i], scaled.map().data()[i], 1e-5, "seed " + seed + " pixel " + i);
    }

    @Test
    void anAllZeroMapStaysAllZero() {
        Model m = TestModels.head(5, 6, 4, 4);
        LiftCamResult r = new LiftCam(exec(m)).fromActivation(Tensor.zeros(1, 6, 4, 4), "A", TargetWeights.oneHot(5, 0), 8, 8);
        for (float v : r.map().data()) assertTrue(v == 0, "value " + v);
        for (double p : r.phi()[0]) assertTrue(p == 0);
    }

    @Test
    void aLayerBypassedByASkipConnectionIsRefused() {
        Model m = TestModels.resnet(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LiftCam(exec(m)).explain(Seeds.gaussian(1, 1, 1, 3, 16, 16), "b1.bn2", null));
        assertTrue(e.getMessage().contains("b1.bn2"), e.getMessage());
        // a block output is a cut and works
        LiftCamResult r = new LiftCam(exec(m)).explain(Seeds.gaussian(1, 1, 1, 3, 16, 16), "b2.relu2", null);
        assertEquals(0, r.residual()[0], 1e-5);
    }

    @Test
    void shapleyComparisonRanksLiftCamAsExactOnAnAffineHead() {
        Model m = TestModels.affineHead(11, 6, 3, 3);
        Tensor a = maps(12, 6, 3, 3);
        ShapleyComparison.Report rep = new ShapleyComparison(exec(m)).compare(a, "A", 1);
        assertEquals("exact", rep.reference().method());
        assertEquals(1.0, rep.agreement().get("lift-cam").cosine(), 1e-6);
        assertEquals(1.0, rep.agreement().get("lift-cam").spearman(), 1e-9);
        assertEquals(1.0, rep.agreement().get("lift-cam").topKOverlap(), 1e-9);
        // Ablation-CAM's numerator is the full-coalition marginal = Shapley value here; divided by Y it is proportional.
        assertEquals(1.0, Math.abs(rep.agreement().get("ablation-cam").cosine()), 1e-5);
        assertEquals(ShapleyComparison.METHODS.size(), rep.coefficients().size());
        // LRP-CAM's coefficients are LIFT-CAM's on an affine head (zero reference, epsilon rule): exact too
        assertEquals(1.0, rep.agreement().get("lrp-cam").cosine(), 1e-5);
    }

    /** The audit on the golden VGG-shaped model (8 maps at features.7: exact, 256 head evaluations) and on the ResNet-shaped one (12 maps). */
    @Test
    void shapleyAuditOnTheGoldenModelsReportsAgreement() throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of("testdata/golden/attribution");
        Tensor x = dev.candela.image.Npy.read(dir.resolve("x.npy"));
        for (String name : java.util.List.of("vgg", "resnet")) {
            Model m = GoldenModels.named(name);
            String layer = name.equals("vgg") ? "features.7" : "layer4.0.relu2";
            for (int i = 0; i < 2; i++) {
                Tensor xi = x.slice(i, i + 1);
                int c = TargetWeights.argmax(exec(m).forward(xi).output())[0];
                ShapleyComparison.Report rep = new ShapleyComparison(exec(m)).compare(xi, layer, c);
                assertEquals(0, rep.reference().efficiencyResidual(), 1e-4, name + " item " + i);
                assertEquals(0, rep.liftCamCompletenessResidual(), 1e-4, name + " item " + i);
                StringBuilder sb = new StringBuilder(name + " item " + i + " K=" + rep.reference().phi().length + " " + rep.reference().method() + ":");
                rep.agreement().forEach((k, v) -> sb.append(String.format(" %s cos %.3f rho %.3f top%d %.2f;", k, v.cosine(), v.spearman(), v.k(), v.topKOverlap())));
                System.out.println(sb);
                if (name.equals("resnet")) assertEquals(1.0, rep.agreement().get("lift-cam").cosine(), 1e-5, "affine head: LIFT-CAM is exact");
            }
        }
    }
}
