package dev.candela.testkit;

import dev.candela.graph.Add;
import dev.candela.graph.BatchNorm2d;
import dev.candela.graph.Conv2d;
import dev.candela.graph.Graph;
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
import java.util.function.Function;

/**
 * Rebuilds a PyTorch model whose parameters a tools/ script saved, as a Candela graph whose node names
 * are the PyTorch module paths (so goldens can name layers). The golden tests describe each model's
 * topology with these calls; the weights come from a {@link Weights} source, one tensor per PyTorch
 * parameter name ({@code features.0.weight}, {@code bn1.running_var} ...).
 */
public final class TorchModelBuilder {
    /** Parameters by PyTorch name; {@code null} for one the model does not have (a conv without bias). */
    @FunctionalInterface
    public interface Weights extends Function<String, Tensor> {
        /** One .npy file per parameter in {@code dir}, named {@code <prefix><parameter>.npy}. */
        static Weights npyFiles(Path dir, String prefix) {
            return name -> {
                Path f = dir.resolve(prefix + name + ".npy");
                if (!Files.exists(f)) return null;
                try {
                    return Npy.read(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
        }

        static Weights of(Map<String, Tensor> byName) { return byName::get; }
    }

    private final Weights weights;
    private final List<Node> nodes = new ArrayList<>();

    public TorchModelBuilder(Weights weights) { this.weights = weights; }

    private Tensor w(String name) {
        Tensor t = weights.apply(name);
        if (t == null) throw new IllegalArgumentException("the saved weights lack " + name);
        return t;
    }

    /** Adds node {@code name} (its output tensor has the same name) and returns that name. */
    public String add(String name, Op op, String... inputs) {
        nodes.add(new Node(name, op, List.of(inputs), name));
        return name;
    }

    /** nn.Conv2d(stride, padding, groups) with square stride and padding; a missing bias is zero. */
    public String conv(String name, String in, int stride, int pad, int groups) {
        Tensor weight = w(name + ".weight"), bias = weights.apply(name + ".bias");
        return add(name, new Conv2d(weight, bias != null ? bias : Tensor.zeros(weight.dim(0)), new int[]{stride, stride},
                new int[]{pad, pad, pad, pad}, new int[]{1, 1}, groups), in);
    }

    public String conv(String name, String in, int stride, int pad) { return conv(name, in, stride, pad, 1); }

    /** nn.BatchNorm2d in eval mode (PyTorch's eps 1e-5). */
    public String bn(String name, String in) {
        return add(name, new BatchNorm2d(w(name + ".weight"), w(name + ".bias"), w(name + ".running_mean"), w(name + ".running_var"), 1e-5f), in);
    }

    public String linear(String name, String in) { return add(name, new Linear(w(name + ".weight"), w(name + ".bias")), in); }

    /** nn.MaxPool2d(k, s, p), square. */
    public String maxPool(String name, String in, int k, int s, int p) {
        return add(name, new MaxPool2d(new int[]{k, k}, new int[]{s, s}, new int[]{p, p, p, p}, new int[]{1, 1}, false), in);
    }

    /**
     * torchvision's BasicBlock {@code p}: conv1 bn1 relu1 conv2 bn2, plus the input or, when
     * {@code downsample} names one, its 1x1 strided conv + bn ({@code <downsample>.0/.1}); the sum is
     * node {@code <p>.<sum>}, then relu2.
     */
    public String basicBlock(String p, String in, int stride, String downsample, String sum) {
        String u = conv(p + ".conv1", in, stride, 1);
        u = bn(p + ".bn1", u);
        u = add(p + ".relu1", new Relu(), u);
        u = conv(p + ".conv2", u, 1, 1);
        u = bn(p + ".bn2", u);
        String s = in;
        if (downsample != null) s = bn(p + "." + downsample + ".1", conv(p + "." + downsample + ".0", in, stride, 0));
        return add(p + ".relu2", new Relu(), add(p + "." + sum, new Add(), u, s));
    }

    public Model build(String input, Shape inputItem, String output, Preprocessing preprocessing, String source) {
        return new Model(new Graph(input, inputItem, nodes, output), preprocessing, List.of(), Map.of("source", source));
    }
}
