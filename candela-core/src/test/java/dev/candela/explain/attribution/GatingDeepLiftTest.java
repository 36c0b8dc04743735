package dev.candela.explain.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.candela.explain.lrp.Gating;
import dev.candela.graph.Clip;
import dev.candela.graph.LayerNorm;
import dev.candela.graph.LeakyRelu;
import dev.candela.graph.Relu;
import dev.candela.graph.Mul;
import dev.candela.graph.Node;
import dev.candela.graph.Op;
import dev.candela.graph.Pointwise;
import dev.candela.run.LayerValues;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.testkit.RandomCases;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Local summation-to-delta of the zoo ops' DeepLIFT rules: for a paired batch (actual, reference) and any
 * output multiplier m, sum_k m_k . Δx_k over the inputs equals sum m . Δy (Rescale for every Pointwise
 * function, the Shapley split for Mul with and without broadcasting). Also: the LRP / FG-CAM gate passes
 * all relevance to the gated input.
 */
class GatingDeepLiftTest {
    static LongStream seeds() { return RandomCases.seeds(10); }

    static final ReferenceKernels R = ReferenceKernels.INSTANCE;

    static void conserves(String what, Op op, List<Tensor> actual, List<Tensor> reference, RandomCases g) {
        List<Tensor> paired = new ArrayList<>();
        for (int i = 0; i < actual.size(); i++) paired.add(Tensor.concatBatch(List.of(actual.get(i), reference.get(i))));
        Tensor y = R.forward(op, paired);
        Node node = new Node("n", op, actual.size() == 1 ? List.of("x") : List.of("a", "b"), "y");
        LayerValues v = new LayerValues(node, paired, y, R);
        int n = actual.get(0).dim(0);
        Tensor m = g.normal(y.shape().withDim(0, n), 1.0);
        List<Tensor> mi = new DeepLiftRule(DeepLiftOptions.captum()).propagate(v, m);
        double lhs = 0, rhs = 0, scale = 0;
        int half = m.size();
        for (int i = 0; i < half; i++) {
            double t = (double) m.data()[i] * ((double) y.data()[i] - y.data()[i + half]);
            rhs += t;
            scale += Math.abs(t);
        }
        for (int k = 0; k < actual.size(); k++) {
            float[] a = actual.get(k).data(), r = reference.get(k).data(), mm = mi.get(k).data();
            for (int i = 0; i < a.length; i++) lhs += (double) mm[i] * ((double) a[i] - r[i]);
        }
        assertEquals(rhs, lhs, 1e-5 * (1 + scale), what);
    }

    @ParameterizedTest(name = "Rescale on every Pointwise function sums to delta, seed {0}")
    @MethodSource("seeds")
    void pointwiseRescale(long seed) {
        RandomCases g = new RandomCases(seed);
        for (Pointwise.Fn fn : Pointwise.Fn.values()) {
            Shape s = Shape.of(g.between(1, 3), g.between(1, 4), g.between(1, 5), g.between(1, 5));
            Tensor x = g.normal(s, 2.0), x0 = g.normal(s, 2.0);
            // Some entries equal to their reference: the derivative fallback must not break the sum.
            for (int i = 0; i < x.size(); i += 3) x0.data()[i] = x.data()[i];
            conserves(fn.name(), new Pointwise(fn), List.of(x), List.of(x0), g);
        }
    }

    @ParameterizedTest(name = "Shapley split of a product of two input-dependent tensors sums to delta, seed {0}")
    @MethodSource("seeds")
    void mulShapley(long seed) {
        RandomCases g = new RandomCases(seed);
        int n = g.between(1, 3), c = g.between(1, 5), h = g.between(1, 5), w = g.between(1, 5);
        Shape full = Shape.of(n, c, h, w), gate = g.chance(0.5) ? Shape.of(n, c, 1, 1) : full;
        conserves("mul " + gate, new Mul(), List.of(g.normal(full, 1.0), g.normal(gate, 1.0)), List.of(g.normal(full, 1.0), g.normal(gate, 1.0)), g);
    }

    @ParameterizedTest(name = "the LayerNorm rule (Shapley split + exact variance difference) sums to delta, seed {0}")
    @MethodSource("seeds")
    void layerNormSumsToDelta(long seed) {
        RandomCases g = new RandomCases(seed);
        int c = g.between(2, 8);
        Shape s = Shape.of(g.between(1, 2), g.between(1, 3), g.between(1, 3), c);
        LayerNorm ln = new LayerNorm(g.normal(Shape.of(c), 1.0), g.normal(Shape.of(c), 1.0), 1e-6f);
        Tensor x0 = g.normal(s, 1.0);
        conserves("layer norm", ln, List.of(g.normal(s, 1.0)), List.of(x0), g);
        // A row equal to its reference (Δv = 0): the derivative fallback keeps the sum.
        conserves("layer norm, x = x0", ln, List.of(x0.copy()), List.of(x0), g);
    }

