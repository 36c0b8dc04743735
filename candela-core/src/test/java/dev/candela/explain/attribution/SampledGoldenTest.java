package dev.candela.explain.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explainer.Method;
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
 * Occlusion and GradientSHAP against Captum, RISE against its authors' code, on the seeded models of
 * tools/make_attribution_goldens.py; goldens by tools/make_sampled_goldens.py, which replays the draws of
 * java.util.Random(seed) into the references. Each case runs through the method registry (the method string
 * in the manifest) and the same path as explain and evaluate. Tolerances: the manifest's "tolerances".
 */
class SampledGoldenTest {
    static final Path DIR = Path.of("testdata/golden/sampled"), ATTR = Path.of("testdata/golden/attribution");

    static Stream<Arguments> cases() {
        return dev.candela.testkit.Goldens.cases(DIR, "cases", c -> c.get("model").asText() + " " + c.get("method").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheReference(String label, JsonNode c) throws IOException {
        Model m = GoldenModels.named(c.get("model").asText());
        Executor ex = new Executor(m, ReferenceKernels.INSTANCE);
        Tensor x = Npy.read(ATTR.resolve("x.npy"));
        String spec = c.get("method").asText().replace("shap_refs.npy", ATTR.resolve("shap_refs.npy").toString());
        Method method = Methods.parse(List.of(spec), Methods.Defaults.none(), m).get(0);
        List<Target> targets = new ArrayList<>();
        for (JsonNode t : c.get("targets")) targets.add(Target.classIndex(t.asInt()));
        Explanation e = Explainer.of(ex).explain(x, method, Explainer.Request.defaults().targets(targets));
        Tensor golden = Npy.read(DIR.resolve(c.get("attributions").asText()));
        double abs = switch (c.get("kind").asText()) {
            case "occlusion" -> 1e-6;
            default -> 1e-7;
        };
        assertClose(golden, e.attributions(), abs, 1e-5, label);
        assertEquals(2, e.maps().dim(0), label + ": one map per image");
    }

    static void assertClose(Tensor golden, Tensor actual, double abs, double rel, String what) {
        assertEquals(golden.size(), actual.size(), what + ": size");
        double scale = 0, worst = 0;
        for (float v : golden.data()) scale = Math.max(scale, Math.abs(v));
        double tol = abs + rel * scale;
        for (int i = 0; i < golden.size(); i++) {
            double d = Math.abs(golden.data()[i] - actual.data()[i]);
            worst = Math.max(worst, d);
            assertTrue(d <= tol, what + ": element " + i + " golden " + golden.data()[i] + " candela " + actual.data()[i] + " (tol " + tol + ")");
        }
        assertTrue(scale > 0, what + ": golden is all zero");
        System.out.printf("%s: max |diff| %.3g (scale %.3g, tol %.3g)%n", what, worst, scale, tol);
    }
}
