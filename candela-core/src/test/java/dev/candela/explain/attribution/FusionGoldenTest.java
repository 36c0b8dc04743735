package dev.candela.explain.attribution;

import com.fasterxml.jackson.databind.JsonNode;
import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explain.Target;
import dev.candela.explainer.CamMethods;
import dev.candela.explain.cam.CamOptions;
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
 * Several layers at once (tools/make_fusion_goldens.py): LayerCAM over two layers fused as TorchCAM's
 * LayerCAM.fuse_cams (tanh-max) and as pytorch-grad-cam's mean, and pytorch-grad-cam's RefineCAM over the same two
 * layers; final maps within abs 1e-5.
 */
class FusionGoldenTest {
    static final Path DIR = Path.of("testdata/golden/fusion"), ATTR = Path.of("testdata/golden/attribution");

    static Stream<Arguments> cases() {
        return dev.candela.testkit.Goldens.cases(DIR, "cases", c -> c.get("model").asText() + " " + c.get("method").asText() + " " + c.get("fusion").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheReference(String label, JsonNode c) throws IOException {
        String model = c.get("model").asText();
        Model m = GoldenModels.named(model);
        Executor ex = new Executor(m, ReferenceKernels.INSTANCE);
        Tensor x = Npy.read(ATTR.resolve("x.npy"));
        String[] layers = new String[c.get("layers").size()];
        for (int i = 0; i < layers.length; i++) layers[i] = GoldenModels.tensor(model, c.get("layers").get(i).asText());
        List<Target> targets = new ArrayList<>();
        for (JsonNode t : c.get("targets")) targets.add(Target.classIndex(t.asInt()));
        CamOptions.Fusion fusion = CamOptions.Fusion.valueOf(c.get("fusion").asText().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        Explanation e = Explainer.of(ex).explain(x, CamMethods.byName(c.get("method").asText()),
                Explainer.Request.defaults().layers(layers).targets(targets).options(CamOptions.defaults().withFusion(fusion)));
        SampledGoldenTest.assertClose(Npy.read(DIR.resolve(c.get("map").asText())), e.maps(), 1e-5, 0, label + " map");
    }
}
