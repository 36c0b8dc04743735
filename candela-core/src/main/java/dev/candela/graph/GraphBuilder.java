package dev.candela.graph;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Builds models in Java with seeded random weights (He-style scaling): for tests, property tests and
 * benchmarks that must not depend on large files. Each node's output tensor carries the node's name.
 */
public final class GraphBuilder {
    private final String input;
    private final Shape inputItem;
    private final Random random;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Shape> shapes = new HashMap<>();

    public GraphBuilder(String input, Shape inputItemShape, long seed) {
        this.input = input;
        this.inputItem = inputItemShape;
        this.random = new Random(seed);
        shapes.put(input, batched(inputItemShape));
    }

    public String input() { return input; }

    public Random random() { return random; }

    /** Shape (with a batch axis of 1) of a tensor added so far. */
    public Shape shape(String tensor) { return shapes.get(tensor); }

    /** Adds any op; returns the name of its output tensor (= node name). */
    public String add(String name, Op op, String... inputs) {
        List<Shape> in = new ArrayList<>();
        for (String t : inputs) {
            Shape s = shapes.get(t);
            if (s == null) throw new IllegalArgumentException("unknown tensor " + t);
            in.add(s);
        }
        shapes.put(name, op.outputShape(in));
        nodes.add(new Node(name, op, List.of(inputs), name));
        return name;
    }

    public Tensor randn(double std, int... dims) {
        Shape s = Shape.of(dims);
        float[] d = new float[s.size()];
        for (int i = 0; i < d.length; i++) d[i] = (float) (random.nextGaussian() * std);
        return new Tensor(s, d);
    }

    public Tensor uniform(double lo, double hi, int... dims) {
        Shape s = Shape.of(dims);
        float[] d = new float[s.size()];
        for (int i = 0; i < d.length; i++) d[i] = (float) (lo + (hi - lo) * random.nextDouble());
        return new Tensor(s, d);
    }

    public String conv(String name, String x, int outC, int k, int stride, int pad) {
        return conv(name, x, outC, k, stride, pad, 1);
    }

    public String conv(String name, String x, int outC, int k, int stride, int pad, int groups) {
        int inC = shapes.get(x).dim(1);
        double std = Math.sqrt(2.0 / (inC / groups * k * k));
        return add(name, new Conv2d(randn(std, outC, inC / groups, k, k), randn(0.1, outC),
                new int[]{stride, stride}, new int[]{pad, pad, pad, pad}, new int[]{1, 1}, groups), x);
    }

    public String batchNorm(String name, String x) {
        int c = shapes.get(x).dim(1);
        return add(name, new BatchNorm2d(uniform(0.5, 1.5, c), randn(0.1, c), randn(0.1, c), uniform(0.5, 1.5, c), 1e-5f), x);
    }

    public String relu(String name, String x) { return add(name, new Relu(), x); }

    public String maxPool(String name, String x, int k, int stride) {
        return add(name, new MaxPool2d(new int[]{k, k}, new int[]{stride, stride}, new int[]{0, 0, 0, 0}, new int[]{1, 1}, false), x);
    }

    public String avgPool(String name, String x, int k, int stride) {
        return add(name, new AvgPool2d(new int[]{k, k}, new int[]{stride, stride}, new int[]{0, 0, 0, 0}, false, true), x);
    }

    public String globalAvgPool(String name, String x) { return add(name, new GlobalAvgPool(), x); }

    public String flatten(String name, String x) { return add(name, new Flatten(), x); }

    public String linear(String name, String x, int out) {
        int in = shapes.get(x).dim(1);
        return add(name, new Linear(randn(Math.sqrt(1.0 / in), out, in), randn(0.1, out)), x);
    }

    public String sum(String name, String... xs) { return add(name, new Add(), xs); }

    public String concat(String name, String... xs) { return add(name, new Concat(1), xs); }

    public Graph graph(String output) { return new Graph(input, inputItem, nodes, output); }

    public Model build(String output) {
        return new Model(graph(output), Preprocessing.imagenet(), List.of(), Map.of("builder", "GraphBuilder"));
    }

    private static Shape batched(Shape item) {
        int[] d = new int[item.rank() + 1];
        d[0] = 1;
        System.arraycopy(item.dims(), 0, d, 1, item.rank());
        return Shape.of(d);
    }
}
