package dev.candela.explain.attribution;

import dev.candela.graph.Flatten;
import dev.candela.graph.GlobalAvgPool;
import dev.candela.graph.Graph;
import dev.candela.graph.Identity;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.graph.Preprocessing;
import dev.candela.graph.Relu;
import dev.candela.tensor.Shape;
import dev.candela.testkit.TorchModelBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The two models of tools/make_attribution_goldens.py rebuilt from their exported weights (.npy per
 * PyTorch parameter), node names = PyTorch module paths.
 */
final class GoldenModels {
    private GoldenModels() {}

    private static Model build(TorchModelBuilder b, Path dir, String out) {
        return b.build("x", Shape.of(3, 16, 16), out, Preprocessing.imagenet(), dir.toString());
    }

    /** Where tools/make_attribution_goldens.py writes the models' weights and inputs. */
    static final Path DIR = Path.of("testdata/golden/attribution");

    /** The model {@code name} ("vgg" or "resnet") from its weights under {@link #DIR}. */
    static Model named(String name) {
        return switch (name) {
            case "vgg" -> vgg(DIR.resolve("vgg"));
            case "resnet" -> resnet(DIR.resolve("resnet"));
            default -> throw new IllegalArgumentException("no golden model named " + name);
        };
    }

    static Model vgg(Path dir) {
        TorchModelBuilder b = new TorchModelBuilder(TorchModelBuilder.Weights.npyFiles(dir, ""));
        String t = "x";
        int i = 0;
        for (int block = 0; block < 3; block++) {
            t = b.conv("features." + i++, t, 1, 1);
            t = b.add("features." + i++, new Relu(), t);
            t = b.maxPool("features." + i++, t, 2, 2, 0);
        }
        t = b.add("avgpool", new Identity(), t);
        t = b.add("flatten", new Flatten(), t);
        t = b.linear("classifier.0", t);
        t = b.add("classifier.1", new Relu(), t);
        t = b.linear("classifier.3", t);
        t = b.add("classifier.4", new Relu(), t);
        t = b.linear("classifier.6", t);
        return build(b, dir, t);
    }

    static Model resnet(Path dir) {
        TorchModelBuilder b = new TorchModelBuilder(TorchModelBuilder.Weights.npyFiles(dir, ""));
        String t = b.conv("conv1", "x", 1, 1);
        t = b.bn("bn1", t);
        t = b.add("relu", new Relu(), t);
        t = b.maxPool("maxpool", t, 3, 2, 1);
        t = b.basicBlock("layer1.0", t, 1, null, "add");
        t = b.basicBlock("layer2.0", t, 2, "downsample", "add");
        t = b.basicBlock("layer4.0", t, 1, null, "add");
        t = b.add("avgpool", new GlobalAvgPool(), t);
        t = b.add("flatten", new Flatten(), t);
        t = b.linear("fc", t);
        return build(b, dir, t);
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
