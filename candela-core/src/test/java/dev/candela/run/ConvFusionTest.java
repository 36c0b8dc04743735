package dev.candela.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.graph.Add;
import dev.candela.graph.ChannelAffine;
import dev.candela.graph.Clip;
import dev.candela.graph.Conv2d;
import dev.candela.graph.GraphBuilder;
import dev.candela.graph.LeakyRelu;
import dev.candela.graph.Pointwise;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.testkit.Architectures;
import dev.candela.testkit.RandomCases;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A forward pass that keeps nothing runs each convolution and the element-wise ops only it feeds as one pass
 * ({@link ConvFusion}); these tests hold it to the same bits as the op-by-op pass, and to the same errors.
 */
class ConvFusionTest {

    static LongStream seeds() { return LongStream.rangeClosed(1, 40); }

    /**
     * A random convolution (any kernel, stride, padding, dilation, grouping, depthwise included) followed by a
     * random run of BatchNorm, channel affine, residual Add (its other operand computed before or after the
     * convolution), ReLU, clip, leaky ReLU, sigmoid, SiLU, hard sigmoid and hard swish, then a second such block
     * reading the first.
     */
    static Model randomChain(RandomCases r) {
        int c = r.between(1, 6), h = r.between(3, 17), w = r.between(3, 17);
        GraphBuilder g = new GraphBuilder("input", Shape.of(c, h, w), r.seed);
        String x = "input";
        for (int block = 0; block < 2; block++) {
            int inC = g.shape(x).dim(1);
            boolean depthwise = r.chance(0.3);
            int groups = depthwise ? inC : r.chance(0.3) && inC % 2 == 0 ? 2 : 1;
            int outC = depthwise ? inC * r.between(1, 2) : groups * r.between(1, 5);
            int k = r.between(1, 3), stride = r.between(1, 2), pad = r.between(0, k - 1), dil = r.between(1, 2);
            if ((k - 1) * dil + 1 > Math.min(g.shape(x).dim(2), g.shape(x).dim(3)) + 2 * pad) dil = 1;
            Conv2d conv = new Conv2d(g.randn(0.5, outC, inC / groups, k, k), g.randn(0.3, outC),
                    new int[]{stride, stride}, new int[]{pad, pad, pad, pad}, new int[]{dil, dil}, groups);
            boolean residualFirst = r.chance(0.5);
            String early = residualFirst ? g.add("early" + block, new Conv2d(g.randn(0.5, outC, inC / groups, k, k),
                    g.randn(0.3, outC), new int[]{stride, stride}, new int[]{pad, pad, pad, pad}, new int[]{dil, dil}, groups), x) : null;
            String y = g.add("conv" + block, conv, x);
            int steps = r.between(1, 5);
            boolean added = false;
            for (int s = 0; s < steps; s++) {
                String name = "b" + block + "s" + s;
                switch (r.between(0, 9)) {
                    case 0 -> y = g.batchNorm(name, y);
                    case 1 -> y = g.add(name, new ChannelAffine(g.randn(1.0, outC), g.randn(0.5, outC)), y);
                    case 2 -> {
                        if (added) continue;
                        String other = early != null ? early : g.add("late" + block, new Conv2d(g.randn(0.5, outC, inC / groups, k, k),
                                g.randn(0.3, outC), new int[]{stride, stride}, new int[]{pad, pad, pad, pad}, new int[]{dil, dil}, groups), x);
                        y = r.chance(0.5) ? g.sum(name, y, other) : g.sum(name, other, y);
                        added = true;
                    }
                    case 3 -> y = g.relu(name, y);
                    case 4 -> y = g.add(name, new Clip(-0.5f, r.uniform(0.2, 2)), y);
                    case 5 -> y = g.add(name, new LeakyRelu(r.uniform(0.01, 0.3)), y);
                    case 6 -> y = g.add(name, new Pointwise(Pointwise.Fn.SIGMOID), y);
                    case 7 -> y = g.add(name, new Pointwise(Pointwise.Fn.SILU), y);
                    case 8 -> y = g.add(name, new Pointwise(Pointwise.Fn.HARD_SIGMOID), y);
                    default -> y = g.add(name, new Pointwise(Pointwise.Fn.HARD_SWISH), y);
                }
            }
            x = y;
        }
        return g.build(x);
    }

