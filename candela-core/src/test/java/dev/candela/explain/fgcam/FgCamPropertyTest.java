package dev.candela.explain.fgcam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.explain.ShapedModels;
import dev.candela.explain.ShapedModels.Kind;
import dev.candela.graph.Conv2d;
import dev.candela.graph.Graph;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.graph.Preprocessing;
import dev.candela.graph.Relu;
import dev.candela.graph.Flatten;
import dev.candela.graph.Linear;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.testkit.RandomCases;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** FG-CAM's properties (fg-cam.md section 10) on seeded VGG-, ResNet-, MobileNet- and Concat-shaped models. */
class FgCamPropertyTest {

    static Stream<Arguments> kindsAndSeeds() {
        List<Arguments> a = new ArrayList<>();
        for (Kind k : Kind.values()) for (long s = 1; s <= 4; s++) a.add(Arguments.of(k, s));
        return a.stream();
    }

    static Stream<Arguments> residualAndMobileSeeds() {
        List<Arguments> a = new ArrayList<>();
        for (Kind k : List.of(Kind.RESNET, Kind.MOBILENET)) for (long s = 1; s <= 6; s++) a.add(Arguments.of(k, s));
        return a.stream();
    }

    record Setup(Executor ex, Activations fwd, Tensor input, String camLayer, int[] classes) {}

    static Setup setup(Kind kind, long seed, int batch) {
        Model m = ShapedModels.build(kind, seed, true);
        RandomCases rc = new RandomCases(seed);
        Tensor x = rc.normal(Shape.of(batch, 3, 12, 12), 1.0);
        Executor ex = new Executor(m, ReferenceKernels.INSTANCE);
        Activations fwd = ex.forward(x);
        int[] cls = new int[batch];
        for (int i = 0; i < batch; i++) cls[i] = rc.between(0, 4);
        return new Setup(ex, fwd, x, ShapedModels.camLayer(kind), cls);
    }

    /** Tensors every path from the input to the CAM layer passes through (where the total must be conserved). */
    static List<String> cuts(Setup s) {
        Graph g = s.ex().graph();
        List<String> out = new ArrayList<>();
        for (String t : raiseTargets(s)) {
            java.util.Set<String> reach = new java.util.HashSet<>();
            if (!t.equals(g.input())) reach.add(g.input());
            for (Node n : g.nodes()) {
                if (n.output().equals(t)) continue;
                for (String i : n.inputs()) if (reach.contains(i)) { reach.add(n.output()); break; }
            }
            if (!reach.contains(s.camLayer())) out.add(t);
        }
        return out;
    }

    /** Every tensor FG-CAM may raise to: the input and each 4-D tensor upstream of the CAM layer. */
    static List<String> raiseTargets(Setup s) {
        Graph g = s.ex().graph();
        List<String> out = new ArrayList<>(List.of(g.input()));
        for (String t : g.ancestors(s.camLayer())) if (!t.equals(g.input()) && g.itemShape(t).rank() == 3) out.add(t);
        return out;
    }

    static double sum(Tensor t, int item) {
        int per = t.shape().itemSize();
        double s = 0;
        for (int i = item * per; i < (item + 1) * per; i++) s += t.data()[i];
        return s;
    }

