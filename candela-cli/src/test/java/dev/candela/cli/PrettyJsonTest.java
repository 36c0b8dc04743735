package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
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

    /** Edge values of every accepted type: ObjectMapper's bytes exactly (no tolerance: the same text). */
    @Test
    void edgeValuesAreWrittenAsObjectMapperWritesThem() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("doubles", List.of(-0.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.MIN_NORMAL, 1e21, 1e-7, 100.0, Double.POSITIVE_INFINITY, 0.1 + 0.2));
        m.put("floats", new float[]{-0.0f, Float.MIN_VALUE, Float.MAX_VALUE, 1e-7f, 1e10f, 100f, 16777217f, Float.NaN, Float.POSITIVE_INFINITY});
        m.put("decimals", List.of(new java.math.BigDecimal("1E+3"), new java.math.BigDecimal("0E-10"), new java.math.BigDecimal("-0.000"),
                new java.math.BigDecimal("1e-400"), new java.math.BigDecimal("123456789012345678901234567890.5"), java.math.BigDecimal.ONE.scaleByPowerOfTen(2147483647)));
        m.put("integers", List.of(java.math.BigInteger.TWO.pow(200).negate(), (short) -7, (byte) 127, Integer.MIN_VALUE, 'c', '\u0000'));
        m.put("chars", "line\u2028sep \ud800 lone \u0000 nul".toCharArray());
        m.put("bytes", new byte[]{0, -1, 127, -128, 64});
        m.put("emptyBytes", new byte[0]);
        m.put("empties", List.of(List.of(), Map.of(), new int[0], List.of(List.of(Map.of())), new Object[]{new double[0]}));
        m.put("nested", Map.of("a", Map.of("b", Map.of())));
        Map<Object, Object> keys = new LinkedHashMap<>();
        keys.put(7, "int key");
        keys.put(-8L, "long key");
        keys.put("", "empty key");
        keys.put("\u0000\n\"", "escaped key");
        m.put("keys", keys);
        m.put("set", new java.util.TreeSet<>(List.of(3, 1, 2)));
        assertEquals(new String(JSON.writeValueAsBytes(m), StandardCharsets.UTF_8), new String(PrettyJson.bytes(m), StandardCharsets.UTF_8));
    }

    /**
     * What ObjectMapper refused, or wrote in a form of its own (a Path as its URI, a record's extra getter as one
     * more property, an enum key), is refused, never written in another shape. A Path is also an Iterable of Paths
     * (itself included), which a writer of iterables recursed into until the stack overflowed.
     */
    @Test
    void whatObjectMapperRefusedOrWroteItsOwnWayIsRefused() {
        record Extra(int a) { public int getB() { return 2; } public boolean isC() { return true; } }
        record Plain(int a) { public static int getStatic() { return 1; } public int twice() { return 2 * a; } }
        Map<String, Object> nullKey = new java.util.HashMap<>();
        nullKey.put(null, 1);
        assertThrows(Exception.class, () -> JSON.writeValueAsBytes(nullKey), "ObjectMapper refuses a null key");
        assertThrows(IllegalArgumentException.class, () -> PrettyJson.bytes(nullKey));
        assertThrows(Exception.class, () -> JSON.writeValueAsBytes(Map.of("o", java.util.Optional.of(1))), "ObjectMapper refuses Optional");
        assertThrows(IllegalArgumentException.class, () -> PrettyJson.bytes(Map.of("o", java.util.Optional.of(1))));
        assertThrows(IllegalArgumentException.class, () -> PrettyJson.bytes(Map.of("p", java.nio.file.Path.of("a", "b"))));
        assertThrows(IllegalArgumentException.class, () -> PrettyJson.bytes(Map.of("p", java.nio.file.Path.of("a"))));
        assertThrows(IllegalArgumentException.class, () -> PrettyJson.bytes(Map.of(Thread.State.NEW, 1)));
        assertThrows(IllegalArgumentException.class, () -> PrettyJson.bytes(Map.of(1.5, 1)));
        assertThrows(IllegalArgumentException.class, () -> PrettyJson.bytes(new java.util.concurrent.atomic.AtomicInteger(1)));
        assertThrows(IllegalArgumentException.class, () -> PrettyJson.bytes(new Extra(1)));
        assertEquals(true, new String(assertDoesNotThrow(() -> JSON.writeValueAsBytes(new Extra(1))), StandardCharsets.UTF_8).contains("\"b\""),
                "ObjectMapper writes the extra getter");
        assertDoesNotThrow(() -> assertEquals(new String(JSON.writeValueAsBytes(new Plain(3)), StandardCharsets.UTF_8),
                new String(PrettyJson.bytes(new Plain(3)), StandardCharsets.UTF_8), "static and non-bean methods are not properties"));
    }
}
