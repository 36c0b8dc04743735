package dev.candela.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.graph.Add;
import dev.candela.graph.BatchNorm2d;
import dev.candela.graph.ChannelAffine;
import dev.candela.graph.ElementAffine;
import dev.candela.graph.Clip;
import dev.candela.graph.Concat;
import dev.candela.graph.Flatten;
import dev.candela.graph.GlobalAvgPool;
import dev.candela.graph.Identity;
import dev.candela.graph.LeakyRelu;
import dev.candela.graph.Linear;
import dev.candela.graph.Lrn;
import dev.candela.graph.MaxPool2d;
import dev.candela.graph.Op;
import dev.candela.graph.Relu;
import dev.candela.graph.Reshape;
import dev.candela.graph.Softmax;
import dev.candela.graph.Transpose;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.testkit.RandomCases;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fast kernels against the scalar reference on random shapes, forward and input gradient, for every
 * op. Tolerance: the largest absolute difference over the tensor must be at most REL times the
 * largest reference magnitude (float accumulation in blocked order vs double accumulation);
 * ops that do no arithmetic (ReLU, max pool, copies) must match exactly.
 */
class FastKernelsPropertyTest {
    static final double REL = 2e-5;
    static final Parallel P1 = new Parallel(1), P2 = new Parallel(2), P4 = new Parallel(4);
    static final FastKernels F1 = new FastKernels(P1), F2 = new FastKernels(P2), F4 = new FastKernels(P4);
    static final ReferenceKernels R = ReferenceKernels.INSTANCE;

    @AfterAll static void close() { P2.close(); P4.close(); }

    static LongStream seeds() { return RandomCases.seeds(40); }

    static LongStream fewSeeds() { return RandomCases.seeds(12); }

    /** Checks forward and backward of op on inputs: close to the reference, identical across 1, 2, 4 threads. */
    static void check(String what, long seed, Op op, List<Tensor> in, double rel, RandomCases g) {
        Tensor ref = R.forward(op, in);
        Tensor fast = F1.forward(op, in);
        assertClose(what + " forward", seed, fast, ref, rel);
        assertArrayEquals(fast.data(), F2.forward(op, in).data(), what + " forward differs between 1 and 2 threads, seed " + seed);
        assertArrayEquals(fast.data(), F4.forward(op, in).data(), what + " forward differs between 1 and 4 threads, seed " + seed);
        Tensor gy = g.normal(ref.shape(), 1.0);
        List<Tensor> gr = R.inputGradients(op, in, ref, gy);
        List<Tensor> gf = F1.inputGradients(op, in, ref, gy);
        List<Tensor> g4 = F4.inputGradients(op, in, ref, gy);
        assertEquals(gr.size(), gf.size());
        for (int i = 0; i < gr.size(); i++) {
            assertClose(what + " input gradient " + i, seed, gf.get(i), gr.get(i), rel);
            assertArrayEquals(gf.get(i).data(), g4.get(i).data(), what + " gradient differs between 1 and 4 threads, seed " + seed);
        }
    }

    static void assertClose(String what, long seed, Tensor fast, Tensor ref, double rel) {
        assertEquals(ref.shape(), fast.shape(), what + " shape, seed " + seed);
        double scale = 0, worst = 0;
        int at = -1;
        for (int i = 0; i < ref.size(); i++) if (Float.isFinite(ref.data()[i])) scale = Math.max(scale, Math.abs(ref.data()[i]));
        for (int i = 0; i < ref.size(); i++) {
            float a = fast.data()[i], b = ref.data()[i];
            if (Float.compare(a, b) == 0 || (a == b)) continue;
            double d = Math.abs((double) a - b);
            if (!(d <= worst)) { worst = d; at = i; }
        }
        double allowed = rel * Math.max(scale, 1e-30), w = worst;
        int fi = at;
        assertTrue(worst <= allowed, () -> what + ": max |fast - ref| = " + w + " at " + fi + " (fast " + fast.data()[fi]
                + ", ref " + ref.data()[fi] + ") exceeds " + allowed + " for " + ref.shape() + ", seed " + seed);
    }

    @ParameterizedTest(name = "conv (groups, depthwise, strides, dilation, asymmetric pads) matches the reference, seed {0}")
    @MethodSource("seeds")
    void convMatchesReference(long seed) {
        RandomCases g = new RandomCases(seed);
        RandomCases.ConvCase c = g.conv();
        check("conv " + c.op().weight().shape() + " groups " + c.op().groups() + " on " + c.input(), seed, c.op(),
                List.of(g.normal(c.input(), 1.0)), REL, g);
    }

    @ParameterizedTest(name = "transposed conv (groups, strides, dilation, pads, output padding) matches the reference, seed {0}")
    @MethodSource("seeds")
    void convTransposeMatchesReference(long seed) {
        RandomCases g = new RandomCases(seed);
        RandomCases.ConvTransposeCase c = g.convTranspose();
        check("conv transpose " + c.op().weight().shape() + " groups " + c.op().groups() + " on " + c.input(), seed, c.op(),
                List.of(g.normal(c.input(), 1.0)), REL, g);
    }

