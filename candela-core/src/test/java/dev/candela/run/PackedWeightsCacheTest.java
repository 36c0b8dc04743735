package dev.candela.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.candela.graph.Conv2d;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.testkit.RandomCases;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Packed weights belong to the weight tensor: a layer rebuilt around the same weights (as LRP's rules do per step) is not packed again. */
class PackedWeightsCacheTest {
    @Test
    void layersRebuiltAroundTheSameWeightsShareOnePackedFormPerUse() {
        RandomCases r = new RandomCases(11);
        Tensor w = r.normal(Shape.of(5, 3, 3, 3), 0.5), x = r.normal(Shape.of(2, 3, 9, 9), 1.0);
        int[] strides = {1, 1}, pads = {1, 1, 1, 1}, dil = {1, 1};
        Conv2d withBias = new Conv2d(w, r.normal(Shape.of(5), 0.3), strides, pads, dil, 1);
        Conv2d zeroBias = new Conv2d(w, Tensor.zeros(Shape.of(5)), strides, pads, dil, 1);
        try (Parallel p = new Parallel(2)) {
            FastKernels fast = new FastKernels(p);
            for (Conv2d c : List.of(withBias, zeroBias, new Conv2d(w, Tensor.zeros(Shape.of(5)), strides, pads, dil, 1))) {
                Tensor y = fast.forward(c, List.of(x)), ref = ReferenceKernels.INSTANCE.forward(c, List.of(x));
                for (int i = 0; i < y.size(); i++) assertEquals(ref.data()[i], y.data()[i], 1e-4, "output " + i);
                Tensor gy = r.normal(y.shape(), 1.0);
                Tensor gx = fast.inputGradients(c, List.of(x), y, gy).get(0), gxRef = ReferenceKernels.INSTANCE.inputGradients(c, List.of(x), ref, gy).get(0);
                for (int i = 0; i < gx.size(); i++) assertEquals(gxRef.data()[i], gx.data()[i], 1e-4, "input gradient " + i);
            }
            // one forward form and one transposed form, whatever the bias and however many ops were built
            assertEquals(2, FastKernels.packedForms(w));
            float[] again = fast.forward(withBias, List.of(x)).data();
            assertArrayEquals(again, fast.forward(new Conv2d(w, withBias.bias(), strides, pads, dil, 1), List.of(x)).data());
        }
    }
}
