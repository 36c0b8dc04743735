package dev.candela.explain.attribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explainer.Method;
import dev.candela.explainer.Methods;
import dev.candela.explain.Target;
import dev.candela.explain.cam.FinerCam;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * FEM, KPCA-CAM, ShapleyCAM (logit, softmax and ReST targets) and Finer-CAM against pytorch-grad-cam (tools/make_cam17_goldens.py) on the seeded models of
 * tools/make_attribution_goldens.py, through the method registry: raw map and weights abs 1e-6 + rel 1e-5 (KPCA-CAM's
 * raw map rel 1e-4: scikit-learn works in float32) of
 * max |golden|, final map abs 1e-5.
 */
class Cam17GoldenTest {
    static final Path DIR = Path.of("testdata/golden/cam17"), ATTR = Path.of("testdata/golden/attribution");

    static Stream<Arguments> cases() {
        return dev.candela.testkit.Goldens.cases(DIR, "cases", c -> c.get("model").asText() + " " + c.get("method").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPytorchGradCam(String label, JsonNode c) throws IOException {
        String model = c.get("model").asText();
        Model m = GoldenModels.named(model);
        Executor ex = new Executor(m, ReferenceKernels.INSTANCE);
        Tensor x = Npy.read(ATTR.resolve("x.npy"));
        Method method = Methods.parse(List.of(c.get("method").asText()), Methods.Defaults.none(), m).get(0);
        List<Target> targets = new ArrayList<>();
        boolean softmax = c.has("target_kind") && c.get("target_kind").asText().equals("softmax");
        for (JsonNode t : c.get("targets")) targets.add(softmax ? Target.softmax(t.asInt()) : Target.classIndex(t.asInt()));
        Explanation e = Explainer.of(ex).explain(x, method, Explainer.Request.defaults()
                .layers(GoldenModels.tensor(model, c.get("layer").asText())).targets(targets));
        Tensor raw = e.rawMaps();
        // scikit-learn's KernelPCA works in the activations' float32 (kernel, centring, LAPACK ssyevr)
        double rel = c.get("kind").asText().equals("kpca-cam") ? 1e-4 : 1e-5;
        SampledGoldenTest.assertClose(Npy.read(DIR.resolve(c.get("raw").asText())), raw, 1e-6, rel, label + " raw map");
        if (c.has("weights")) SampledGoldenTest.assertClose(Npy.read(DIR.resolve(c.get("weights").asText())), e.coefficients(), 1e-6, 1e-5, label + " weights");
        SampledGoldenTest.assertClose(Npy.read(DIR.resolve(c.get("map").asText())), e.maps(), 1e-5, 0, label + " map");
        if (c.has("comparison_classes")) {
            Tensor z = e.logits();
            int classes = z.shape().itemSize();
            for (int i = 0; i < 2; i++) {
                float[] row = java.util.Arrays.copyOfRange(z.data(), i * classes, (i + 1) * classes);
                int[] want = new int[c.get("comparison_classes").get(i).size()];
                for (int j = 0; j < want.length; j++) want[j] = c.get("comparison_classes").get(i).get(j).asInt();
                assertArrayEquals(want, FinerCam.comparisonClasses(row, targets.get(i) instanceof Target.ClassIndex ci ? ci.index() : -1, want.length), label + " comparison classes");
            }
        }
    }
}