    @ParameterizedTest(name = "max pool (pads, dilation, ceil mode, ties) matches the reference exactly, seed {0}")
    @MethodSource("seeds")
    void maxPoolMatchesReference(long seed) {
        RandomCases g = new RandomCases(seed);
        RandomCases.PoolCase<MaxPool2d> p = g.maxPool();
        Tensor x = g.chance(0.5) ? g.withTies(p.input()) : g.normal(p.input(), 1.0);
        check("max pool", seed, p.op(), List.of(x), 1e-6, g);
        // a NaN anywhere in a window is that window's maximum, in the border and inside alike
        float[] withNan = x.data().clone();
        for (int k = 0; k < 1 + withNan.length / 20; k++) withNan[g.between(0, withNan.length - 1)] = Float.NaN;
        Tensor xn = new Tensor(x.shape(), withNan);
        assertArrayEquals(R.forward(p.op(), List.of(xn)).data(), F1.forward(p.op(), List.of(xn)).data(), "max pool forward with NaN exact, seed " + seed);
        // The forward is a selection, so it must be exact.
        assertArrayEquals(R.forward(p.op(), List.of(x)).data(), F1.forward(p.op(), List.of(x)).data(), "max pool forward exact, seed " + seed);
    }

    @ParameterizedTest(name = "2x2 max pool on planes wide enough for vectors keeps the reference's bits (ties of +0 and -0, NaN), seed {0}")
    @MethodSource("seeds")
    void wideTwoByTwoMaxPoolKeepsTheReferencesBits(long seed) {
        RandomCases g = new RandomCases(seed);
        int stride = g.between(1, 2);
        MaxPool2d op = new MaxPool2d(new int[]{2, 2}, new int[]{stride, stride}, new int[]{0, 0, 0, 0}, new int[]{1, 1}, false);
        // every window inside the plane (a ceil-mode window past the edge takes the separable path, whose
        // zero sign may differ: see FastKernels.maxPoolSeparable)
        Shape in = Shape.of(g.between(1, 2), g.between(1, 3), g.between(2, 9), g.between(34, 90));
        float[] d = new float[in.size()];
        for (int i = 0; i < d.length; i++)
            d[i] = switch (g.between(0, 5)) { case 0 -> 0f; case 1 -> -0f; case 2 -> g.between(-2, 2); default -> (float) g.gaussian(); };
        for (int k = 0; k < 1 + d.length / 50; k++) if (g.chance(0.5)) d[g.between(0, d.length - 1)] = Float.NaN;
        Tensor x = new Tensor(in, d);
        float[] want = R.forward(op, List.of(x)).data();
        for (FastKernels f : List.of(F1, F2))
            assertArrayEquals(want, f.forward(op, List.of(x)).data(), "2x2 stride " + stride + " max pool on " + in + ", seed " + seed);
    }

    @ParameterizedTest(name = "average pool (both count_include_pad modes, ceil mode) matches the reference, seed {0}")
    @MethodSource("seeds")
    void avgPoolMatchesReference(long seed) {
        RandomCases g = new RandomCases(seed);
        var p = g.avgPool();
        check("avg pool", seed, p.op(), List.of(g.normal(p.input(), 1.0)), REL, g);
    }

    @ParameterizedTest(name = "linear (streaming for batch <= 8, GEMM above) matches the reference, seed {0}")
    @MethodSource("seeds")
    void linearMatchesReference(long seed) {
        RandomCases g = new RandomCases(seed);
        int n = g.chance(0.5) ? g.between(1, 8) : g.between(9, 20), in = g.between(1, 90), out = g.between(1, 70);
        Linear l = new Linear(g.normal(Shape.of(out, in), 1 / Math.sqrt(in)), g.normal(Shape.of(out), 0.3));
        check("linear " + n + "x" + in + "->" + out, seed, l, List.of(g.normal(n, in)), REL, g);
    }

    @ParameterizedTest(name = "element-wise activations match the reference, seed {0}")
    @MethodSource("fewSeeds")
    void activationsMatchReference(long seed) {
        RandomCases g = new RandomCases(seed);
        Shape s = g.nchw(5, 20);
        Tensor x = g.normal(s, 2.0);
        x.data()[0] = Float.NaN;
        check("relu", seed, new Relu(), List.of(x), 0, g);
        float lo = g.uniform(-1, 0), hi = g.uniform(0.1, 2);
        check("clip", seed, new Clip(lo, hi), List.of(x), 0, g);
        check("leaky relu", seed, new LeakyRelu(g.uniform(0.01, 0.3)), List.of(x), 1e-7, g);
    }

