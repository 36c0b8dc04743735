package dev.candela.explain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.candela.graph.Flatten;
import dev.candela.graph.GlobalAvgPool;
import dev.candela.graph.Identity;
import dev.candela.graph.Model;
import dev.candela.graph.Preprocessing;
import dev.candela.graph.Relu;
import dev.candela.image.Npy;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.testkit.TorchModelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The PyTorch models of tools/make_lrp_fgcam_goldens.py rebuilt as Candela graphs from the weights the
 * script saved (one flat weights.npy + a name/shape/offset index). Node names are the PyTorch module
 * names so goldens can name layers (features.13 ...).
 */
public final class TorchGoldenModels {
    private TorchGoldenModels() {}

    public static final Path ROOT = Path.of("testdata", "golden");

    private static TorchModelBuilder builder(Path dir, JsonNode index) throws IOException {
        float[] flat = Npy.read(dir.resolve("weights.npy")).data();
        Map<String, Tensor> weights = new HashMap<>();
        for (JsonNode e : index) {
            int[] shape = new int[e.get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = e.get("shape").get(i).asInt();
            int off = e.get("offset").asInt(), n = (int) Shape.product(shape);
            weights.put(e.get("name").asText(), new Tensor(Shape.of(shape), Arrays.copyOfRange(flat, off, off + n)));
        }
        return new TorchModelBuilder(TorchModelBuilder.Weights.of(weights));
    }

    public static JsonNode manifest(Path dir) throws IOException {
        return dev.candela.testkit.Goldens.manifest(dir);
    }

    public static Tensor npy(Path dir, String file) throws IOException {
        return Npy.read(dir.resolve(file));
    }

    private static Model model(TorchModelBuilder m, Shape inputItem, String out) {
        return m.build("input", inputItem, out, Preprocessing.imagenet(), "golden");
    }

    /** lrp/vgg: conv-bn-relu x2, maxpool, conv-bn-relu, maxpool, flatten, linear-relu-linear. */
    public static Model lrpVgg(Path dir, JsonNode index) throws IOException {
        TorchModelBuilder m = builder(dir, index);
        String x = m.conv("features.0", "input", 1, 1);
        x = m.bn("features.1", x);
        x = m.add("features.2", new Relu(), x);
        x = m.conv("features.3", x, 1, 1);
        x = m.bn("features.4", x);
        x = m.add("features.5", new Relu(), x);
        x = m.maxPool("features.6", x, 2, 2, 0);
        x = m.conv("features.7", x, 1, 1);
        x = m.bn("features.8", x);
        x = m.add("features.9", new Relu(), x);
        x = m.maxPool("features.10", x, 2, 2, 0);
        x = m.add("flatten", new Flatten(), x);
        x = m.linear("classifier.0", x);
        x = m.add("classifier.1", new Relu(), x);
        x = m.linear("classifier.2", x);
        return model(m, Shape.of(3, 16, 16), x);
    }

    /** lrp/resnet: stem conv-bn-relu, an identity block, a strided block with a 1x1 downsample, GAP, fc. */
    public static Model lrpResnet(Path dir, JsonNode index) throws IOException {
        TorchModelBuilder m = builder(dir, index);
        String x = m.conv("conv1", "input", 1, 1);
        x = m.bn("bn1", x);
        x = m.add("relu", new Relu(), x);
        x = m.basicBlock("layer1", x, 1, null, "sum");
        x = m.basicBlock("layer2", x, 2, "down", "sum");
        x = m.add("gap", new GlobalAvgPool(), x);
        x = m.add("flatten", new Flatten(), x);
        x = m.linear("fc", x);
        return model(m, Shape.of(3, 16, 16), x);
    }

    /**
     * lrp_split: tools/make_lrp_split_goldens.py's torchvision-shaped ResNet (stem conv-bn-relu, BasicBlock layer1.0,
     * strided BasicBlock layer2.0 with a 1x1 conv + bn downsample, GAP, fc).
     */
    public static Model lrpSplitResnet(Path dir, JsonNode index) throws IOException {
        TorchModelBuilder m = builder(dir, index);
        String x = m.conv("conv1", "input", 1, 1);
        x = m.bn("bn1", x);
        x = m.add("relu", new Relu(), x);
        x = m.basicBlock("layer1.0", x, 1, null, "sum");
        x = m.basicBlock("layer2.0", x, 2, "downsample", "sum");
        x = m.add("gap", new GlobalAvgPool(), x);
        x = m.add("flatten", new Flatten(), x);
        x = m.linear("fc", x);
        return model(m, Shape.of(3, 16, 16), x);
    }

    private static String convBnRelu6(TorchModelBuilder m, String name, String x, int stride, int pad, int groups) {
        String t = m.conv(name + ".0", x, stride, pad, groups);
        t = m.bn(name + ".1", t);
        return m.add(name + ".2", new dev.candela.graph.Clip(0f, 6f), t);
    }

    /** lrp/mobile: strided stem, depthwise, pointwise and a parallel 1x1 branch concatenated, GAP, fc (ReLU6). */
    public static Model lrpMobile(Path dir, JsonNode index) throws IOException {
        TorchModelBuilder m = builder(dir, index);
        String x = convBnRelu6(m, "stem", "input", 2, 1, 1);
        x = convBnRelu6(m, "dw", x, 1, 1, 8);
        String p = convBnRelu6(m, "pw", x, 1, 0, 1);
        String q = convBnRelu6(m, "br", x, 1, 0, 1);
        x = m.add("cat", new dev.candela.graph.Concat(1), p, q);
        x = m.add("gap", new GlobalAvgPool(), x);
        x = m.add("flatten", new Flatten(), x);
        x = m.linear("fc", x);
        return model(m, Shape.of(3, 16, 16), x);
    }

    /** fgcam: the official create_features_modules(cfg, batch_norm=True) (44 modules) and the adapted head. */
    public static Model fgVgg(Path dir, JsonNode index, int size) throws IOException {
        TorchModelBuilder m = builder(dir, index);
        Object[] cfg = {4, 4, "M", 8, 8, "M", 16, 16, 16, "M", 32, 32, 32, "M", 32, 32, 32, "M"};
        String x = "input";
        int i = 0;
        for (Object c : cfg) {
            if (c.equals("M")) {
                x = m.maxPool("features." + i++, x, 2, 2, 0);
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
        return model(m, Shape.of(3, size, size), x);
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
