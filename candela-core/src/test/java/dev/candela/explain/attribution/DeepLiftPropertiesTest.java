package dev.candela.explain.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.graph.GraphBuilder;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** DeepLIFT axioms (lift-cam.md 3.8 and 6) on seeded VGG- and ResNet-shaped models with random references. */
class DeepLiftPropertiesTest {

    static java.util.stream.LongStream seeds() { return Seeds.eight(); }

    private static Executor exec(Model m) { return new Executor(m, ReferenceKernels.INSTANCE); }

    /** float32 round-off allowance for a sum of contributions: relative to their absolute mass. */
    private static double tol(Tensor c, double delta) { return 2e-6 * (TestModels.absSum(c) + Math.abs(delta)) + 1e-6; }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void summationToDeltaAtTheInputWithNonUniformReferences(long seed) {
        for (Model m : List.of(TestModels.vgg(seed), TestModels.resnet(seed), TestModels.mobileNet(seed))) {
            Tensor x = Seeds.gaussian(seed + 1, 1, 2, 3, 16, 16), x0 = Seeds.gaussian(seed + 2, 1, 2, 3, 16, 16);
            DeepLiftResult r = new DeepLift(exec(m)).attribute(x, x0, TargetWeights.oneHot(10, 3, 7), null, null);
            for (int i = 0; i < 2; i++) {
                double[] sums = PairedBatch.itemSums(r.attributions());
                assertEquals(r.targetDelta()[i], sums[i], tol(r.attributions().slice(i, i + 1), r.targetDelta()[i]),
                        "seed " + seed + " model " + m.graph().nodes().size() + " nodes, item " + i + ": sum C must equal dY");
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void summationToDeltaAtEveryFullCut(long seed) {
        for (Model m : List.of(TestModels.vgg(seed), TestModels.resnet(seed), TestModels.mobileNet(seed))) {
            Tensor x = Seeds.gaussian(seed + 3, 1, 1, 3, 16, 16), x0 = Seeds.gaussian(seed + 4, 0.5, 1, 3, 16, 16);
            DeepLiftAudit audit = new DeepLiftAudit();
            DeepLiftResult r = new DeepLift(exec(m)).attribute(x, x0, TargetWeights.oneHot(10, 4), null, audit);
            java.util.Map<String, Double> total = new java.util.HashMap<>(), mass = new java.util.HashMap<>();
            for (DeepLiftLayerRecord rec : audit.records()) {
                assertEquals(0, rec.localResidual()[0], 2e-6 * (TestModels.absSum(rec.contributionsIn().get(0)) + 1) + 1e-6,
                        "seed " + seed + ": node " + rec.node() + " (" + rec.op() + ") does not conserve locally");
                for (int k = 0; k < rec.inputNames().size(); k++) {
                    Tensor c = rec.contributionsIn().get(k);
                    total.merge(rec.inputNames().get(k), c.sum(), Double::sum);
                    mass.merge(rec.inputNames().get(k), TestModels.absSum(c), Double::sum);
                }
            }
            // Single-tensor cuts: all of the tensor's consumers together. Multi-input nodes whose inputs form a cut
            // (residual Add: branch + skip): the contributions through that node alone.
            int cuts = 0;
            for (String t : total.keySet()) {
                if (!TestModels.isFullCut(m.graph(), Set.of(t))) continue;
                cuts++;
                assertEquals(r.targetDelta()[0], total.get(t), 4e-6 * (mass.get(t) + Math.abs(r.targetDelta()[0])) + 2e-6,
                        "seed " + seed + ": summation-to-delta fails at the full cut " + t);
            }
            for (DeepLiftLayerRecord rec : audit.records()) {
                if (rec.inputNames().size() < 2 || !TestModels.isFullCut(m.graph(), new HashSet<>(rec.inputNames()))) continue;
                cuts++;
                double abs = 0;
                for (Tensor c : rec.contributionsIn()) abs += TestModels.absSum(c);
                assertEquals(0, rec.residual()[0], 4e-6 * (abs + Math.abs(r.targetDelta()[0])) + 2e-6,
                        "seed " + seed + ": summation-to-delta fails at the full cut formed by the inputs of " + rec.node());
            }
            assertTrue(cuts >= 8, "seed " + seed + ": expected many full cuts, checked " + cuts);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void linearityInTheTarget(long seed) {
        Model m = TestModels.vgg(seed);
        Tensor x = Seeds.gaussian(seed + 5, 1, 1, 3, 16, 16), x0 = Seeds.gaussian(seed + 6, 1, 1, 3, 16, 16);
        DeepLift dl = new DeepLift(exec(m));
        Tensor a = dl.attribute(x, x0, TargetWeights.oneHot(10, 1), null, null).attributions();
        Tensor b = dl.attribute(x, x0, TargetWeights.oneHot(10, 6), null, null).attributions();
        float[] w = new float[10];
        w[1] = 2.5f;
        w[6] = -0.75f;
        Tensor ab = dl.attribute(x, x0, Tensor.of(w, 1, 10), null, null).attributions();
        for (int i = 0; i < ab.size(); i++) {
            double expect = 2.5 * a.data()[i] - 0.75 * b.data()[i];
            assertEquals(expect, ab.data()[i], 1e-5 * (1 + Math.abs(expect)), "seed " + seed + " element " + i);
        }
    }

    /** Rescale facts: both sides positive -> 1, both non-positive -> 0, straddling -> dy/dx in (0,1), |dx| < eps -> gradient. */
    @Test
    void reluRescaleUnitFacts() {
        GraphBuilder b = new GraphBuilder("x", Shape.of(5), 1);
        b.relu("r", "x");
        Model m = b.build("r");
        Tensor x = Tensor.of(new float[]{2, -1, 3, -2, 0.5f}, 1, 5);
        Tensor x0 = Tensor.of(new float[]{1, -3, -1, 0.5f, 0.5f}, 1, 5);
        float[] w = {1, 1, 1, 1, 1};
        DeepLiftResult r = new DeepLift(exec(m)).attribute(x, x0, Tensor.of(w, 1, 5), null, null);
        float[] mul = r.multipliers().data();
        assertEquals(1f, mul[0]);
        assertTrue(mul[1] == 0);
        assertEquals(3.0 / 4.0, mul[2], 1e-7);
        assertEquals(0.5 / 2.5, mul[3], 1e-7);
        assertEquals(1f, mul[4], "equal input and reference: gradient at the actual input (0.5 > 0)");
        for (float v : mul) assertTrue(v >= 0 && v <= 1, "ReLU multipliers lie in [0,1]");
        // The reference-code variant takes the gradient at the reference: x = x0 = -0.2 vs 0.3 make the difference visible.
        Tensor y = Tensor.of(new float[]{-0.2f, 0.3f, 0, 0, 0}, 1, 5);
        Tensor yr = Tensor.of(new float[]{-0.2f + 1e-8f, 0.3f, 0, 0, 0}, 1, 5);
        DeepLiftResult ref = new DeepLift(exec(m), DeepLiftOptions.deepliftReferenceCode()).attribute(y, yr, Tensor.of(w, 1, 5), null, null);
        assertTrue(ref.multipliers().data()[0] == 0);
        assertEquals(1f, ref.multipliers().data()[1]);
    }

    /** Clip (ReLU6) and LeakyReLU multipliers are the secant slopes (g(x) - g(x0)) / (x - x0). */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void clipAndLeakyReluRescaleIsTheSecantSlope(long seed) {
        for (dev.candela.graph.Op op : List.of(new dev.candela.graph.Clip(0, 6), new dev.candela.graph.LeakyRelu(0.1f))) {
            GraphBuilder b = new GraphBuilder("x", Shape.of(64), seed);
            b.add("g", op, "x");
            Model m = b.build("g");
            Tensor x = Seeds.gaussian(seed + 21, 5, 1, 64), x0 = Seeds.gaussian(seed + 22, 5, 1, 64);
            float[] ones = new float[64];
            java.util.Arrays.fill(ones, 1f);
            DeepLiftResult r = new DeepLift(exec(m)).attribute(x, x0, Tensor.of(ones, 1, 64), null, null);
            Tensor y = exec(m).forward(x).output(), y0 = exec(m).forward(x0).output();
            for (int i = 0; i < 64; i++) {
                double secant = ((double) y.data()[i] - y0.data()[i]) / ((double) x.data()[i] - x0.data()[i]);
                assertEquals(secant, r.multipliers().data()[i], 1e-6, "seed " + seed + " " + op.kind() + " element " + i);
            }
            assertEquals(r.targetDelta()[0], r.attributions().sum(), 1e-4, "seed " + seed + " " + op.kind());
        }
    }

    /** Same bits for 1 and 3 threads with the fast kernels, and close to the scalar reference kernels. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void deterministicAcrossThreadCountsAndCloseToTheReferenceKernels(long seed) {
        Model m = TestModels.resnet(seed);
        Tensor x = Seeds.gaussian(seed + 23, 1, 2, 3, 16, 16), x0 = Seeds.gaussian(seed + 24, 1, 2, 3, 16, 16);
        Tensor w = TargetWeights.oneHot(10, 1, 8);
        try (dev.candela.tensor.Parallel p1 = new dev.candela.tensor.Parallel(1); dev.candela.tensor.Parallel p3 = new dev.candela.tensor.Parallel(3)) {
            Tensor a1 = new DeepLift(Executor.fast(m, p1)).attribute(x, x0, w, null, null).attributions();
            Tensor a3 = new DeepLift(Executor.fast(m, p3)).attribute(x, x0, w, null, null).attributions();
            assertTrue(java.util.Arrays.equals(a1.data(), a3.data()), "seed " + seed + ": 1 vs 3 threads differ");
            Tensor ref = new DeepLift(exec(m)).attribute(x, x0, w, null, null).attributions();
            double scale = 0;
            for (float v : ref.data()) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < ref.size(); i++) assertEquals(ref.data()[i], a1.data()[i], 1e-4 * scale + 1e-7, "seed " + seed + " element " + i);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void maxPoolRuleBConservesWithNonUniformReferencesWhileRuleADoesNot(long seed) {
        Model m = TestModels.head(seed, 4, 6, 6);
        Tensor a = Seeds.gaussian(seed + 7, 1, 1, 4, 6, 6), a0 = Seeds.gaussian(seed + 8, 1, 1, 4, 6, 6);
        Tensor w = TargetWeights.oneHot(5, 2);
        DeepLiftResult rb = new DeepLift(exec(m)).attribute(a, a0, w, null, null);
        DeepLiftResult ra = new DeepLift(exec(m), DeepLiftOptions.captum().withMaxPool(DeepLiftOptions.MaxPoolRule.GRADIENT)).attribute(a, a0, w, null, null);
        assertEquals(0, rb.convergenceDelta()[0], tol(rb.attributions(), rb.targetDelta()[0]), "seed " + seed + ": rule (b) must conserve");
        assertTrue(Math.abs(ra.convergenceDelta()[0]) > 1e-3, "seed " + seed + ": rule (a) was expected to miss with non-uniform references, residual " + ra.convergenceDelta()[0]);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void maxPoolRulesAgreeWhenEachWindowsReferencesAreEqual(long seed) {
        Model m = TestModels.head(seed, 4, 6, 6);
        Tensor a = Seeds.gaussian(seed + 9, 1, 1, 4, 6, 6);
        // window-uniform reference: constant inside each 2x2 window
        // (window-uniform and not above the window's maximum, as zero references below ReLU outputs are in
        // LIFT-CAM; when the reference exceeds the window maximum rule (b) credits the reference's
        // first-index argmax instead, which conserves too but distributes differently)
        Tensor noise = Seeds.uniform(seed + 10, 0, 1, 1, 4, 3, 3);
        float[] r = new float[4 * 36];
        for (int c = 0; c < 4; c++) for (int wy = 0; wy < 3; wy++) for (int wx = 0; wx < 3; wx++) {
            float lo = Float.POSITIVE_INFINITY;
            for (int y = 2 * wy; y < 2 * wy + 2; y++) for (int x = 2 * wx; x < 2 * wx + 2; x++) lo = Math.min(lo, a.data()[(c * 6 + y) * 6 + x]);
            for (int y = 2 * wy; y < 2 * wy + 2; y++) for (int x = 2 * wx; x < 2 * wx + 2; x++) r[(c * 6 + y) * 6 + x] = lo - noise.data()[(c * 3 + wy) * 3 + wx];
        }
        Tensor a0 = Tensor.of(r, 1, 4, 6, 6);
        Tensor w = TargetWeights.oneHot(5, 0);
        DeepLiftResult rb = new DeepLift(exec(m)).attribute(a, a0, w, null, null);
        DeepLiftResult ra = new DeepLift(exec(m), DeepLiftOptions.captum().withMaxPool(DeepLiftOptions.MaxPoolRule.GRADIENT)).attribute(a, a0, w, null, null);
        for (int i = 0; i < rb.attributions().size(); i++) {
            assertEquals(rb.attributions().data()[i], ra.attributions().data()[i], 1e-5 * (1 + Math.abs(rb.attributions().data()[i])), "seed " + seed + " element " + i);
        }
        assertEquals(0, ra.convergenceDelta()[0], tol(ra.attributions(), ra.targetDelta()[0]), "seed " + seed + ": rule (a) conserves for window-uniform references");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void bothMaxPoolRulesConserveForAnyWindowUniformReference(long seed) {
        Model m = TestModels.head(seed, 4, 6, 6);
        Tensor a = Seeds.gaussian(seed + 19, 1, 1, 4, 6, 6), coarse = Seeds.gaussian(seed + 20, 1, 1, 4, 3, 3);
        float[] r = new float[4 * 36];
        for (int c = 0; c < 4; c++) for (int y = 0; y < 6; y++) for (int x = 0; x < 6; x++) r[(c * 6 + y) * 6 + x] = coarse.data()[(c * 3 + y / 2) * 3 + x / 2];
        Tensor a0 = Tensor.of(r, 1, 4, 6, 6);
        for (DeepLiftOptions o : List.of(DeepLiftOptions.captum(), DeepLiftOptions.captum().withMaxPool(DeepLiftOptions.MaxPoolRule.GRADIENT), DeepLiftOptions.deepliftReferenceCode())) {
            DeepLiftResult res = new DeepLift(exec(m), o).attribute(a, a0, TargetWeights.oneHot(5, 3), null, null);
            assertEquals(0, res.convergenceDelta()[0], tol(res.attributions(), res.targetDelta()[0]), "seed " + seed + " options " + o);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void overlappingMaxPoolWindowsAccumulateAtSharedArgmax(long seed) {
        // 3x3 stride-1 windows: most inputs are the argmax of several windows.
        GraphBuilder b = new GraphBuilder("x", Shape.of(2, 5, 5), seed);
        String t = b.add("pool", new dev.candela.graph.MaxPool2d(new int[]{3, 3}, new int[]{1, 1}, new int[]{1, 1, 1, 1}, new int[]{1, 1}, false), "x");
        t = b.flatten("flat", t);
        t = b.linear("fc", t, 3);
        Model m = b.build(t);
        Tensor x = Seeds.gaussian(seed + 11, 1, 1, 2, 5, 5), x0 = Seeds.gaussian(seed + 12, 1, 1, 2, 5, 5);
        DeepLiftResult r = new DeepLift(exec(m)).attribute(x, x0, TargetWeights.oneHot(3, 1), null, null);
        assertEquals(0, r.convergenceDelta()[0], tol(r.attributions(), r.targetDelta()[0]), "seed " + seed + ": overlapping windows must conserve");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void deepLiftShapIsTheMeanOverReferencesAndConservesOnAverage(long seed) {
        Model m = TestModels.resnet(seed);
        Tensor x = Seeds.gaussian(seed + 13, 1, 1, 3, 16, 16);
        List<Tensor> refs = List.of(Seeds.gaussian(seed + 14, 1, 1, 3, 16, 16), Tensor.zeros(1, 3, 16, 16), Reference.Blurred.rise().of(x));
        DeepLift dl = new DeepLift(exec(m));
        Tensor w = TargetWeights.oneHot(10, 5);
        DeepLiftResult shap = dl.shap(x, refs, w, null);
        double meanDelta = 0;
        for (Tensor r : refs) meanDelta += dl.attribute(x, r, w, null, null).targetDelta()[0] / refs.size();
        assertEquals(meanDelta, shap.targetDelta()[0], 1e-6 * (1 + Math.abs(meanDelta)), "seed " + seed);
        assertEquals(shap.targetDelta()[0], shap.attributions().sum(), tol(shap.attributions(), meanDelta), "seed " + seed + ": DeepLiftShap sums to the mean delta");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void layerDeepLiftConservesAtAFullCutLayer(long seed) {
        Model m = TestModels.resnet(seed);
        Tensor x = Seeds.gaussian(seed + 15, 1, 1, 3, 16, 16);
        for (String layer : List.of("pool", "b1.relu2", "b2.relu2")) {
            DeepLiftResult r = new DeepLift(exec(m)).attribute(x, Tensor.zeros(1, 3, 16, 16), TargetWeights.oneHot(10, 2), layer, null);
            assertEquals(r.targetDelta()[0], r.attributions().sum(), tol(r.attributions(), r.targetDelta()[0]), "seed " + seed + " layer " + layer);
        }
    }

    @Test
    void missingnessAtTheInputAZeroDeltaGetsZeroContribution() {
        Model m = TestModels.vgg(3);
        Tensor x = Seeds.gaussian(17, 1, 1, 3, 16, 16);
        Tensor x0 = x.copy();
        for (int i = 0; i < 256; i++) x0.data()[i] = 0; // channel 0 differs, channels 1 and 2 equal
        DeepLiftResult r = new DeepLift(exec(m)).attribute(x, x0, TargetWeights.oneHot(10, 1), null, null);
        for (int i = 256; i < r.attributions().size(); i++) assertTrue(r.attributions().data()[i] == 0, "element " + i);
        Set<String> kinds = new HashSet<>();
        for (Node n : m.graph().nodes()) kinds.add(n.op().kind());
        assertTrue(kinds.contains("MaxPool2d"));
    }
}
