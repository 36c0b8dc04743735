package dev.candela.explain.attribution;

import com.fasterxml.jackson.databind.JsonNode;
import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explainer.Methods;
import dev.candela.explain.Target;
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
 * relevance-cam against the official Relevance-CAM code (tools/make_relevance_cam_goldens.py) on the seeded
 * VGG-like model at its last ReLU: raw map abs 1e-6 + rel 1e-5 of max |golden|, final map abs 1e-5.
 */
class RelevanceCamGoldenTest {
    static final Path DIR = Path.of("testdata/golden/relevance_cam"), ATTR = Path.of("testdata/golden/attribution");

    static Stream<Arguments> cases() {
        return dev.candela.testkit.Goldens.cases(DIR, "cases", c -> c.get("model").asText() + " targets " + c.get("targets"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheOfficialCode(String label, JsonNode c) throws IOException {
        Model m = GoldenModels.named("vgg");
        Executor ex = new Executor(m, ReferenceKernels.INSTANCE);
        Tensor x = Npy.read(ATTR.resolve("x.npy"));
        List<Target> targets = new ArrayList<>();
        for (JsonNode t : c.get("targets")) targets.add(Target.classIndex(t.asInt()));
        Explanation e = Explainer.of(ex).explain(x, Methods.parse(List.of(c.get("method").asText()), Methods.Defaults.none(), m).get(0),
                Explainer.Request.defaults().layers(GoldenModels.tensor("vgg", c.get("layer").asText())).targets(targets));
        SampledGoldenTest.assertClose(Npy.read(DIR.resolve(c.get("raw").asText())), e.rawMaps(), 1e-6, 1e-5, label + " raw map");
        SampledGoldenTest.assertClose(Npy.read(DIR.resolve(c.get("map").asText())), e.maps(), 1e-5, 0, label + " map");
    }
}
