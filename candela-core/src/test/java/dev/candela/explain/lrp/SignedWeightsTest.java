package dev.candela.explain.lrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.testkit.RandomCases;
import org.junit.jupiter.api.Test;

/** W+ and W- are made once per weight tensor, so the kernels' packed forms of them are made once too. */
class SignedWeightsTest {
    @Test
    void signedPartsAreMadeOncePerWeightTensorAndSplitItExactly() {
        Tensor w = new RandomCases(3).normal(Shape.of(4, 2, 3, 3), 1.0);
        Tensor[] first = Redistribution.signedWeights(w), second = Redistribution.signedWeights(w);
        assertSame(first[0], second[0]);
        assertSame(first[1], second[1]);
        for (int i = 0; i < w.size(); i++) {
            float v = w.data()[i];
            assertEquals(v > 0 ? v : 0f, first[0].data()[i], 0f, "W+ at " + i);
            assertEquals(v < 0 ? v : 0f, first[1].data()[i], 0f, "W- at " + i);
            assertEquals(v, first[0].data()[i] + first[1].data()[i], 0f, "W+ + W- at " + i);
        }
        Tensor other = new RandomCases(4).normal(Shape.of(4, 2, 3, 3), 1.0);
        assertEquals(false, Redistribution.signedWeights(other)[0] == first[0], "another tensor's parts");
    }
}