    @ParameterizedTest(name = "fused forward has the op-by-op bits: seed {0}")
    @MethodSource("seeds")
    void fusedForwardHasTheOpByOpBits(long seed) {
        RandomCases r = new RandomCases(seed);
        Model m = randomChain(r);
        Tensor x = r.normal(batch(m, r.between(1, 3)), 1.0);
        try (Parallel one = new Parallel(1); Parallel two = new Parallel(2)) {
            Activations all = Executor.fast(m, one).forward(x);
            assertTrue(chains(m, Set.of()) > 0, "seed " + seed + ": the graph has a chain to fuse");
            for (Parallel p : List.of(one, two)) {
                Tensor fused = Executor.fast(m, p).forward(x, Set.of()).output();
                assertArrayEquals(all.output().data(), fused.data(), "seed " + seed + ", " + p.threads() + " thread(s)");
            }
            // a kept tensor inside a chain is still computed, with the same bits
            String inner = m.graph().nodes().get(m.graph().nodes().size() - 2).output();
            Activations kept = Executor.fast(m, one).forward(x, Set.of(inner));
            assertArrayEquals(all.get(inner).data(), kept.get(inner).data(), "seed " + seed + ": kept tensor " + inner);
            assertArrayEquals(all.output().data(), kept.output().data(), "seed " + seed + ": output with " + inner + " kept");
        }
    }