    @ParameterizedTest(name = "batch norm and channel affine match the reference, seed {0}")
    @MethodSource("fewSeeds")
    void affineMatchesReference(long seed) {
        RandomCases g = new RandomCases(seed);
        Shape s = g.chance(0.8) ? g.nchw(6, 20) : Shape.of(g.between(1, 3), g.between(1, 6));
        int c = s.dim(1);
        BatchNorm2d bn = new BatchNorm2d(g.normal(Shape.of(c), 1), g.normal(Shape.of(c), 1), g.normal(Shape.of(c), 1),
                new Tensor(Shape.of(c), positive(g, c)), 1e-5f);
        check("batch norm", seed, bn, List.of(g.normal(s, 1.0)), 1e-6, g);
        check("channel affine", seed, new ChannelAffine(g.normal(Shape.of(c), 1), g.normal(Shape.of(c), 1)), List.of(g.normal(s, 1.0)), 1e-6, g);
        Shape item = Shape.of(java.util.Arrays.copyOfRange(s.dims(), 1, s.rank()));
        check("element affine", seed, new ElementAffine(g.normal(item, 1), g.normal(item, 1)), List.of(g.normal(s, 1.0)), 1e-6, g);
    }

    static float[] positive(RandomCases g, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = g.uniform(0.2, 2);
        return v;
    }

    @ParameterizedTest(name = "global average pool, add, concat, flatten, reshape, identity match the reference, seed {0}")
    @MethodSource("fewSeeds")
    void structuralOpsMatchReference(long seed) {
        RandomCases g = new RandomCases(seed);
        Shape s = g.nchw(6, 40);
        check("global avg pool", seed, new GlobalAvgPool(), List.of(g.normal(s, 1.0)), 1e-6, g);
        List<Tensor> terms = new ArrayList<>();
        for (int i = 0, k = g.between(2, 4); i < k; i++) terms.add(g.normal(s, 1.0));
        check("add of " + terms.size(), seed, new Add(), terms, 1e-6, g);
        // broadcasting: a per-channel [N, C, 1, 1] term, a per-row [N, 1, H, 1] term
        List<Tensor> mixed = List.of(g.normal(s, 1.0), g.normal(Shape.of(s.dim(0), s.dim(1), 1, 1), 1.0), g.normal(Shape.of(s.dim(0), 1, s.dim(2), 1), 1.0));
        check("broadcast add", seed, new Add(), mixed, 1e-6, g);
        int axis = g.between(1, 3);
        List<Tensor> parts = new ArrayList<>();
        for (int i = 0, k = g.between(1, 3); i < k; i++) parts.add(g.normal(s.withDim(axis, g.between(1, 4)), 1.0));
        check("concat axis " + axis, seed, new Concat(axis), parts, 0, g);
        check("flatten", seed, new Flatten(), List.of(g.normal(s, 1.0)), 0, g);
        check("reshape", seed, new Reshape(new int[]{s.itemSize()}), List.of(g.normal(s, 1.0)), 0, g);
        check("identity", seed, new Identity(), List.of(g.normal(s, 1.0)), 0, g);
    }

    @ParameterizedTest(name = "transpose (channel shuffle and general perms) matches the reference exactly, seed {0}")
    @MethodSource("fewSeeds")
    void transposeMatchesReference(long seed) {
        RandomCases g = new RandomCases(seed);
        int rank = g.between(2, 5);
        int[] dims = g.ints(rank, 1, 5);
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) perm[i] = i;
        for (int i = rank - 1; i > 1; i--) {
            int j = g.between(1, i);
            int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
        }
        check("transpose " + java.util.Arrays.toString(perm), seed, new Transpose(perm), List.of(g.normal(dims)), 0, g);
    }

    @ParameterizedTest(name = "LRN and softmax (both axis conventions) match the reference, seed {0}")
    @MethodSource("fewSeeds")
    void normalisersMatchReference(long seed) {
        RandomCases g = new RandomCases(seed);
        Shape s = g.nchw(7, 6);
        Lrn lrn = new Lrn(g.between(1, 5), g.uniform(1e-4, 1e-2), g.uniform(0.5, 0.9), g.uniform(1, 2));
        check("lrn", seed, lrn, List.of(g.normal(s, 2.0)), 1e-6, g);
        int axis = g.between(1, 3);
        check("softmax axis " + axis, seed, new Softmax(axis, g.chance(0.5)), List.of(g.normal(s, 3.0)), 1e-6, g);
    }

    @ParameterizedTest(name = "verifying kernels report the largest difference and return the fast result, seed {0}")
    @MethodSource("fewSeeds")
    void verifyingKernelsReportDifferences(long seed) {
        RandomCases g = new RandomCases(seed);
        RandomCases.ConvCase c = g.conv();
        List<FastKernels.Difference> seen = new ArrayList<>();
        FastKernels v = FastKernels.verifying(P1, seen::add);
        Tensor x = g.normal(c.input(), 1.0);
        Tensor y = v.forward(c.op(), List.of(x));
        assertArrayEquals(F1.forward(c.op(), List.of(x)).data(), y.data(), "verifying result differs from fast, seed " + seed);
        v.inputGradients(c.op(), List.of(x), y, g.normal(y.shape(), 1.0));
        assertEquals(2, seen.size(), "one forward and one backward record, seed " + seed);
        for (FastKernels.Difference d : seen) assertTrue(d.relative() <= REL, d + " seed " + seed);
    }
}
