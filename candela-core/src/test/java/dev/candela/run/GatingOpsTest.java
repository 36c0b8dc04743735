package dev.candela.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.graph.LayerNorm;
import dev.candela.graph.Linear;
import dev.candela.graph.Mul;
import dev.candela.graph.Resize2d;
import dev.candela.graph.Op;
import dev.candela.graph.Pad2d;
import dev.candela.graph.Pointwise;
import dev.candela.graph.Slice;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.testkit.RandomCases;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The zoo ops (Pointwise Sigmoid / HardSigmoid / HardSwish / SiLU / GELU / Erf, broadcasting Mul, Slice,
 * Pad2d, LayerNorm, Linear on the last axis): fast kernels against the scalar reference on random shapes
 * (forward: 1e-5 of the largest reference value; backward: 1e-5 of max(largest value, 1), as gy ~ N(0, 1)), reference gradients against central finite differences (the
 * shared helper of ReferenceGradientFiniteDifferenceTest), and erf against tabulated values.
 */
class GatingOpsTest {
    static LongStream seeds() { return RandomCases.seeds(10); }

    static final Parallel PAR = new Parallel(2);
    static final FastKernels FAST = new FastKernels(PAR);
    static final ReferenceKernels REF = ReferenceKernels.INSTANCE;

    /** Inputs kept 0.1 away from HardSigmoid's kinks at alpha x + beta in {0, 1} (x = -3, 3 for torch's constants). */
    static Tensor awayFromKinks(RandomCases g, Shape s) {
        Tensor t = g.normal(s, 2.5);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) if (Math.abs(Math.abs(d[i]) - 3) < 0.1) d[i] += 0.25f;
        return t;
    }

    static void fastMatchesReference(String what, Op op, List<Tensor> in, RandomCases g) {
        Tensor yr = REF.forward(op, in), yf = FAST.forward(op, in);
        close(what + " forward", yr, yf);
        Tensor gy = g.normal(yr.shape(), 1.0);
        List<Tensor> gr = REF.inputGradients(op, in, yr, gy), gf = FAST.inputGradients(op, in, yf, gy);
        // gy ~ N(0, 1): the terms of a gradient are O(1) even where they cancel (layer norm), so the bound is absolute there.
        for (int k = 0; k < gr.size(); k++) close(what + " backward[" + k + "]", gr.get(k), gf.get(k), 1.0);
    }

    static void close(String what, Tensor ref, Tensor fast) { close(what, ref, fast, 1e-3); }

    static void close(String what, Tensor ref, Tensor fast, double floor) {
        assertEquals(ref.shape(), fast.shape(), what);
        double m = 0, d = 0;
        for (int i = 0; i < ref.size(); i++) {
            m = Math.max(m, Math.abs(ref.data()[i]));
            d = Math.max(d, Math.abs((double) ref.data()[i] - fast.data()[i]));
        }
        assertTrue(d <= 1e-5 * Math.max(m, floor), what + ": max |fast - reference| " + d + " (max |reference| " + m + ")");
    }

    static Shape randomShape(RandomCases g) {
        return Shape.of(g.between(1, 3), g.between(1, 6), g.between(1, 7), g.between(1, 7));
    }

    /** A shape that broadcasts to {@code s}: each non-batch axis kept or set to 1. */
    static Shape broadcastable(RandomCases g, Shape s) {
        int[] d = s.dims();
        for (int i = 1; i < d.length; i++) if (g.chance(0.5)) d[i] = 1;
        return Shape.of(d);
    }

    @ParameterizedTest(name = "pointwise functions: fast = reference, gradient = finite differences, seed {0}")
    @MethodSource("seeds")
    void pointwise(long seed) {
        RandomCases g = new RandomCases(seed);
        for (Pointwise.Fn fn : Pointwise.Fn.values()) {
            Pointwise p = new Pointwise(fn);
            Shape s = randomShape(g);
            fastMatchesReference(fn.name(), p, List.of(domain(fn, awayFromKinks(g, s))), g);
            ReferenceGradientFiniteDifferenceTest.checkFiniteDifferences(fn.name(), seed, p, List.of(domain(fn, awayFromKinks(g, s))), g);
        }
    }

    /** The reciprocal is tested away from its pole (|x| >= 0.5), where finite differences mean something. */
    static Tensor domain(Pointwise.Fn fn, Tensor x) {
        if (fn != Pointwise.Fn.RECIPROCAL) return x;
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) d[i] = Math.copySign(0.5f + Math.abs(d[i]), d[i]);
        return x;
    }

    @ParameterizedTest(name = "broadcasting Mul: fast = reference, gradient = finite differences, seed {0}")
    @MethodSource("seeds")
    void mul(long seed) {
        RandomCases g = new RandomCases(seed);
        Shape s = randomShape(g);
        Shape a = broadcastable(g, s), b = broadcastable(g, s);
        if (g.chance(0.5)) a = s;
        List<Tensor> in = List.of(g.normal(a, 1.0), g.normal(b, 1.0));
        fastMatchesReference("mul " + a + " x " + b, new Mul(), in, g);
        ReferenceGradientFiniteDifferenceTest.checkFiniteDifferences("mul", seed, new Mul(), in, g);
    }

    @ParameterizedTest(name = "Slice and Pad2d: fast = reference, gradient = finite differences, seed {0}")
    @MethodSource("seeds")
    void sliceAndPad(long seed) {
        RandomCases g = new RandomCases(seed);
        Shape s = randomShape(g);
        int axis = g.between(1, 3), start = g.between(0, s.dim(axis) - 1), end = g.between(start + 1, s.dim(axis));
        Slice sl = new Slice(axis, start, end);
        fastMatchesReference("slice", sl, List.of(g.normal(s, 1.0)), g);
        ReferenceGradientFiniteDifferenceTest.checkFiniteDifferences("slice", seed, sl, List.of(g.normal(s, 1.0)), g);
        Pad2d p = new Pad2d(new int[]{g.between(0, 2), g.between(0, 2), g.between(0, 2), g.between(0, 2)}, g.chance(0.5) ? 0f : g.uniform(-2, 2));
        fastMatchesReference("pad", p, List.of(g.normal(s, 1.0)), g);
        ReferenceGradientFiniteDifferenceTest.checkFiniteDifferences("pad", seed, p, List.of(g.normal(s, 1.0)), g);
        Tensor x = g.normal(s, 1.0), y = REF.forward(p, List.of(x));
        int[] pd = p.pads();
        if (pd[0] > 0 || pd[1] > 0) assertEquals(p.value(), y.get(0, 0, 0, 0), "corner is the pad value");
        assertEquals(x.get(0, 0, 0, 0), y.get(0, 0, pd[0], pd[1]));
    }

    @ParameterizedTest(name = "LayerNorm and channels-last Linear: fast = reference, gradient = finite differences, seed {0}")
    @MethodSource("seeds")
    void layerNormAndLastAxisLinear(long seed) {
        RandomCases g = new RandomCases(seed);
        int c = g.between(2, 9);
        Shape s = Shape.of(g.between(1, 2), g.between(1, 4), g.between(1, 4), c);
        LayerNorm ln = new LayerNorm(g.normal(Shape.of(c), 1.0), g.normal(Shape.of(c), 1.0), 1e-6f);
        fastMatchesReference("layer norm", ln, List.of(spreadRows(g, s)), g);
        layerNormFiniteDifferences(seed, ln, spreadRows(g, s), g);
        Tensor x = g.normal(s, 1.0), y = REF.forward(ln, List.of(x));
        // Each row of (y - beta) / gamma has mean 0 and variance var / (var + eps) ~ 1.
        double m = 0;
        for (int i = 0; i < c; i++) m += (y.data()[i] - ln.beta().data()[i]) / ln.gamma().data()[i];
        assertEquals(0, m / c, 1e-4);
        int out = g.between(1, 7);
        Linear lin = new Linear(g.normal(Shape.of(out, c), 0.5), g.normal(Shape.of(out), 0.5));
        fastMatchesReference("linear on the last axis", lin, List.of(g.normal(s, 1.0)), g);
        ReferenceGradientFiniteDifferenceTest.checkFiniteDifferences("linear on the last axis", seed, lin, List.of(g.normal(s, 1.0)), g);
        assertEquals(s.withDim(3, out), REF.forward(lin, List.of(x)).shape());
    }

    /**
     * Layer norm's gradient against central differences of the loss sum(gy . LN(x)) evaluated in double
     * here (the shared helper's float outputs round at 1e-7 |y|, too coarse for a map whose directional
     * derivatives cancel: it is invariant to shifting and scaling a row). h = 1e-4, tolerance 1e-6 relative.
     */
    static void layerNormFiniteDifferences(long seed, LayerNorm ln, Tensor x, RandomCases g) {
        Tensor gy = g.normal(x.shape(), 1.0), v = g.normal(x.shape(), 1.0);
        Tensor grad = REF.inputGradients(ln, List.of(x), REF.forward(ln, List.of(x)), gy).get(0);
        double analytic = 0, mag = 0, h = 1e-4;
        for (int i = 0; i < x.size(); i++) { analytic += (double) grad.data()[i] * v.data()[i]; mag += Math.abs((double) grad.data()[i] * v.data()[i]); }
        double numeric = (lnLoss(ln, x, v, h, gy) - lnLoss(ln, x, v, -h, gy)) / (2 * h);
        assertEquals(analytic, numeric, 1e-5 * mag + 1e-7, "layer norm gradient, seed " + seed);
    }

    static double lnLoss(LayerNorm ln, Tensor x, Tensor v, double h, Tensor gy) {
        int c = ln.features();
        double loss = 0;
        for (int r = 0; r < x.size() / c; r++) {
            double[] row = new double[c];
            double mean = 0, var = 0;
            for (int i = 0; i < c; i++) { row[i] = x.data()[r * c + i] + h * v.data()[r * c + i]; mean += row[i]; }
            mean /= c;
            for (int i = 0; i < c; i++) var += (row[i] - mean) * (row[i] - mean);
            double rstd = 1 / Math.sqrt(var / c + ln.epsilon());
            for (int i = 0; i < c; i++) loss += gy.data()[r * c + i] * ((row[i] - mean) * rstd * ln.gamma().data()[i] + ln.beta().data()[i]);
        }
        return loss;
    }

    /**
     * Rows with a standard deviation of at least ~0.5: a row of nearly equal values (possible with c = 2)
     * makes layer norm ill-conditioned (its derivative grows as 1/spread), which finite differences and
     * float inputs cannot resolve.
     */
    static Tensor spreadRows(RandomCases g, Shape s) {
        Tensor t = g.normal(s, 1.0);
        int c = s.dim(-1);
        for (int i = 0; i < t.size(); i++) t.data()[i] += (i % c - (c - 1) / 2f) * 1.2f;
        return t;
    }

    @ParameterizedTest(name = "Resize2d (every mode and coordinate transformation): fast = reference, gradient = finite differences, seed {0}")
    @MethodSource("seeds")
    void resize(long seed) {
        RandomCases g = new RandomCases(seed);
        Shape s = randomShape(g);
        for (Resize2d.Mode m : Resize2d.Mode.values())
            for (Resize2d.Coordinates c : Resize2d.Coordinates.values()) {
                float sh = g.chance(0.5) ? 0f : g.uniform(0.3, 3), sw = g.chance(0.5) ? 0f : g.uniform(0.3, 3);
                int oh = sh > 0 ? Math.max(1, (int) Math.floor(s.dim(2) * sh)) : g.between(1, 12), ow = sw > 0 ? Math.max(1, (int) Math.floor(s.dim(3) * sw)) : g.between(1, 12);
                Resize2d r = new Resize2d(oh, ow, m, c, Resize2d.Nearest.values()[g.between(0, 3)], sh, sw);
                fastMatchesReference("resize " + r, r, List.of(g.normal(s, 1.0)), g);
                ReferenceGradientFiniteDifferenceTest.checkFiniteDifferences("resize " + r, seed, r, List.of(g.normal(s, 1.0)), g);
            }
    }

    @Test
    void bilinearHalfPixelMatchesTorchInterpolate() {
        // torch.nn.functional.interpolate(torch.tensor([[[[1., 2.], [3., 4.]]]]), size=(4, 4), mode="bilinear", align_corners=False)[0, 0, 0]
        // = [1.0, 1.25, 1.75, 2.0]; with align_corners=True: [1.0, 1.3333, 1.6667, 2.0]
        Tensor x = Tensor.of(new float[]{1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor y = REF.forward(new Resize2d(4, 4, Resize2d.Mode.LINEAR, Resize2d.Coordinates.HALF_PIXEL, Resize2d.Nearest.FLOOR), List.of(x));
        float[] row = java.util.Arrays.copyOf(y.data(), 4);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[]{1f, 1.25f, 1.75f, 2f}, row, 1e-6f);
        Tensor z = REF.forward(new Resize2d(4, 4, Resize2d.Mode.LINEAR, Resize2d.Coordinates.ALIGN_CORNERS, Resize2d.Nearest.FLOOR), List.of(x));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[]{1f, 4f / 3, 5f / 3, 2f}, java.util.Arrays.copyOf(z.data(), 4), 1e-6f);
        // nearest, asymmetric, floor (torch's F.interpolate(mode="nearest") export): each pixel repeated
        Tensor n = REF.forward(new Resize2d(4, 4, Resize2d.Mode.NEAREST, Resize2d.Coordinates.ASYMMETRIC, Resize2d.Nearest.FLOOR), List.of(x));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[]{1, 1, 2, 2}, java.util.Arrays.copyOf(n.data(), 4), 0f);
    }

    @ParameterizedTest(name = "squeeze-and-excitation Mul (a run per channel): the product's exact bits, fast = reference, seed {0}")
    @MethodSource("seeds")
    void channelScaleMul(long seed) {
        RandomCases g = new RandomCases(seed);
        // every fourth seed past the 16 K-element chunk, so a chunk boundary falls inside a channel's run
        boolean big = seed % 4 == 0;
        int n = g.between(1, 2), c = g.between(1, 6), h = big ? 97 : g.between(1, 5), w = big ? 89 : g.between(1, 5);
        Shape full = Shape.of(n, c, h, w), small = g.chance(0.5) ? Shape.of(n, c, 1, 1) : Shape.of(n, 1, 1, 1);
        Tensor x = g.normal(full, 1.0), s = g.normal(small, 1.0);
        boolean scaleFirst = g.chance(0.5);
        List<Tensor> in = scaleFirst ? List.of(s, x) : List.of(x, s);
        Tensor y = FAST.forward(new Mul(), in);
        int run = small.dim(1) == 1 ? c * h * w : h * w;
        for (int i = 0; i < y.size(); i++) {
            assertEquals(Float.floatToRawIntBits(x.data()[i] * s.data()[i / run]), Float.floatToRawIntBits(y.data()[i]), "element " + i + ", seed " + seed);
        }
        fastMatchesReference("mul " + in.get(0).shape() + " x " + in.get(1).shape(), new Mul(), in, g);
    }

    /**
     * Every broadcast pattern of Mul's two inputs (each non-batch axis kept or 1, so the [N, C, 1, 1] gate, a
     * [N, 1, 1, 1] one, a [N, 1, H, W] map, both inputs broadcast, and full shapes with axes of 1 that match
     * the gate's trailing 1s), N = 1 and 2, in both orders, one shape past the 16 K-element chunk: forward and
     * both gradients have the bits of the general definition, x[ia[i]] * y[ib[i]] and the serial sum over the
     * output in order of gy[i] * other[io[i]] into the target element (what the run-per-channel paths replace).
     */
    @Test
    void broadcastMulForwardAndGradientsHaveTheGeneralPathsBitsForEveryPattern() {
        RandomCases g = new RandomCases(11);
        int[][] fulls = {{1, 3, 2, 2}, {2, 3, 2, 2}, {2, 1, 3, 1}, {2, 3, 1, 1}, {1, 1, 1, 1}, {2, 2, 1, 3}, {2, 3, 97, 89}};
        for (int[] f : fulls) {
            for (int ma = 0; ma < 8; ma++) {
                for (int mb = 0; mb < 8; mb++) {
                    Shape sa = masked(f, ma), sb = masked(f, mb);
                    Tensor a = signedZeros(g, g.normal(sa, 1.0)), b = signedZeros(g, g.normal(sb, 1.0));
                    String why = sa + " x " + sb;
                    Shape os = Mul.broadcast(sa, sb);
                    int[] ia = Mul.sourceIndex(sa, os), ib = Mul.sourceIndex(sb, os);
                    Tensor y = FAST.forward(new Mul(), List.of(a, b));
                    assertEquals(os, y.shape(), why);
                    for (int i = 0; i < os.size(); i++)
                        assertEquals(Float.floatToRawIntBits(a.data()[ia[i]] * b.data()[ib[i]]), Float.floatToRawIntBits(y.data()[i]), "forward element " + i + ", " + why);
                    Tensor gy = signedZeros(g, g.normal(os, 1.0));
                    List<Tensor> grads = FAST.inputGradients(new Mul(), List.of(a, b), y, gy);
                    assertEquals(sa, grads.get(0).shape(), why);
                    assertEquals(sb, grads.get(1).shape(), why);
                    float[] wa = serialGradient(gy.data(), b.data(), ib, ia, sa.size()), wb = serialGradient(gy.data(), a.data(), ia, ib, sb.size());
                    for (int i = 0; i < wa.length; i++)
                        assertEquals(Float.floatToRawIntBits(wa[i]), Float.floatToRawIntBits(grads.get(0).data()[i]), "gradient of a, element " + i + ", " + why);
                    for (int i = 0; i < wb.length; i++)
                        assertEquals(Float.floatToRawIntBits(wb[i]), Float.floatToRawIntBits(grads.get(1).data()[i]), "gradient of b, element " + i + ", " + why);
                }
            }
        }
    }

    /** {@code full} with the non-batch axes whose bit is set in {@code mask} set to 1. */
    private static Shape masked(int[] full, int mask) {
        int[] d = full.clone();
        for (int k = 1; k < d.length; k++) if ((mask & (1 << (k - 1))) != 0) d[k] = 1;
        return Shape.of(d);
    }

    /**
     * The general backward: gy[i] * other[io[i]] where the target has the output's shape, else the target's
     * element += it in output order, in float (so a -0 product stays -0 only in the first case).
     */
    private static float[] serialGradient(float[] gy, float[] other, int[] io, int[] it, int size) {
        float[] o = new float[size];
        if (size == gy.length) for (int i = 0; i < gy.length; i++) o[i] = gy[i] * other[io[i]];
        else for (int i = 0; i < gy.length; i++) o[it[i]] += gy[i] * other[io[i]];
        return o;
    }

    /** Some elements set to -0 and +0, where the sign of a zero product shows which path summed. */
    private static Tensor signedZeros(RandomCases g, Tensor t) {
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) if (g.chance(0.1)) d[i] = g.chance(0.5) ? -0f : 0f;
        return t;
    }

    @Test
    void broadcastIndexReadsTheBroadcastElement() {
        int[] idx = Mul.sourceIndex(Shape.of(2, 3, 1, 1), Shape.of(2, 3, 2, 2));
        assertEquals(24, idx.length);
        assertEquals(0, idx[3]);
        assertEquals(1, idx[4]);
        assertEquals(5, idx[23]);
    }

    @Test
    void erfMatchesTabulatedValues() {
        double[][] table = {{0, 0}, {0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {1, 0.8427007929497149},
                {2, 0.9953222650189527}, {2.5, 0.9995930479825550}, {3, 0.9999779095030014}, {4, 0.9999999845827421}, {-1.5, -0.9661051464753108}};
        for (double[] r : table) assertEquals(r[1], Pointwise.erf(r[0]), 1e-14, "erf(" + r[0] + ")");
    }
}
