package dev.candela.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.candela.testkit.Architectures;
import dev.candela.graph.GraphBuilder;
import dev.candela.graph.Model;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.testkit.RandomCases;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Forward outputs and input gradients of small Java-built models are bit-identical for 1, 2 and 4 threads. */
class ThreadDeterminismTest {

    static Model model(String name) {
        return switch (name) {
            case "resnet" -> Architectures.resnet(new int[]{1, 1}, 8, Shape.of(3, 40, 40), 5);
            case "vgg" -> Architectures.vgg(new int[]{8, -1, 16, 16, -1}, 24, Shape.of(3, 24, 24), 6);
            default -> mobile();
        };
    }

    /** Depthwise-separable blocks with a grouped conv and a concat, like MobileNet / ShuffleNet. */
    static Model mobile() {
        GraphBuilder g = new GraphBuilder("input", Shape.of(3, 33, 29), 7);
        String x = g.relu("r0", g.batchNorm("bn0", g.conv("c0", "input", 12, 3, 2, 1)));
        String d = g.relu("r1", g.conv("dw1", x, 12, 3, 1, 1, 12));
        String p = g.conv("pw1", d, 18, 1, 1, 0);
        String gc = g.conv("gc", x, 18, 3, 1, 1, 3);
        String y = g.concat("cat", p, gc);
        y = g.relu("r2", g.conv("dw2", y, 36, 3, 2, 1, 36));
        return g.build(g.linear("fc", g.flatten("flat", g.globalAvgPool("gap", y)), 10));
    }

    @ParameterizedTest(name = "{0}: forward and input gradient are bit-identical for 1, 2 and 4 threads")
    @ValueSource(strings = {"resnet", "vgg", "mobile"})
    void sameBitsForAnyThreadCount(String name) {
        Model m = model(name);
        Shape item = m.graph().inputItemShape();
        RandomCases g = new RandomCases(name.hashCode());
        Tensor x = g.normal(Shape.of(2, item.dim(0), item.dim(1), item.dim(2)), 1.0);
        float[][] outs = new float[3][], grads = new float[3][];
        int[] threads = {1, 2, 4};
        for (int t = 0; t < 3; t++) {
            try (Parallel p = new Parallel(threads[t])) {
                Executor e = Executor.fast(m, p);
                Activations a = e.forward(x);
                Tensor seed = Tensor.zeros(a.output().shape());
                seed.data()[3] = 1f;
                seed.data()[seed.size() - 1] = -0.5f;
                Map<String, Tensor> gr = e.backward(a, m.graph().output(), seed, Set.of(m.graph().input()), GradientRule.INSTANCE);
                outs[t] = a.output().data();
                grads[t] = gr.get(m.graph().input()).data();
            }
        }
        assertArrayEquals(outs[0], outs[1], name + " forward: 1 vs 2 threads");
        assertArrayEquals(outs[0], outs[2], name + " forward: 1 vs 4 threads");
        assertArrayEquals(grads[0], grads[1], name + " input gradient: 1 vs 2 threads");
        assertArrayEquals(grads[0], grads[2], name + " input gradient: 1 vs 4 threads");
        double norm = 0;
        for (float v : grads[0]) norm += v * v;
        org.junit.jupiter.api.Assertions.assertTrue(norm > 0, name + ": the input gradient must not be all zero");
    }
}
