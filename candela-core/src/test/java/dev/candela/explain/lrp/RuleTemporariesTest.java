package dev.candela.explain.lrp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import dev.candela.graph.Add;
import dev.candela.graph.Conv2d;
import dev.candela.graph.Node;
import dev.candela.run.FastKernels;
import dev.candela.run.Kernels;
import dev.candela.run.LayerValues;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.testkit.RandomCases;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The relevance rules write their temporaries over kernel results no one else holds. These cases check the rules
 * against the same formulas written with fresh tensors only, bit for bit, and that no input is written: ReLU-like
 * inputs (the rules then use x itself as x+), signed ones with -0.0 and NaN, and Add, whose gradients are one shared
 * array.
 */
class RuleTemporariesTest {
    private static final Division EXACT = new Division.ZeroSafe();

    static Stream<Arguments> cases() {
        return RandomCases.seeds(12).boxed().flatMap(s -> Stream.of(
                Arguments.of(s, ReferenceKernels.INSTANCE), Arguments.of(s, new FastKernels(new Parallel(2)))));
    }

    private static Tensor input(RandomCases rc, Shape s, boolean signed) {
        Tensor x = rc.normal(s, 1.0);
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) {
            if (!signed) d[i] = d[i] > 0 ? d[i] : 0f;
            else if (rc.chance(0.05)) d[i] = -0.0f;
        }
        if (signed && rc.chance(0.5)) d[rc.between(0, d.length - 1)] = Float.NaN;
        return x;
    }

    @ParameterizedTest(name = "seed {0} {1}")
    @MethodSource("cases")
    void zPlusWithoutBiasGivesTheFreshFormulasBitsAndLeavesItsInputsAlone(long seed, Kernels k) {
        RandomCases rc = new RandomCases(seed);
        int c = rc.between(1, 5), o = rc.between(1, 6), h = rc.between(3, 9);
        Conv2d conv = new Conv2d(rc.normal(o, c, 3, 3), rc.normal(o), new int[]{1, 1}, new int[]{1, 1, 1, 1}, new int[]{1, 1}, 1);
        WeightedLayer L = WeightedLayer.of(conv);
        Tensor x = input(rc, Shape.of(2, c, h, h), rc.chance(0.5)), r = rc.normal(2, o, h, h);
        float[] x0 = x.data().clone(), r0 = r.data().clone();

        Tensor got = Redistribution.zPlus(k, L, x, r, EXACT, false);

        Tensor xp = Elementwise.positive(x), xn = Elementwise.negative(x);
        Tensor wp = Elementwise.positive(L.weight()), wn = Elementwise.negative(L.weight());
        Tensor z = L.forward(k, xp, wp, L.zeroBias());
        boolean signed = !Elementwise.allZero(xn);
        if (signed) z = Elementwise.add(z, L.forward(k, xn, wn, L.zeroBias()));
        Tensor s = EXACT.divide(r, z);
        Tensor want = Elementwise.mul(xp, L.transpose(k, x, wp, s));
        if (signed) want = Elementwise.add(want, Elementwise.mul(xn, L.transpose(k, x, wn, s)));
        assertBits(want, got, "seed " + seed);
        assertArrayEquals(x0, x.data(), "x written, seed " + seed);
        assertArrayEquals(r0, r.data(), "r written, seed " + seed);
    }

    @ParameterizedTest(name = "seed {0} {1}")
    @MethodSource("cases")
    void zBoxGivesTheFreshFormulasBitsAndLeavesItsInputsAlone(long seed, Kernels k) {
        RandomCases rc = new RandomCases(seed);
        int o = rc.between(1, 6), h = rc.between(3, 9);
        Conv2d conv = new Conv2d(rc.normal(o, 3, 3, 3), rc.normal(o), new int[]{1, 1}, new int[]{1, 1, 1, 1}, new int[]{1, 1}, 1);
        WeightedLayer L = WeightedLayer.of(conv);
        Tensor x = input(rc, Shape.of(1, 3, h, h), true), r = rc.normal(1, o, h, h);
        Tensor low = Tensor.full(x.shape(), -2f), high = Tensor.full(x.shape(), 2f);
        float[] x0 = x.data().clone();

        Tensor got = Redistribution.zBox(k, L, x, low, high, r, EXACT, false);

        Tensor wp = Elementwise.positive(L.weight()), wn = Elementwise.negative(L.weight());
        Tensor z = Elementwise.sub(Elementwise.sub(L.forward(k, x, L.weight(), L.zeroBias()), L.forward(k, low, wp, L.zeroBias())),
                L.forward(k, high, wn, L.zeroBias()));
        Tensor s = EXACT.divide(r, z);
        Tensor want = Elementwise.sub(Elementwise.sub(Elementwise.mul(x, L.transpose(k, x, L.weight(), s)),
                Elementwise.mul(low, L.transpose(k, x, wp, s))), Elementwise.mul(high, L.transpose(k, x, wn, s)));
        assertBits(want, got, "seed " + seed);
        assertArrayEquals(x0, x.data(), "x written, seed " + seed);
        assertEquals(-2f, low.data()[0]);
        assertEquals(2f, high.data()[high.size() - 1]);
    }

    @ParameterizedTest(name = "seed {0} {1}")
    @MethodSource("cases")
    void positiveShareAtAnAddGivesEachSummandItsOwnShare(long seed, Kernels k) {
        RandomCases rc = new RandomCases(seed);
        Shape s = Shape.of(1, rc.between(1, 4), 5, 5);
        Tensor a = input(rc, s, rc.chance(0.5)), b = input(rc, s, rc.chance(0.5)), r = rc.normal(s, 1.0);
        Tensor y = Elementwise.add(a, b);
        float[] a0 = a.data().clone(), b0 = b.data().clone(), r0 = r.data().clone();
        Node add = new Node("add", new Add(), List.of("a", "b"), "y");

        List<Tensor> got = Redistribution.apply(new LayerRule.PositiveShare(), new LayerValues(add, List.of(a, b), y, k), r);

        Tensor ap = Elementwise.positive(a), bp = Elementwise.positive(b);
        Tensor q = EXACT.divide(r, Elementwise.add(ap, bp));
        assertBits(Elementwise.mul(ap, q), got.get(0), "a's share, seed " + seed);
        assertBits(Elementwise.mul(bp, q), got.get(1), "b's share, seed " + seed);
        assertNotSame(got.get(0).data(), got.get(1).data());
        assertArrayEquals(a0, a.data(), "a written, seed " + seed);
        assertArrayEquals(b0, b.data(), "b written, seed " + seed);
        assertArrayEquals(r0, r.data(), "r written, seed " + seed);
    }

    private static void assertBits(Tensor want, Tensor got, String what) {
        assertEquals(want.shape(), got.shape(), what);
        for (int i = 0; i < want.size(); i++) {
            int w = Float.floatToRawIntBits(want.data()[i]), g = Float.floatToRawIntBits(got.data()[i]);
            if (w != g) throw new AssertionError(what + ": element " + i + " is " + got.data()[i] + ", the fresh formulas give " + want.data()[i]);
        }
    }
}
