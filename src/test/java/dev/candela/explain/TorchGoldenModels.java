package dev.candela.explain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds, from the weights the golden script saved (one flat weights.npy + a name/shape/offset index),
 * the exact PyTorch models of tools/make_lrp_fgcam_goldens.py as Candela graphs. Node names are the
 * PyTorch module names so goldens can name layers (features.13 ...).
 */
public final class TorchGoldenModels {
    public static final Path ROOT = Path.of("testdata", "golden");

    private final Map<String, Tensor> weights = new HashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Shape> shapes = new HashMap<>();

    private TorchGoldenModels(Path dir, JsonNode index) throws IOException {
        float[] flat = Npy.read(dir.resolve("weights.npy")).data();
        for (JsonNode e : index) {
            int[] shape = new int[e.get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = e.get("shape").get(i).asInt();
            int off = e.get("offset").asInt(), n = (int) Shape.product(shape);
            weights.put(e.get("name").asText(), new Tensor(Shape.of(shape), Arrays.copyOfRange(flat, off, off + n)));
        }
    }

    public static JsonNode manifest(Path dir) throws IOException {
        return new ObjectMapper().readTree(Files.readString(dir.resolve("manifest.json")));
    }

    public static Tensor npy(Path dir, String file) throws IOException {
        return Npy.read(dir.resolve(file));
    }

    private Tensor w(String name) {
        Tensor t = weights.get(name);
        if (t == null) throw new IllegalArgumentException("golden weights lack " + name);
        return t;
    }

    private String add(String name, Op op, String... inputs) {
        List<Shape> in = new ArrayList<>();
        for (String s : inputs) in.add(shapes.get(s));
        shapes.put(name, op.outputShape(in));
        nodes.add(new Node(name, op, List.of(inputs), name));
        return name;
    }

    private String conv(String name, String x, int stride, int pad) {
        Tensor wt = w(name + ".weight");
        Tensor b = weights.containsKey(name + ".bias") ? w(name + ".bias") : Tensor.zeros(wt.dim(0));
        return add(name, new Conv2d(wt, b, new int[]{stride, stride}, new int[]{pad, pad, pad, pad}, new int[]{1, 1}, 1), x);
    }

    private String bn(String name, String x) {
        return add(name, new BatchNorm2d(w(name + ".weight"), w(name + ".bias"), w(name + ".running_mean"), w(name + ".running_var"), 1e-5f), x);
    }

    private String linear(String name, String x) {
        return add(name, new Linear(w(name + ".weight"), w(name + ".bias")), x);
    }

    private String maxPool(String name, String x) {
        return add(name, new MaxPool2d(new int[]{2, 2}, new int[]{2, 2}, new int[]{0, 0, 0, 0}, new int[]{1, 1}, false), x);
    }

    private Model model(Shape inputItem, String out) {
        return new Model(new Graph("input", inputItem, nodes, out), Preprocessing.imagenet(), List.of(), Map.of("source", "golden"));
    }

    private static TorchGoldenModels start(Path dir, JsonNode index, Shape inputItem) throws IOException {
        TorchGoldenModels m = new TorchGoldenModels(dir, index);
        m.shapes.put("input", Shape.of(1, inputItem.dim(0), inputItem.dim(1), inputItem.dim(2)));
        return m;
    }

    /** lrp/vgg: conv-bn-relu x2, maxpool, conv-bn-relu, maxpool, flatten, linear-relu-linear. */
    public static Model lrpVgg(Path dir, JsonNode index) throws IOException {
        TorchGoldenModels m = start(dir, index, Shape.of(3, 16, 16));
        String x = m.conv("features.0", "input", 1, 1);
        x = m.bn("features.1", x);
        x = m.add("features.2", new Relu(), x);
        x = m.conv("features.3", x, 1, 1);
        x = m.bn("features.4", x);
        x = m.add("features.5", new Relu(), x);
        x = m.maxPool("features.6", x);
        x = m.conv("features.7", x, 1, 1);
        x = m.bn("features.8", x);
        x = m.add("features.9", new Relu(), x);
        x = m.maxPool("features.10", x);
        x = m.add("flatten", new Flatten(), x);
        x = m.linear("classifier.0", x);
        x = m.add("classifier.1", new Relu(), x);
        x = m.linear("classifier.2", x);
        return m.model(Shape.of(3, 16, 16), x);
    }

    private String block(String name, String x, int stride, boolean down) {
        String o = conv(name + ".conv1", x, stride, 1);
        o = bn(name + ".bn1", o);
        o = add(name + ".relu1", new Relu(), o);
        o = conv(name + ".conv2", o, 1, 1);
        o = bn(name + ".bn2", o);
        String sc = x;
        if (down) {
            sc = conv(name + ".down.0", x, stride, 0);
            sc = bn(name + ".down.1", sc);
        }
        o = add(name + ".sum", new Add(), o, sc);
        return add(name + ".relu2", new Relu(), o);
    }

    /** lrp/resnet: stem conv-bn-relu, an identity block, a strided block with a 1x1 downsample, GAP, fc. */
    public static Model lrpResnet(Path dir, JsonNode index) throws IOException {
        TorchGoldenModels m = start(dir, index, Shape.of(3, 16, 16));
        String x = m.conv("conv1", "input", 1, 1);
        x = m.bn("bn1", x);
        x = m.add("relu", new Relu(), x);
        x = m.block("layer1", x, 1, false);
        x = m.block("layer2", x, 2, true);
        x = m.add("gap", new GlobalAvgPool(), x);
        x = m.add("flatten", new Flatten(), x);
        x = m.linear("fc", x);
        return m.model(Shape.of(3, 16, 16), x);
    }

    private String conv(String name, String x, int stride, int pad, int groups) {
        Tensor wt = w(name + ".weight");
        Tensor b = weights.containsKey(name + ".bias") ? w(name + ".bias") : Tensor.zeros(wt.dim(0));
        return add(name, new Conv2d(wt, b, new int[]{stride, stride}, new int[]{pad, pad, pad, pad}, new int[]{1, 1}, groups), x);
    }

    private String convBnRelu6(String name, String x, int stride, int pad, int groups) {
        String t = conv(name + ".0", x, stride, pad, groups);
        t = bn(name + ".1", t);
        return add(name + ".2", new dev.candela.graph.Clip(0f, 6f), t);
    }

    /** lrp/mobile: strided stem, depthwise, pointwise and a parallel 1x1 branch concatenated, GAP, fc (ReLU6). */
    public static Model lrpMobile(Path dir, JsonNode index) throws IOException {
        TorchGoldenModels m = start(dir, index, Shape.of(3, 16, 16));
        String x = m.convBnRelu6("stem", "input", 2, 1, 1);
        x = m.convBnRelu6("dw", x, 1, 1, 8);
        String p = m.convBnRelu6("pw", x, 1, 0, 1);
        String q = m.convBnRelu6("br", x, 1, 0, 1);
        x = m.add("cat", new dev.candela.graph.Concat(1), p, q);
        x = m.add("gap", new GlobalAvgPool(), x);
        x = m.add("flatten", new Flatten(), x);
        x = m.linear("fc", x);
        return m.model(Shape.of(3, 16, 16), x);
    }

    /** fgcam: the official create_features_modules(cfg, batch_norm=True) (44 modules) and the adapted head. */
    public static Model fgVgg(Path dir, JsonNode index, int size) throws IOException {
        TorchGoldenModels m = start(dir, index, Shape.of(3, size, size));
        Object[] cfg = {4, 4, "M", 8, 8, "M", 16, 16, 16, "M", 32, 32, 32, "M", 32, 32, 32, "M"};
        String x = "input";
        int i = 0;
        for (Object c : cfg) {
            if (c.equals("M")) {
                x = m.maxPool("features." + i++, x);
            } else {
                x = m.conv("features." + i++, x, 1, 1);
                x = m.bn("features." + i++, x);
                x = m.add("features." + i++, new Relu(), x);
            }
        }
        x = m.add("flatten", new Flatten(), x);
        x = m.linear("classifier.0", x);
        x = m.add("classifier.1", new Relu(), x);
        x = m.add("classifier.2", new Identity(), x);
        x = m.linear("classifier.3", x);
        x = m.add("classifier.4", new Relu(), x);
        x = m.add("classifier.5", new Identity(), x);
        x = m.linear("classifier.6", x);
        return m.model(Shape.of(3, size, size), x);
    }

    /** Largest |a - b| divided by the largest |b| (0 when both are 0). */
    public static double relativeMaxError(Tensor a, Tensor b) {
        if (a.size() != b.size()) throw new AssertionError("size " + a.shape() + " vs " + b.shape());
        double d = 0, m = 0;
        for (int i = 0; i < a.size(); i++) {
            d = Math.max(d, Math.abs(a.data()[i] - b.data()[i]));
            m = Math.max(m, Math.abs(b.data()[i]));
        }
        return m == 0 ? d : d / m;
    }
}
