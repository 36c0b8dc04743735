package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.candela.explain.Explanation;
import dev.candela.explain.Target;
import dev.candela.explain.cam.CamSession;
import dev.candela.explainer.Explainer;
import dev.candela.explainer.Method;
import dev.candela.explainer.Methods;
import dev.candela.io.PrettyJson;
import dev.candela.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * manifest.json is written by PrettyJson, not ObjectMapper (start-up); its bytes must be ObjectMapper's with
 * INDENT_OUTPUT, the writer of every earlier manifest, for what every method puts in a manifest.
 */
class PrettyJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static Stream<String> everyMethod() { return Methods.names().stream(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMethod")
    void everyMethodsManifestHasObjectMappersBytes(String name) throws Exception {
        Random r = new Random(5);
        float[] d = new float[3 * 12 * 12];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        try (Explainer ex = Explainer.of(OnePathTest.RESNET, 1)) {
            CamSession s = ex.session(Tensor.of(d, 1, 3, 12, 12), Explainer.Request.defaults().layers("b2.relu").targets(Target.classIndex(3)));
            Method m = Methods.parse(List.of(name), Methods.Defaults.none(), OnePathTest.RESNET).get(0);
            Explanation e = Explainer.explainSeeded(s, m, "img", 0);
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("display_map", m.display().describe());
            manifest.put("method", m.manifest(s, e));
            manifest.put("millis", e.millis());
            assertEquals(new String(JSON.writeValueAsBytes(manifest), StandardCharsets.UTF_8), new String(PrettyJson.bytes(manifest), StandardCharsets.UTF_8), name);
        }
    }

    @Test
    void plainValuesArraysAndRecordsAreWrittenAsObjectMapperWritesThem() throws Exception {
        record Part(String name, double[] values, List<Integer> dims) {}
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", "a \"quoted\" \u00e9 line\n");
        m.put("nan", Double.NaN);
        m.put("inf", Float.NEGATIVE_INFINITY);
        m.put("tiny", 1e-300);
        m.put("float", 0.1f);
        m.put("long", Long.MIN_VALUE);
        m.put("null", null);
        m.put("empty", Map.of());
        m.put("emptyList", List.of());
        m.put("ints", new int[]{1, -2});
        m.put("floats", new float[]{0.5f, Float.NaN});
        m.put("nested", List.of(Map.of("k", true), Arrays.asList(1, null)));
        m.put("record", new Part("p", new double[]{1.5}, List.of(2, 3)));
        m.put("enum", Thread.State.NEW);
        assertEquals(new String(JSON.writeValueAsBytes(m), StandardCharsets.UTF_8), new String(PrettyJson.bytes(m), StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, () -> PrettyJson.bytes(Map.of("x", new Object())));
    }
}
