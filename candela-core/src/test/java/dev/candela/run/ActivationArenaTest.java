package dev.candela.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.candela.graph.AvgPool2d;
import dev.candela.graph.GraphBuilder;
import dev.candela.graph.Model;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.testkit.RandomCases;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The arena keeps what the next pass can use, no more: dead activations of ops that allocate their own output are recycled too. */
class ActivationArenaTest {
    @Test
    void anArenaKeepsNoMoreArraysOfASizeThanAPassTook() {
        ActivationArena a = new ActivationArena();
        a.activate();
        ActivationArena.take(100);
        ActivationArena.take(100);
        for (int i = 0; i < 5; i++) a.recycle(new float[100]);
        a.recycle(new float[7]); // a size no op asked for
        a.deactivate();
        assertEquals(2, a.kept(100), "arrays of 100 floats kept");
        assertEquals(0, a.kept(7), "arrays of 7 floats kept");
        a.activate();
        ActivationArena.take(100);
        a.deactivate();
        assertEquals(1, a.kept(100), "after a pass that took one");
    }

    @Test
    void repeatedForwardPassesDoNotGrowTheArena() {
        // 3x3 average pools (stride 1, padding 1) keep the shape and allocate their own outputs: each pass recycles
        // four arrays of the convolutions' size and takes two
        GraphBuilder g = new GraphBuilder("input", Shape.of(3, 9, 9), 3);
        String x = g.conv("conv1", "input", 4, 3, 1, 1);
        for (int i = 0; i < 3; i++) x = g.add("pool" + i, new AvgPool2d(new int[]{3, 3}, new int[]{1, 1}, new int[]{1, 1, 1, 1}, false, true), x);
        Model m = g.build(g.conv("conv2", x, 4, 1, 1, 0));
        Tensor in = new RandomCases(5).normal(Shape.of(2, 3, 9, 9), 1.0);
        try (Parallel p = new Parallel(1)) {
            Executor ex = Executor.fast(m, p);
            float[] first = ex.forward(in, Set.of()).output().data().clone();
            ex.forward(in, Set.of());
            long kept = ex.arenaFloats();
            for (int i = 0; i < 50; i++) assertArrayEquals(first, ex.forward(in, Set.of()).output().data(), "pass " + i);
            assertEquals(kept, ex.arenaFloats(), "floats the arena keeps after 2 passes and after 52");
        }
    }
}