    @ParameterizedTest(name = "the LN-rule conserves relevance, seed {0}")
    @MethodSource("seeds")
    void layerNormRelevanceIsConserved(long seed) {
        RandomCases g = new RandomCases(seed);
        int c = g.between(2, 8);
        Shape s = Shape.of(1, g.between(1, 3), c);
        LayerNorm ln = new LayerNorm(g.normal(Shape.of(c), 1.0), g.normal(Shape.of(c), 1.0), 1e-6f);
        Tensor x = g.normal(s, 1.0), y = R.forward(ln, List.of(x)), r = g.normal(s, 1.0);
        Tensor out = Gating.layerNorm(new LayerValues(new Node("n", ln, List.of("x"), "y"), List.of(x), y, R), r, new dev.candela.explain.lrp.Division.ZeroSafe());
        assertEquals(r.sum(), out.sum(), 1e-4 * (1 + Math.abs(r.sum())));
    }

    @ParameterizedTest(name = "the gate passes relevance whole to the gated branch, seed {0}")
    @MethodSource("seeds")
    void gatePassesRelevance(long seed) {
        RandomCases g = new RandomCases(seed);
        Shape full = Shape.of(1, 4, 3, 3), gate = Shape.of(1, 4, 1, 1);
        List<Tensor> in = List.of(g.normal(gate, 1.0), g.normal(full, 1.0));
        Tensor y = R.forward(new Mul(), in), r = g.normal(full, 1.0);
        List<Tensor> out = Gating.passToGated(new LayerValues(new Node("n", new Mul(), List.of("s", "x"), "y"), in, y, R), r);
        assertEquals(0, out.get(0).sum(), 0);
        assertEquals(r.sum(), out.get(1).sum(), 1e-6);
    }

    @ParameterizedTest(name = "captum-exact: ops without a Captum rule (ReLU6 / Hardtanh too) pass the gradient at the input, ReLU, LeakyReLU and Sigmoid keep Rescale, seed {0}")
    @MethodSource("seeds")
    void captumExactUsesTheGradientWhereCaptumHasNoRule(long seed) {
        RandomCases g = new RandomCases(seed);
        Shape full = Shape.of(g.between(1, 3), g.between(1, 5), g.between(1, 4), g.between(1, 4));
        Shape gate = full.withDim(2, 1).withDim(3, 1);
        LayerNorm ln = new LayerNorm(g.normal(Shape.of(full.dim(3)), 1.0), g.normal(Shape.of(full.dim(3)), 1.0), 1e-6f);
        // Clip is ReLU6 / Hardtanh, which Captum's SUPPORTED_NON_LINEAR does not list; ReLU and LeakyReLU it does
        List<Op> ops = new ArrayList<>(List.of(new Mul(), ln, new Clip(0, 6), new Clip(-1, 1), new Relu(), new LeakyRelu(0.1f)));
        for (Pointwise.Fn fn : Pointwise.Fn.values()) ops.add(new Pointwise(fn));
        for (Op op : ops) {
            boolean two = op instanceof Mul;
            List<Tensor> actual = two ? List.of(g.normal(full, 1.5), g.normal(gate, 1.5)) : List.of(g.normal(full, 1.5));
            List<Tensor> reference = two ? List.of(g.normal(full, 1.5), g.normal(gate, 1.5)) : List.of(g.normal(full, 1.5));
            List<Tensor> paired = new ArrayList<>();
            for (int i = 0; i < actual.size(); i++) paired.add(Tensor.concatBatch(List.of(actual.get(i), reference.get(i))));
            Tensor y = R.forward(op, paired);
            LayerValues v = new LayerValues(new Node("n", op, two ? List.of("a", "b") : List.of("x"), "y"), paired, y, R);
            Tensor m = g.normal(y.shape().withDim(0, full.dim(0)), 1.0);
            List<Tensor> exact = new DeepLiftRule(DeepLiftOptions.captumExact()).propagate(v, m);
            List<Tensor> conserving = new DeepLiftRule(DeepLiftOptions.captum()).propagate(v, m);
            List<Tensor> gradient = R.inputGradients(op, actual, R.forward(op, actual), m);
            boolean captumRule = op instanceof Relu || op instanceof LeakyRelu || op instanceof Pointwise p && p.fn() == Pointwise.Fn.SIGMOID;
            for (int k = 0; k < exact.size(); k++) {
                float[] want = (captumRule ? conserving : gradient).get(k).data(), got = exact.get(k).data();
                for (int i = 0; i < got.length; i++) assertEquals(want[i], got[i], 1e-6 * (1 + Math.abs(want[i])), op + " input " + k + " [" + i + "], seed " + seed);
            }
        }
    }
}
