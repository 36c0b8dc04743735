package dev.candela.explain.cam;

import dev.candela.graph.GraphBuilder;
import dev.candela.graph.Linear;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;

/** Small Java-built models and the seed generator of the property tests. */
final class TinyModels {
    private TinyModels() {}

    /** Seeds for property tests (a fixed, small set: deterministic and quick). */
    static LongStream seeds() {
        return new Random(20261121L).longs(6, 0, Long.MAX_VALUE);
    }

    /**
     * conv(3->8) -> ReLU -> conv(8->6) -> ReLU "feat" -> GAP -> flatten -> linear(5) "logits" on 3 x 12 x 10.
     * {@code featBias} shifts the last conv bias (a large negative value makes "feat" all zero).
     */
    static Model gapLinear(long seed, float featBias) {
        GraphBuilder b = new GraphBuilder("input", Shape.of(3, 12, 10), seed);
        String x = b.conv("conv1", "input", 8, 3, 1, 1);
        x = b.relu("relu1", x);
        x = b.conv("conv2", x, 6, 3, 1, 1);
        x = b.relu("feat", x);
        x = b.globalAvgPool("gap", x);
        x = b.flatten("flat", x);
        b.linear("logits", x, 5);
        Model m = b.build("logits");
        if (featBias != 0) m = withConvBiasShift(m, "conv2", featBias);
        return m;
    }

    static Tensor input(long seed, int n) {
        Random r = new Random(seed ^ 0x5DEECE66DL);
        float[] d = new float[n * 3 * 12 * 10];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return Tensor.of(d, n, 3, 12, 10);
    }

    /** The same model with row {@code c} of the final linear layer (weights and bias) scaled by s. */
    static Model scaleClass(Model m, String linear, int c, float s) {
        List<Node> nodes = new ArrayList<>();
        for (Node n : m.graph().nodes()) {
            if (n.name().equals(linear) && n.op() instanceof Linear l) {
                float[] w = l.weight().data().clone(), bias = l.bias().data().clone();
                int in = l.inFeatures();
                for (int i = 0; i < in; i++) w[c * in + i] *= s;
                bias[c] *= s;
                n = new Node(n.name(), new Linear(new Tensor(l.weight().shape(), w), new Tensor(l.bias().shape(), bias)), n.inputs(), n.output());
            }
            nodes.add(n);
        }
        return rebuild(m, nodes);
    }

    private static Model withConvBiasShift(Model m, String conv, float shift) {
        List<Node> nodes = new ArrayList<>();
        for (Node n : m.graph().nodes()) {
            if (n.name().equals(conv) && n.op() instanceof dev.candela.graph.Conv2d c) {
                float[] bias = c.bias().data().clone();
                for (int i = 0; i < bias.length; i++) bias[i] += shift;
                n = new Node(n.name(), new dev.candela.graph.Conv2d(c.weight(), new Tensor(c.bias().shape(), bias), c.strides(), c.pads(), c.dilations(), c.groups()), n.inputs(), n.output());
            }
            nodes.add(n);
        }
        return rebuild(m, nodes);
    }

    private static Model rebuild(Model m, List<Node> nodes) {
        var g = m.graph();
        return new Model(new dev.candela.graph.Graph(g.input(), g.inputItemShape(), nodes, g.output()), m.preprocessing(), m.labels(), Map.of());
    }
}
