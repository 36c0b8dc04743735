package dev.candela.explain.attribution;

import dev.candela.graph.Graph;
import dev.candela.graph.GraphBuilder;
import dev.candela.graph.MaxPool2d;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.graph.Preprocessing;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Small seeded models for attribution tests. */
final class TestModels {
    private TestModels() {}

    /** VGG-shaped: conv-relu-pool x2, FC-relu-FC; the last conv's ReLU is "relu2" (4 x 8 x 8 -> pool). */
    static Model vgg(long seed) {
        GraphBuilder b = new GraphBuilder("x", Shape.of(3, 16, 16), seed);
        String t = b.conv("conv1", "x", 6, 3, 1, 1);
        t = b.relu("relu1", t);
        t = b.maxPool("pool1", t, 2, 2);
        t = b.conv("conv2", t, 8, 3, 1, 1);
        t = b.relu("relu2", t);
        t = b.maxPool("pool2", t, 2, 2);
        t = b.flatten("flat", t);
        t = b.linear("fc1", t, 24);
        t = b.relu("relu3", t);
        t = b.linear("fc2", t, 10);
        return b.build(t);
    }

    /** ResNet-shaped: conv-BN-ReLU, overlapping 3x3/2 max-pool, two residual blocks (one projecting), GAP, FC. */
    static Model resnet(long seed) {
        GraphBuilder b = new GraphBuilder("x", Shape.of(3, 16, 16), seed);
        String t = b.conv("conv1", "x", 8, 3, 1, 1);
        t = b.batchNorm("bn1", t);
        t = b.relu("relu1", t);
        t = b.add("pool", new MaxPool2d(new int[]{3, 3}, new int[]{2, 2}, new int[]{1, 1, 1, 1}, new int[]{1, 1}, false), t);
        String u = b.conv("b1.conv1", t, 8, 3, 1, 1);
        u = b.batchNorm("b1.bn1", u);
        u = b.relu("b1.relu1", u);
        u = b.conv("b1.conv2", u, 8, 3, 1, 1);
        u = b.batchNorm("b1.bn2", u);
        t = b.sum("b1.add", u, t);
        t = b.relu("b1.relu2", t);
        u = b.conv("b2.conv1", t, 12, 3, 2, 1);
        u = b.batchNorm("b2.bn1", u);
        u = b.relu("b2.relu1", u);
        u = b.conv("b2.conv2", u, 12, 3, 1, 1);
        u = b.batchNorm("b2.bn2", u);
        String s = b.conv("b2.down", t, 12, 1, 2, 0);
        s = b.batchNorm("b2.downbn", s);
        t = b.sum("b2.add", u, s);
        t = b.relu("b2.relu2", t);
        t = b.globalAvgPool("gap", t);
        t = b.flatten("flat", t);
        t = b.linear("fc", t, 10);
        return b.build(t);
    }

    /** MobileNet-shaped: strided conv, depthwise-separable blocks with ReLU6 (Clip 0..6), a Concat of two branches, GAP, FC. */
    static Model mobileNet(long seed) {
        GraphBuilder b = new GraphBuilder("x", Shape.of(3, 16, 16), seed);
        String t = b.add("relu6.0", new dev.candela.graph.Clip(0, 6), b.batchNorm("bn0", b.conv("conv0", "x", 8, 3, 2, 1)));
        t = b.add("relu6.1", new dev.candela.graph.Clip(0, 6), b.conv("dw1", t, 8, 3, 1, 1, 8));
        t = b.add("relu6.2", new dev.candela.graph.Clip(0, 6), b.conv("pw1", t, 12, 1, 1, 0));
        String p = b.add("relu6.3", new dev.candela.graph.Clip(0, 6), b.conv("dw2", t, 12, 3, 2, 1, 12));
        String q = b.add("leaky", new dev.candela.graph.LeakyRelu(0.1f), b.conv("pw2", t, 6, 1, 2, 0));
        t = b.concat("cat", p, q);
        t = b.add("relu6.4", new dev.candela.graph.Clip(0, 6), b.conv("pw3", t, 16, 1, 1, 0));
        t = b.globalAvgPool("gap", t);
        t = b.flatten("flat", t);
        t = b.linear("fc", t, 10);
        return b.build(t);
    }

    /** A LIFT-CAM head taking K maps of h x w: max-pool 2, FC-ReLU-FC (VGG's head in miniature). */
    static Model head(long seed, int k, int h, int w) {
        GraphBuilder b = new GraphBuilder("A", Shape.of(k, h, w), seed);
        String t = b.maxPool("pool", "A", 2, 2);
        t = b.flatten("flat", t);
        t = b.linear("fc1", t, 16);
        t = b.relu("relu", t);
        t = b.linear("fc2", t, 5);
        return b.build(t);
    }

    /** An affine head: GAP then FC (ResNet's head). */
    static Model affineHead(long seed, int k, int h, int w) {
        GraphBuilder b = new GraphBuilder("A", Shape.of(k, h, w), seed);
        String t = b.globalAvgPool("gap", "A");
        t = b.flatten("flat", t);
        t = b.linear("fc", t, 5);
        return b.build(t);
    }

    /** The same model with one op replaced (for hand-set weights). */
    static Model replace(Model m, String node, dev.candela.graph.Op op) {
        List<Node> nodes = new ArrayList<>();
        for (Node n : m.graph().nodes()) nodes.add(n.name().equals(node) ? new Node(n.name(), op, n.inputs(), n.output()) : n);
        Graph g = new Graph(m.graph().input(), m.graph().inputItemShape(), nodes, m.graph().output());
        return new Model(g, Preprocessing.imagenet(), List.of(), Map.of());
    }

    /** True when every path from the graph input to the output passes through one of {@code cut}. */
    static boolean isFullCut(Graph g, Set<String> cut) {
        Set<String> reach = new HashSet<>();
        if (!cut.contains(g.input())) reach.add(g.input());
        for (Node n : g.nodes()) {
            boolean fed = false;
            for (String t : n.inputs()) if (reach.contains(t)) fed = true;
            if (fed && !cut.contains(n.output())) reach.add(n.output());
        }
        return !reach.contains(g.output());
    }


    static double absSum(Tensor t) {
        double s = 0;
        for (float v : t.data()) s += Math.abs(v);
        return s;
    }
}
