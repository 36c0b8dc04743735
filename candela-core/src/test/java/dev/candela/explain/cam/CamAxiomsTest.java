package dev.candela.explain.cam;

import dev.candela.explainer.CamMethods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explain.Target;
import dev.candela.graph.Linear;
import dev.candela.graph.Model;
import dev.candela.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Properties every CAM method must have, on conv -> ReLU -> GAP -> linear models with seeded weights. */
class CamAxiomsTest {

    static java.util.stream.LongStream seeds() { return TinyModels.seeds(); }

    private static Explainer.Request request(Target t) {
        return Explainer.Request.defaults().layers("feat").targets(t).options(CamOptions.defaults().withBatchSize(4));
    }

    private static List<CamMethod> all() {
        return CamMethods.names().stream().map(CamMethods::byName).toList();
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void camGradCamHiResCamAndXGradCamAgreeUpToAPositiveScaleOnGapLinearHeads(long seed) {
        Model m = TinyModels.gapLinear(seed, 0);
        Tensor x = TinyModels.input(seed, 2);
        try (Explainer ex = Explainer.of(m, 1)) {
            List<Explanation> es = ex.explain(x, List.of(new Cam(), new GradCam(), new HiResCam(), new XGradCam()), request(Target.argmax()));
            Tensor camRaw = es.get(0).rawMaps();
            for (Explanation e : es.subList(1, es.size())) {
                float[] a = camRaw.data(), b = e.rawMaps().data();
                // ratio b/a must be one positive constant (1/(h*w)) wherever a is not tiny
                double scale = 1.0 / (12 * 10);
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i] * scale, b[i], 1e-5 * (1 + Math.abs(a[i])), "seed " + seed + " " + e.method() + " raw[" + i + "]");
                }
                float[] fa = es.get(0).maps().data(), fb = e.maps().data();
                for (int i = 0; i < fa.length; i++) assertEquals(fa[i], fb[i], 1e-4, "seed " + seed + " " + e.method() + " map[" + i + "]");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void scoreCamWeightsSumToOne(long seed) {
        Model m = TinyModels.gapLinear(seed, 0);
        try (Explainer ex = Explainer.of(m, 1)) {
            Explanation e = ex.explain(TinyModels.input(seed, 2), new ScoreCam(), request(Target.argmax()));
            Tensor w = e.coefficients();
            for (int r = 0; r < w.dim(0); r++) {
                double s = 0;
                for (int k = 0; k < w.dim(1); k++) {
                    assertTrue(w.get(r, k) > 0, "seed " + seed);
                    s += w.get(r, k);
                }
                assertEquals(1.0, s, 1e-6, "seed " + seed + " row " + r);
            }
        }
    }

    /** On GAP -> linear with zero as the ablation value: w_k = W[c,k] mean(A_k) / y_c exactly. */
    @ParameterizedTest
    @MethodSource("seeds")
    void ablationCamEqualsItsClosedFormOnALinearHead(long seed) {
        Model m = TinyModels.gapLinear(seed, 0);
        Tensor x = TinyModels.input(seed, 2);
        Linear fc = (Linear) m.graph().node("logits").op();
        try (Explainer ex = Explainer.of(m, 1)) {
            CamSession s = ex.session(x, request(Target.classIndex(2)));
            Tensor a = s.evidence().get(0).activations();
            Explanation e = s.explain(new AblationCam());
            int k = a.dim(1), hw = a.dim(2) * a.dim(3);
            for (int r = 0; r < 2; r++) {
                float min = Float.POSITIVE_INFINITY;
                for (int i = 0; i < k * hw; i++) min = Math.min(min, a.data()[r * k * hw + i]);
                org.junit.jupiter.api.Assumptions.assumeTrue(min == 0f, "activations have a zero (ReLU), so the ablation value is 0");
                double y = e.logits().get(r, 2);
                for (int c = 0; c < k; c++) {
                    double mean = 0;
                    for (int i = 0; i < hw; i++) mean += a.data()[(r * k + c) * hw + i];
                    mean /= hw;
                    double expected = fc.weight().get(2, c) * mean / y;
                    assertEquals(expected, e.coefficients().get(r, c), 1e-4 * Math.max(1, Math.abs(expected)), "seed " + seed + " row " + r + " channel " + c);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void everyMapLiesInTheUnitIntervalWithoutNaN(long seed) {
        Model m = TinyModels.gapLinear(seed, 0);
        try (Explainer ex = Explainer.of(m, 1)) {
            for (Explanation e : ex.explain(TinyModels.input(seed, 2), all(), request(Target.argmax()))) {
                for (float v : e.maps().data()) assertTrue(v >= 0 && v <= 1, "seed " + seed + " " + e.method() + " value " + v);
                assertEquals(2, e.maps().dim(0));
                assertEquals(12, e.maps().dim(1));
                assertEquals(10, e.maps().dim(2));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void anAllZeroLayerGivesAllZeroMapsWithoutNaN(long seed) {
        Model m = TinyModels.gapLinear(seed, -1000f);
        try (Explainer ex = Explainer.of(m, 1)) {
            CamSession s = ex.session(TinyModels.input(seed, 2), request(Target.classIndex(1)));
            assertEquals(0f, s.evidence().get(0).activations().max(), "precondition: the layer is all zero");
            for (CamMethod method : all()) {
                Explanation e = s.explain(method);
                for (float v : e.maps().data()) assertEquals(0f, v, "seed " + seed + " " + e.method());
            }
        }
    }

    /**
     * Scaling the target class's weights and bias by s > 0 scales its logit by s. Maps of methods that are
     * linear (or ratio-based) in the score do not change. Not covered, because they are not scale
     * invariant by definition: Grad-CAM++ and Smooth Grad-CAM++ (alpha mixes g^2 and g^3), the Score-CAM
     * family and Group-CAM (softmax of scores/probabilities); FullGrad only up to the 1e-7 epsilon of its
     * per-channel min-max, which is not negligible for tiny bias-gradient planes (measured up to 5e-3).
     */
    @ParameterizedTest
    @MethodSource("seeds")
    void scalingTheTargetLogitByAPositiveFactorLeavesNormalisedMapsUnchanged(long seed) {
        float s = (float) (0.25 + new java.util.Random(seed).nextDouble() * 4);
        Model m = TinyModels.gapLinear(seed, 0), scaled = TinyModels.scaleClass(m, "logits", 3, s);
        Tensor x = TinyModels.input(seed, 2);
        List<CamMethod> methods = java.util.stream.Stream.of("cam", "grad-cam", "hires-cam", "grad-cam-elementwise", "xgrad-cam",
                "layer-cam", "ablation-cam", "eigen-cam", "eigen-grad-cam", "random-cam").map(CamMethods::byName).toList();
        try (Explainer a = Explainer.of(m, 1); Explainer b = Explainer.of(scaled, 1)) {
            List<Explanation> ea = a.explain(x, methods, request(Target.classIndex(3)));
            List<Explanation> eb = b.explain(x, methods, request(Target.classIndex(3)));
            for (int i = 0; i < ea.size(); i++) {
                float[] p = ea.get(i).maps().data(), q = eb.get(i).maps().data();
                for (int j = 0; j < p.length; j++) assertEquals(p[j], q[j], 1e-4, "seed " + seed + " s=" + s + " " + ea.get(i).method() + "[" + j + "]");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void resultsAreBitIdenticalForOneAndFourThreads(long seed) {
        Model m = TinyModels.gapLinear(seed, 0);
        Tensor x = TinyModels.input(seed, 2);
        try (Explainer one = Explainer.of(m, 1); Explainer four = Explainer.of(m, 4)) {
            List<Explanation> a = one.explain(x, all(), request(Target.argmax()));
            List<Explanation> b = four.explain(x, all(), request(Target.argmax()));
            for (int i = 0; i < a.size(); i++) {
                float[] p = a.get(i).maps().data(), q = b.get(i).maps().data();
                for (int j = 0; j < p.length; j++) {
                    assertEquals(Float.floatToRawIntBits(p[j]), Float.floatToRawIntBits(q[j]), "seed " + seed + " " + a.get(i).method() + "[" + j + "]");
                }
            }
        }
    }

    /** Skipping the forwards of dead (constant) channels changes nothing: same weights as scoring every channel. */
    @ParameterizedTest
    @MethodSource("seeds")
    void scoreCamSkippingDeadChannelsEqualsScoringEveryChannel(long seed) {
        Model m = TinyModels.gapLinear(seed, -2.5f);
        try (Explainer ex = Explainer.of(m, 1)) {
            CamSession s = ex.session(TinyModels.input(seed, 2), request(Target.argmax()));
            LayerEvidence e = s.evidence().get(0);
            Tensor a = e.activations(), x = e.input();
            int k = a.dim(1);
            int dead = 0;
            for (int p = 0; p < a.dim(0) * k; p++) {
                float[] plane = ChannelMasks.plane(a, p / k, p % k);
                float mn = Float.POSITIVE_INFINITY, mx = Float.NEGATIVE_INFINITY;
                for (float v : plane) { mn = Math.min(mn, v); mx = Math.max(mx, v); }
                if (mn == mx) dead++;
            }
            org.junit.jupiter.api.Assumptions.assumeTrue(dead > 0 && dead < a.dim(0) * k, "the model must have some dead and some live channels");
            double[] all = e.scoreInputs("all", a.dim(0) * k,
                    (j, item) -> ChannelMasks.maskInput(x, j / k, ChannelMasks.upsampleThenMinMax(a, j / k, j % k, 12, 10), 1f, item),
                    e.targetScore(j -> j / k));
            Tensor expected = ChannelMasks.softmaxRows(all, a.dim(0), k);
            Tensor got = s.explain(new ScoreCam()).coefficients();
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(Float.floatToRawIntBits(expected.data()[i]), Float.floatToRawIntBits(got.data()[i]), "seed " + seed + " (" + dead + " dead channels) weight " + i);
            }
        }
    }

    /**
     * A batch split across threads names the same non-finite value as one thread does: three threads cut the batch of
     * 4 to 3 (a multiple of the thread count), so the failing item sits elsewhere in its batch; the report is the item's
     * own one-item pass either way.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0} items, NaN in item {1}")
    @org.junit.jupiter.params.provider.CsvSource({"4, 3", "5, 4", "9, 6", "9, 0"})
    void aNonFiniteScoredItemIsReportedTheSameWithOneTwoAndThreeThreads(int count, int bad) {
        Model m = TinyModels.gapLinear(7, -2.5f);
        java.util.List<String> messages = new java.util.ArrayList<>();
        for (int threads : new int[]{1, 2, 3}) {
            try (Explainer ex = Explainer.of(m, threads)) {
                CamSession s = ex.session(TinyModels.input(7, 1), request(Target.argmax()));
                LayerEvidence e = s.evidence().get(0);
                Tensor x = e.input();
                dev.candela.run.NonFiniteException f = org.junit.jupiter.api.Assertions.assertThrows(dev.candela.run.NonFiniteException.class,
                        () -> e.scoreInputs("nan", count, (j, item) -> {
                            System.arraycopy(x.data(), 0, item, 0, item.length);
                            if (j == bad) item[0] = Float.NaN;
                        }, (j, row) -> row[0]));
                messages.add(f.getMessage());
            }
        }
        assertEquals(messages.get(0), messages.get(1), "threads 1 and 2");
        assertEquals(messages.get(0), messages.get(2), "threads 1 and 3");
    }
}