    /**
     * Once a pass has warned of a NaN or infinity it stops checking, so its later chains run fused with the
     * non-finite values in them: those too have the op-by-op bits (an input with infinities, NaN, signed zeros
     * and values that overflow in the convolution, warned at the input, so every chain runs fused unchecked).
     */
    @ParameterizedTest(name = "fused forward over non-finite values (after the warning) has the op-by-op bits: seed {0}")
    @MethodSource("seeds")
    void fusedForwardOverNonFiniteValuesHasTheOpByOpBits(long seed) {
        RandomCases r = new RandomCases(seed);
        Model m = randomChain(r);
        Tensor x = r.normal(batch(m, r.between(1, 2)), 1.0);
        float[] special = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, -0f, 0f, 3e38f, -3e38f};
        for (int i = 0; i < x.size(); i++) if (r.chance(0.05)) x.data()[i] = special[r.between(0, special.length - 1)];
        x.data()[0] = Float.NEGATIVE_INFINITY;
        try (Parallel one = new Parallel(1); Parallel two = new Parallel(2)) {
            List<String> warned = new ArrayList<>();
            Tensor want = Executor.fast(m, one).withNonFinite(ForwardChecks.NonFinite.WARN, warned::add).forward(x).output();
            assertEquals(1, warned.size(), "seed " + seed + ": " + warned);
            for (Parallel p : List.of(one, two)) {
                Tensor fused = Executor.fast(m, p).withNonFinite(ForwardChecks.NonFinite.WARN, w -> {}).forward(x, Set.of()).output();
                assertArrayEquals(want.data(), fused.data(), "seed " + seed + ", " + p.threads() + " thread(s)");
            }
        }
    }

    @ParameterizedTest(name = "fast fused pass is within rounding of the reference: seed {0}")
    @MethodSource("seeds")
    void fastFusedPassIsWithinRoundingOfTheReference(long seed) {
        RandomCases r = new RandomCases(seed);
        Model m = randomChain(r);
        Tensor x = r.normal(batch(m, 2), 1.0);
        try (Parallel p = new Parallel(2)) {
            float[] fast = Executor.fast(m, p).forward(x, Set.of()).output().data();
            float[] ref = new Executor(m, ReferenceKernels.INSTANCE).forward(x, Set.of()).output().data();
            double scale = 1e-6;
            for (float v : ref) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < ref.length; i++)
                assertEquals(ref[i], fast[i], 1e-4 * scale, "seed " + seed + " at " + i);
        }
    }

    @ParameterizedTest(name = "an executor reusing dead activations' arrays keeps results and callers' tensors intact: {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"resnet", "vgg", "mobile"})
    void reusedActivationArraysChangeNoResultAndNoCallersTensor(String name) {
        Model m = ThreadDeterminismTest.model(name);
        RandomCases r = new RandomCases(name.hashCode());
        Tensor x1 = r.normal(batch(m, 2), 1.0), x2 = r.normal(batch(m, 2), 1.0);
        float[] x1Bits = x1.data().clone(), x2Bits = x2.data().clone();
        String kept = m.graph().nodes().get(m.graph().nodes().size() / 2).output();
        try (Parallel p = new Parallel(2)) {
            Executor fresh = Executor.fast(m, p);
            float[] want1 = fresh.forward(x1).output().data(), want2 = fresh.forward(x2).output().data();
            Executor reused = Executor.fast(m, p);
            Activations a1 = reused.forward(x1, Set.of(kept));
            float[] keptBits = a1.get(kept).data().clone(), out1 = a1.output().data().clone();
            for (int k = 0; k < 3; k++) {
                assertArrayEquals(want2, reused.forward(x2, Set.of()).output().data(), name + ": pass " + k + " on x2");
                assertArrayEquals(want1, reused.forward(x1, Set.of()).output().data(), name + ": pass " + k + " on x1");
            }
            assertArrayEquals(want1, out1, name + ": first pass");
            assertArrayEquals(keptBits, a1.get(kept).data(), name + ": a kept tensor returned earlier is not overwritten");
            assertArrayEquals(out1, a1.output().data(), name + ": an output returned earlier is not overwritten");
            assertArrayEquals(x1Bits, x1.data(), name + ": the caller's input");
            assertArrayEquals(x2Bits, x2.data(), name + ": the caller's input");
            // a tensor given in place of a layer is the caller's too
            String mid = m.graph().nodes().get(2).output();
            Tensor given = fresh.forward(x1).get(mid);
            float[] givenBits = given.data().clone();
            Tensor fromMid = reused.forwardFrom(Map.of(mid, given), Set.of()).output();
            assertArrayEquals(want1, fromMid.data(), name + ": forward from " + mid);
            assertArrayEquals(givenBits, given.data(), name + ": the given tensor " + mid);
        }
    }

    @Test
    void resnetBlocksFuseConvBatchNormAddAndRelu() {
        Model m = Architectures.resnet(new int[]{1, 1}, 8, Shape.of(3, 32, 32), 3);
        ConvFusion f = new ConvFusion(m.graph(), m.graph().nodes(), Set.of());
        List<String> found = new ArrayList<>();
        for (int i = 0; i < m.graph().nodes().size(); i++) {
            ConvFusion.Chain c = f.chainAt(i, computedBefore(m, i));
            if (c != null) found.add(m.graph().nodes().get(i).name() + "->" + c.output());
        }
        // the downsample runs after conv3, so the residual sum and its ReLU join the downsample's pass
        assertTrue(found.contains("layer1.0.conv1->layer1.0.relu1"), found.toString());
        assertTrue(found.contains("layer1.0.conv3->layer1.0.bn3"), found.toString());
        assertTrue(found.contains("layer1.0.downsample.0->layer1.0.relu"), found.toString());
        assertEquals(9, found.size(), found.toString());
        // a kept tensor ends the chain (a kept BatchNorm output is its last) or prevents it (a kept convolution output)
        int conv1 = indexOf(m, "layer1.0.conv1");
        ConvFusion keepBn = new ConvFusion(m.graph(), m.graph().nodes(), Set.of("layer1.0.bn1"));
        assertEquals("layer1.0.bn1", keepBn.chainAt(conv1, computedBefore(m, conv1)).output());
        ConvFusion keepConv = new ConvFusion(m.graph(), m.graph().nodes(), Set.of("layer1.0.conv1"));
        assertEquals(null, keepConv.chainAt(conv1, computedBefore(m, conv1)));
    }

    @ParameterizedTest(name = "a -Inf hidden by the fused {0} is still reported at the convolution")
    @ValueSource(strings = {"relu", "sigmoid", "hard sigmoid"})
    void aNegativeInfinityHiddenByTheActivationIsStillReportedAtTheConvolution(String activation) {
        GraphBuilder g = new GraphBuilder("input", Shape.of(1, 4, 4), 1);
        Tensor w = Tensor.zeros(Shape.of(2, 1, 1, 1));
        w.data()[0] = -3e38f;
        w.data()[1] = 1f;
        String bn = g.batchNorm("bn", g.add("conv", new Conv2d(w, Tensor.zeros(Shape.of(2)),
                new int[]{1, 1}, new int[]{0, 0, 0, 0}, new int[]{1, 1}, 1), "input"));
        String y = switch (activation) {
            case "relu" -> g.relu("act", bn);
            case "sigmoid" -> g.add("act", new Pointwise(Pointwise.Fn.SIGMOID), bn);
            default -> g.add("act", new Pointwise(Pointwise.Fn.HARD_SIGMOID), bn);
        };
        Model m = g.build(y);
        Tensor x = Tensor.zeros(Shape.of(1, 1, 4, 4));
        java.util.Arrays.fill(x.data(), 10f);
        try (Parallel p = new Parallel(1)) {
            NonFiniteException full = assertThrows(NonFiniteException.class, () -> Executor.fast(m, p).forward(x));
            NonFiniteException fused = assertThrows(NonFiniteException.class, () -> Executor.fast(m, p).forward(x, Set.of()));
            assertEquals("conv", fused.layer());
            assertEquals(full.getMessage(), fused.getMessage());
            List<String> warned = new ArrayList<>();
            Tensor out = Executor.fast(m, p).withNonFinite(ForwardChecks.NonFinite.WARN, warned::add).forward(x, Set.of()).output();
            assertEquals(1, warned.size());
            assertTrue(warned.get(0).contains("layer 'conv'"), warned.get(0));
            assertNotNull(out);
            // the warned run goes on with the op-by-op values (-Inf through the activation: 0 or the sigmoid's floor)
            Tensor opByOp = Executor.fast(m, p).withNonFinite(ForwardChecks.NonFinite.WARN, w2 -> {}).forward(x).output();
            assertArrayEquals(opByOp.data(), out.data());
            assertTrue(out.data()[0] >= 0f && out.data()[0] < 1e-30f, "activation of -Inf: " + out.data()[0]);
        }
    }

    private static Shape batch(Model m, int n) {
        Shape item = m.graph().inputItemShape();
        return Shape.of(n, item.dim(0), item.dim(1), item.dim(2));
    }

    private static int chains(Model m, Set<String> keep) {
        ConvFusion f = new ConvFusion(m.graph(), m.graph().nodes(), keep);
        int n = 0;
        for (int i = 0; i < m.graph().nodes().size(); i++) if (f.chainAt(i, computedBefore(m, i)) != null) n++;
        return n;
    }

    /** The tensors a forward pass has when it reaches node {@code i} (zeros: only shapes matter to the planner). */
    private static Map<String, Tensor> computedBefore(Model m, int i) {
        Map<String, Tensor> v = new HashMap<>();
        Shape item = m.graph().inputItemShape();
        v.put(m.graph().input(), Tensor.zeros(Shape.of(1, item.dim(0), item.dim(1), item.dim(2))));
        for (Node n : m.graph().nodes().subList(0, i)) {
            Shape s = m.graph().itemShape(n.output());
            int[] d = new int[s.rank() + 1];
            d[0] = 1;
            System.arraycopy(s.dims(), 0, d, 1, s.rank());
            v.put(n.output(), Tensor.zeros(Shape.of(d)));
        }
        return v;
    }

    private static int indexOf(Model m, String name) {
        for (int i = 0; i < m.graph().nodes().size(); i++) if (m.graph().nodes().get(i).name().equals(name)) return i;
        throw new AssertionError(name);
    }
}
