package dev.candela.explain.attribution;

import dev.candela.graph.Add;
import dev.candela.graph.BatchNorm2d;
import dev.candela.graph.Conv2d;
import dev.candela.graph.Flatten;
import dev.candela.graph.GlobalAvgPool;
import dev.candela.graph.Graph;
import dev.candela.graph.Identity;
import dev.candela.graph.Linear;
import dev.candela.graph.MaxPool2d;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.graph.Op;
import dev.candela.graph.Preprocessing;
import dev.candela.graph.Relu;
import dev.candela.image.Npy;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The two models of tools/make_attribution_goldens.py rebuilt from their exported weights (.npy per
 * PyTorch parameter), node names = PyTorch module paths.
 */
final class GoldenModels {
    private final Path dir;
    private final List<Node> nodes = new ArrayList<>();

    private GoldenModels(Path dir) { this.dir = dir; }

    private Tensor w(String name) {
        try {
            return Npy.read(dir.resolve(name + ".npy"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String add(String name, Op op, String... in) {
        nodes.add(new Node(name, op, List.of(in), name));
        return name;
    }

    private String conv(String name, String in, int stride, int pad) {
        Tensor weight = w(name + ".weight");
        Tensor bias = Files.exists(dir.resolve(name + ".bias.npy")) ? w(name + ".bias") : Tensor.zeros(weight.dim(0));
        return add(name, new Conv2d(weight, bias, new int[]{stride, stride}, new int[]{pad, pad, pad, pad}, new int[]{1, 1}, 1), in);
    }

    private String bn(String name, String in) {
        return add(name, new BatchNorm2d(w(name + ".weight"), w(name + ".bias"), w(name + ".running_mean"), w(name + ".running_var"), 1e-5f), in);
    }

    private String pool(String name, String in, int k, int s, int p) {
        return add(name, new MaxPool2d(new int[]{k, k}, new int[]{s, s}, new int[]{p, p, p, p}, new int[]{1, 1}, false), in);
    }

    private String linear(String name, String in) { return add(name, new Linear(w(name + ".weight"), w(name + ".bias")), in); }

    private Model build(String out) {
        Graph g = new Graph("x", Shape.of(3, 16, 16), nodes, out);
        return new Model(g, Preprocessing.imagenet(), List.of(), Map.of("source", dir.toString()));
    }

    static Model vgg(Path dir) {
        GoldenModels b = new GoldenModels(dir);
        String t = "x";
        int i = 0;
        for (int block = 0; block < 3; block++) {
            t = b.conv("features." + i++, t, 1, 1);
            t = b.add("features." + i++, new Relu(), t);
            t = b.pool("features." + i++, t, 2, 2, 0);
        }
        t = b.add("avgpool", new Identity(), t);
        t = b.add("flatten", new Flatten(), t);
        t = b.linear("classifier.0", t);
        t = b.add("classifier.1", new Relu(), t);
        t = b.linear("classifier.3", t);
        t = b.add("classifier.4", new Relu(), t);
        t = b.linear("classifier.6", t);
        return b.build(t);
    }

    private String block(String p, String in, int stride, boolean down) {
        String u = conv(p + ".conv1", in, stride, 1);
        u = bn(p + ".bn1", u);
        u = add(p + ".relu1", new Relu(), u);
        u = conv(p + ".conv2", u, 1, 1);
        u = bn(p + ".bn2", u);
        String s = in;
        if (down) {
            s = conv(p + ".downsample.0", in, stride, 0);
            s = bn(p + ".downsample.1", s);
        }
        String sum = add(p + ".add", new Add(), u, s);
        return add(p + ".relu2", new Relu(), sum);
    }

    static Model resnet(Path dir) {
        GoldenModels b = new GoldenModels(dir);
        String t = b.conv("conv1", "x", 1, 1);
        t = b.bn("bn1", t);
        t = b.add("relu", new Relu(), t);
        t = b.pool("maxpool", t, 3, 2, 1);
        t = b.block("layer1.0", t, 1, false);
        t = b.block("layer2.0", t, 2, true);
        t = b.block("layer4.0", t, 1, false);
        t = b.add("avgpool", new GlobalAvgPool(), t);
        t = b.add("flatten", new Flatten(), t);
        t = b.linear("fc", t);
        return b.build(t);
    }

    /** The model followed by a Softmax over the classes. */
    static Model withSoftmax(Model m, String input) {
        List<Node> nodes = new ArrayList<>(m.graph().nodes());
        nodes.add(new Node("softmax", new dev.candela.graph.Softmax(1, false), List.of(m.graph().output()), "softmax"));
        return new Model(new Graph(input, Shape.of(3, 16, 16), nodes, "softmax"), m.preprocessing(), List.of(), m.source());
    }

    /** The tensor a PyTorch module path names in these models. */
    static String tensor(String model, String module) {
        return switch (model + ":" + module) {
            case "resnet:layer1" -> "layer1.0.relu2";
            case "resnet:layer4" -> "layer4.0.relu2";
            default -> module;
        };
    }
}
