package dev.candela.explain.lrp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.candela.graph.Mul;
import dev.candela.graph.Node;
import dev.candela.run.LayerValues;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A Div (Mul with a reciprocal input): LRP and FG-CAM hold the divisor constant and give the numerator all relevance. */
class GatingDivisorTest {
    static Tensor random(Shape s, long seed) {
        Random r = new Random(seed);
        float[] f = new float[s.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) r.nextGaussian();
        return new Tensor(s, f);
    }

    @Test
    void aFullShapeNumeratorTakesAllTheRelevanceAndTheDivisorNone() {
        Shape full = Shape.of(1, 3, 4, 4);
        for (int divisor : new int[]{0, 1}) {
            Tensor num = random(full, 1), rec = random(full, 2), r = random(full, 3);
            List<Tensor> in = divisor == 1 ? List.of(num, rec) : List.of(rec, num);
            LayerValues v = new LayerValues(new Node("div", new Mul(divisor), List.of("a", "b"), "y"), in, null, ReferenceKernels.INSTANCE);
            List<Tensor> out = Gating.passToGated(v, r);
            assertArrayEquals(r.data(), out.get(1 - divisor).data(), "numerator gets r, divisor " + divisor);
            assertEquals(0.0, out.get(divisor).min(), "divisor gets nothing"); assertEquals(0.0, out.get(divisor).max(), "divisor gets nothing");
        }
    }

    @Test
    void aBroadcastNumeratorTakesTheRelevanceOfEveryOutputItReached() {
        Shape full = Shape.of(1, 2, 3, 3), perChannel = Shape.of(1, 2, 1, 1);
        Tensor r = random(full, 5);
        LayerValues v = new LayerValues(new Node("div", new Mul(1), List.of("a", "b"), "y"), List.of(random(perChannel, 6), random(full, 7)), null, ReferenceKernels.INSTANCE);
        Tensor toNum = Gating.passToGated(v, r).get(0);
        assertEquals(perChannel, toNum.shape());
        for (int c = 0; c < 2; c++) {
            double want = 0;
            for (int k = 0; k < 9; k++) want += r.data()[c * 9 + k];
            assertEquals(want, toNum.data()[c], 1e-5, "channel " + c);
        }
        assertEquals(r.sum(), toNum.sum(), 1e-5, "conserved");
    }
}
