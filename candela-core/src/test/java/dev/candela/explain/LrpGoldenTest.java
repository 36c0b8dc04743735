package dev.candela.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.candela.explain.lrp.BatchNormMerge;
import dev.candela.explain.lrp.Composite;
import dev.candela.explain.lrp.Lrp;
import dev.candela.graph.Model;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LRP relevance at the input against zennit (every rule, the three composites, BN merged or passed) and
 * Captum's LRP defaults, on the seeded VGG-, ResNet- and MobileNet/Concat-shaped models of tools/make_lrp_fgcam_goldens.py.
 * Tolerance: max |ours - reference| <= 2e-4 * max |reference| (measured: <= 1e-6 on the VGG, up to 8.6e-5 on the ResNet with flat and w-square, where Norm at the residual sum divides by sums that nearly cancel) (float32 torch vs double-accumulating Java).
 */
class LrpGoldenTest {
    static final Path DIR = TorchGoldenModels.ROOT.resolve("lrp");
    static final double TOLERANCE = 2e-4;

    static Stream<Arguments> cases() throws Exception {
        JsonNode m = TorchGoldenModels.manifest(DIR);
        List<Arguments> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = m.get("models").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            for (Iterator<String> c = e.getValue().get("outputs").fieldNames(); c.hasNext(); ) out.add(Arguments.of(e.getKey(), c.next()));
        }
        return out.stream();
    }

    static Model model(String name, JsonNode rec) throws Exception {
        Path dir = DIR.resolve(name);
        return switch (name) {
            case "vgg" -> TorchGoldenModels.lrpVgg(dir, rec.get("weights"));
            case "resnet" -> TorchGoldenModels.lrpResnet(dir, rec.get("weights"));
            case "mobile" -> TorchGoldenModels.lrpMobile(dir, rec.get("weights"));
            default -> throw new IllegalArgumentException("no Java builder for golden model " + name);
        };
    }

    static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) a.get(i).asDouble();
        return f;
    }

    static int[] ints(JsonNode a) {
        int[] f = new int[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = a.get(i).asInt();
        return f;
    }

    static Composite composite(String caseName, JsonNode rec) {
        float[] low = floats(rec.get("zbox_low")), high = floats(rec.get("zbox_high"));
        if (caseName.equals("captum-epsilon")) return Composite.captum();
        if (caseName.startsWith("rule-")) return Composite.single(Composite.rule(caseName.substring(5), low, high));
        String c = caseName.substring("composite-".length()).replace("-bn-pass", "");
        return Composite.named(c, low, high);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void relevanceAtInputMatchesReference(String modelName, String caseName) throws Exception {
        JsonNode rec = TorchGoldenModels.manifest(DIR).get("models").get(modelName);
        JsonNode out = rec.get("outputs").get(caseName);
        Model model = model(modelName, rec);
        Path dir = DIR.resolve(modelName);
        Tensor x = TorchGoldenModels.npy(dir, rec.get("input").asText());
        Executor plain = new Executor(model, ReferenceKernels.INSTANCE);
        Activations fwd = plain.forward(x);
        double logitErr = TorchGoldenModels.relativeMaxError(fwd.output(), TorchGoldenModels.npy(dir, rec.get("logits").asText()));
        assertTrue(logitErr < 1e-5, "forward logits differ from PyTorch by " + logitErr);
        boolean merge = out.get("bn").asText().equals("merged");
        Executor ex = merge ? new Executor(BatchNormMerge.merge(model), ReferenceKernels.INSTANCE) : plain;
        Tensor r = new Lrp(ex, composite(caseName, rec)).attribute(x, ints(rec.get("classes")));
        Tensor golden = TorchGoldenModels.npy(dir, out.get("file").asText());
        assertEquals(golden.shape(), r.shape());
        double err = TorchGoldenModels.relativeMaxError(r, golden);
        System.out.printf("lrp golden %s %s: relative max error %.3g%n", modelName, caseName, err);
        assertTrue(err <= TOLERANCE, modelName + " " + caseName + ": relative max error " + err + " > " + TOLERANCE);
    }
}