    static double absSum(Tensor t, int item) {
        int per = t.shape().itemSize();
        double s = 0;
        for (int i = item * per; i < (item + 1) * per; i++) s += Math.abs(t.data()[i]);
        return s;
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("kindsAndSeeds")
    void sumAtEveryLayerEqualsComponentSumMinusZeroDenominatorDrops(Kind kind, long seed) {
        Setup s = setup(kind, seed, 2);
        Tensor comps = BaseComponents.compute(new BaseComponents.Base.GradCam(), s.ex(), s.fwd(), s.input(), s.camLayer(), s.classes());
        for (String t : cuts(s)) {
            FgCam.Result r = new FgCam(s.ex()).raise(s.fwd(), s.camLayer(), comps, t);
            for (int b = 0; b < 2; b++) {
                double dropped = 0;
                for (double[] d : r.dropped().values()) dropped += d[b];
                double expect = sum(comps, b) - dropped, got = sum(r.raised(), b);
                double tol = 1e-5 * absSum(comps, b) + 1e-9;
                assertEquals(expect, got, tol, kind + " seed " + seed + " item " + b + " layer " + t + ": sum " + got + " vs components " + sum(comps, b) + " - dropped " + dropped);
            }
        }
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("residualAndMobileSeeds")
    void residualAndMobileNetsConserveComponentSumToTheInputWithin1e4WhenZeroDenominatorSharesAreSpread(Kind kind, long seed) {
        Setup s = setup(kind, seed, 1);
        Tensor comps = BaseComponents.compute(new BaseComponents.Base.GradCam(), s.ex(), s.fwd(), s.input(), s.camLayer(), s.classes());
        double c = sum(comps, 0);
        FgCam.Result official = new FgCam(s.ex()).raise(s.fwd(), s.camLayer(), comps, "input");
        double dropped = official.dropped().values().stream().mapToDouble(d -> d[0]).sum();
        FgCam.Result r = new FgCam(s.ex(), RaisingRule.ZeroDenominators.SPREAD).raise(s.fwd(), s.camLayer(), comps, "input");
        double got = sum(r.raised(), 0), rel = Math.abs(got - c) / Math.abs(c);
        System.out.printf("fg-cam conservation %s seed %d: components %.6g; official rules at input %.6g (relative %.3g, dropped %.3g); spread %.6g (relative %.3g)%n",
                kind, seed, c, sum(official.raised(), 0), Math.abs(sum(official.raised(), 0) - c) / Math.abs(c), dropped, got, rel);
        assertTrue(rel <= 1e-4, kind + " seed " + seed + ": sum at input " + got + " vs components " + c + " (relative " + rel + ")");
        assertEquals(c - dropped, sum(official.raised(), 0), 1e-5 * absSum(comps, 0), kind + " seed " + seed + ": official rules lose exactly the zero-denominator mass");
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("kindsAndSeeds")
    void raisingToTheCamLayerItselfReturnsTheBaseComponents(Kind kind, long seed) {
        Setup s = setup(kind, seed, 2);
        Tensor comps = BaseComponents.compute(new BaseComponents.Base.LayerCam(), s.ex(), s.fwd(), s.input(), s.camLayer(), s.classes());
        FgCam.Result r = new FgCam(s.ex()).raise(s.fwd(), s.camLayer(), comps, s.camLayer());
        assertArrayEquals(comps.data(), r.raised().data(), "seed " + seed);
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("kindsAndSeeds")
    void scoreCamBasedMapsAreNonNegativeAtEveryLayer(Kind kind, long seed) {
        Setup s = setup(kind, seed, 1);
        Tensor comps = BaseComponents.compute(new BaseComponents.Base.ScoreCamFg(8), s.ex(), s.fwd(), s.input(), s.camLayer(), s.classes());
        for (String t : raiseTargets(s)) {
            Tensor raised = new FgCam(s.ex()).raise(s.fwd(), s.camLayer(), comps, t).raised();
            float min = raised.min();
            assertTrue(min >= -1e-7f * raised.max(), kind + " seed " + seed + " layer " + t + ": min " + min);
        }
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("kindsAndSeeds")
    void denoisedComponentsSumToZeroAndSoDoesTheRaisedMapUpToDrops(Kind kind, long seed) {
        // The CAM layers here are 3x3..6x6 with 6..16 channels; d = floor(0.1 min(K, hw)) must be >= 1.
        Setup s = setup(kind, seed, 1);
        Tensor comps = BaseComponents.compute(new BaseComponents.Base.GradCam(), s.ex(), s.fwd(), s.input(), s.camLayer(), s.classes());
        Tensor d = FgCam.denoise(comps, FgCam.Denoise.OFFICIAL);
        int k = comps.dim(1), hw = comps.dim(2) * comps.dim(3);
        double scale = absSum(d, 0) + 1e-12;
        for (int c = 0; c < k; c++) {
            double rowSum = 0;
            for (int i = 0; i < hw; i++) rowSum += d.data()[c * hw + i];
            assertEquals(0, rowSum, 1e-5 * scale, "seed " + seed + " channel " + c + " of the denoised components does not sum to 0");
        }
        FgCam.Result r = new FgCam(s.ex()).raise(s.fwd(), s.camLayer(), d, "input");
        double dropped = r.dropped().values().stream().mapToDouble(x -> x[0]).sum();
        assertEquals(-dropped, sum(r.raised(), 0), 1e-5 * scale, "seed " + seed + ": denoised map total");
        Tensor back = FgCam.denoise(comps, FgCam.Denoise.MEANS_BACK);
        assertEquals(sum(comps, 0), sum(back, 0), 1e-5 * absSum(comps, 0), "seed " + seed + ": adding the means back restores the total");
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("kindsAndSeeds")
    void raisingIsLinearInTheComponents(Kind kind, long seed) {
        Setup s = setup(kind, seed, 1);
        RandomCases rc = new RandomCases(seed + 1000);
        Shape cs = s.fwd().get(s.camLayer()).shape();
        Tensor i1 = rc.normal(cs, 1.0), i2 = rc.normal(cs, 1.0);
        float a = rc.uniform(-2, 2);
        float[] mix = new float[i1.size()];
        for (int i = 0; i < mix.length; i++) mix[i] = i1.data()[i] + a * i2.data()[i];
        FgCam fg = new FgCam(s.ex());
        Tensor r1 = fg.raise(s.fwd(), s.camLayer(), i1, "input").raised();
        Tensor r2 = fg.raise(s.fwd(), s.camLayer(), i2, "input").raised();
        Tensor rm = fg.raise(s.fwd(), s.camLayer(), new Tensor(cs, mix), "input").raised();
        double scale = 0;
        for (int i = 0; i < rm.size(); i++) scale = Math.max(scale, Math.abs(r1.data()[i]) + Math.abs(a * r2.data()[i]));
        for (int i = 0; i < rm.size(); i++) {
            assertEquals(r1.data()[i] + a * r2.data()[i], rm.data()[i], 1e-5 * scale + 1e-12, kind + " seed " + seed + " at " + i);
        }
    }

    static Stream<Long> seeds() { return RandomCases.seeds(12).boxed(); }

    /** One conv (random stride, padding, groups, kernel) on signed inputs, then a head so it is a graph. */
    static Model singleConv(RandomCases rc, int inC, boolean first) {
        int groups = inC % 2 == 0 && rc.chance(0.4) ? 2 : 1;
        int outC = groups * rc.between(1, 3), k = rc.between(1, 3), stride = rc.between(1, 2), pad = rc.between(0, k - 1);
        int h = rc.between(4, 7), w = rc.between(4, 7);
        Conv2d c = new Conv2d(rc.normal(Shape.of(outC, inC / groups, k, k), 1.0), rc.normal(Shape.of(outC), 1.0),
                new int[]{stride, stride}, new int[]{pad, pad, pad, pad}, new int[]{1, 1}, groups);
        List<Node> nodes = new ArrayList<>();
        String in = "input";
        if (!first) {
            // a 3->3 1x1 conv first, so the tested conv is not the z-box layer
            nodes.add(new Node("pre", new Conv2d(rc.normal(Shape.of(inC, 3, 1, 1), 1.0), Tensor.zeros(inC), new int[]{1, 1}, new int[]{0, 0, 0, 0}, new int[]{1, 1}, 1), List.of("input"), "pre"));
            in = "pre";
        }
        nodes.add(new Node("conv", c, List.of(in), "conv"));
        nodes.add(new Node("flat", new Flatten(), List.of("conv"), "flat"));
        Shape os = c.outputShape(List.of(Shape.of(1, inC, h, w)));
        int f = os.itemSize();
        nodes.add(new Node("fc", new Linear(rc.normal(Shape.of(2, f), 1.0), Tensor.zeros(2)), List.of("flat"), "fc"));
        return new Model(new Graph("input", Shape.of(3, h, w), nodes, "fc"), Preprocessing.imagenet(), List.of(), Map.of());
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void scatterConvTransposeMatchesBruteForcePerPairFormula(long seed) {
        RandomCases rc = new RandomCases(seed);
        for (boolean first : new boolean[]{true, false}) {
            int inC = first ? 3 : rc.between(1, 2) * 2;
            Model m = singleConv(rc, first ? 3 : inC, first);
            Executor ex = new Executor(m, ReferenceKernels.INSTANCE);
            Tensor x = rc.normal(Shape.of(1, 3, m.graph().inputItemShape().dim(1), m.graph().inputItemShape().dim(2)), 1.0);
            Activations fwd = ex.forward(x);
            String xin = first ? "input" : "pre";
            Tensor xi = fwd.get(xin);
            Conv2d c = (Conv2d) m.graph().node("conv").op();
            Tensor r = rc.normal(fwd.get("conv").shape(), 1.0);
            Tensor got = new FgCam(ex).raise(fwd, "conv", r, xin).raised();
            Tensor want = bruteForce(c, xi, r, first);
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.data()[i], got.data()[i], 1e-4 * (1 + Math.abs(want.data()[i])), "seed " + seed + " first=" + first + " at " + i);
            }
        }
    }

    /**
     * The closed forms, pair by pair: hidden conv R_i = sum_j (x_i w_ij)+ / sum_i' (x_i' w_i'j)+ * I_j;
     * input conv R_i = sum_j [(x_i - l) w_ij+ + (x_i - h) w_ij-] / Z_j * I_j with l, h the input's min, max.
     */
    static Tensor bruteForce(Conv2d c, Tensor x, Tensor r, boolean zBox) {
        int inC = x.dim(1), h = x.dim(2), w = x.dim(3), oc = c.outChannels(), oh = r.dim(2), ow = r.dim(3);
        int icg = c.weight().dim(1), ocg = oc / c.groups(), k = c.kernelH();
        double lo = x.min(), hi = x.max();
        double[] out = new double[x.size()];
        for (int o = 0; o < oc; o++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    List<double[]> pairs = new ArrayList<>(); // {input index, share}
                    double z = 0;
                    for (int ci = 0; ci < icg; ci++)
                        for (int ky = 0; ky < k; ky++)
                            for (int kx = 0; kx < k; kx++) {
                                int iy = oy * c.strides()[0] - c.pads()[0] + ky, ix = ox * c.strides()[1] - c.pads()[1] + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                int cin = (o / ocg) * icg + ci, idx = (cin * h + iy) * w + ix;
                                double wv = c.weight().data()[((o * icg + ci) * k + ky) * k + kx], xv = x.data()[idx];
                                double share = zBox ? (xv - lo) * Math.max(wv, 0) + (xv - hi) * Math.min(wv, 0) : Math.max(xv * wv, 0);
                                pairs.add(new double[]{idx, share});
                                z += share;
                            }
                    double rj = r.data()[(o * oh + oy) * ow + ox];
                    if (z == 0) continue;
                    for (double[] p : pairs) out[(int) p[0]] += p[1] / z * rj;
                }
        float[] f = new float[out.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) out[i];
        return new Tensor(x.shape(), f);
    }
}
