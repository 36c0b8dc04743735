package dev.candela.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The .cnd header is read by JsonTree, not ObjectMapper (start-up): the same tree as the ObjectMapper that read
 * every earlier header (BigDecimal floats, duplicate keys, trailing tokens, nesting and number limits), on the
 * shipped models' headers and on hostile texts.
 */
class JsonTreeTest {
    private static final ObjectMapper OLD = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxNumberLength(64).build())
            .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Test
    void theShippedModelsHeadersGiveObjectMappersTree() throws Exception {
        List<Path> models;
        try (Stream<Path> s = Files.list(Path.of("weights"))) {
            models = s.filter(p -> p.toString().endsWith(".cnd")).sorted().toList();
        }
        assertTrue(models.size() >= 2, "shipped models: " + models);
        for (Path m : models) {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(m)).order(ByteOrder.LITTLE_ENDIAN);
            int length = b.getInt(8);
            String header = new String(b.array(), CndLayout.PREAMBLE, length, StandardCharsets.UTF_8);
            JsonNode expected = OLD.readTree(header), actual = JsonTree.read(header);
            assertEquals(expected, actual, m.toString());
            assertEquals(expected.toString(), actual.toString(), m + " (number forms)");
        }
    }

    @Test
    void everyKindOfValueGivesTheSameNodes() throws Exception {
        for (String text : List.of("{\"a\":1,\"b\":-2147483649,\"c\":123456789012345678901234567890,\"d\":0.10,\"e\":1e-45,\"f\":-0.0,"
                        + "\"g\":3.4028235E38,\"h\":\"x\\u00e9\\n\",\"i\":[true,false,null,[],{}],\"j\":1.500}",
                "[1, 2.0, \"3\"]", "\"top\"", "42", "  {\"nested\": {\"deeper\": [[[1]]]}}  ")) {
            JsonNode expected = OLD.readTree(text), actual = JsonTree.read(text);
            assertEquals(expected, actual, text);
            assertEquals(expected.toString(), actual.toString(), text);
        }
        assertEquals(OLD.readTree(""), JsonTree.read(""), "empty text: a missing node");
    }

    @Test
    void whatObjectMapperRefusedIsRefused() {
        String deep = "[".repeat(65) + "]".repeat(65);
        for (String text : List.of("{\"a\":1,\"a\":2}", "{\"a\":1} {}", "{\"a\":1}]", "[1,]", "{\"a\":", "{'a':1}", "[NaN]",
                deep, "[" + "9".repeat(65) + "]", "[0." + "1".repeat(70) + "]", "{\"a\":1")) {
            assertThrows(JsonProcessingException.class, () -> OLD.readTree(text), "the old reader accepted " + text);
            assertThrows(JsonProcessingException.class, () -> JsonTree.read(text), text);
        }
    }

    /**
     * Hostile texts (numbers at BigDecimal's limits, where stripTrailingZeros overflows the scale; nesting at the
     * limit in arrays, objects and both; NUL and control characters; lone surrogates; keys equal after escapes or
     * repeated at other depths; leading zeros, NaN, comments, a BOM; 20 M character strings): the old reader's tree,
     * or a JsonProcessingException where the old reader refused (it let exponent overflow escape as a
     * NumberFormatException; CndReader now reports that as "expected JSON" too). Each read within 5 s (no hang).
     */
    @Test
    void hostileTextsGiveTheOldTreeOrTheOldRefusal() throws Exception {
        List<String> texts = new ArrayList<>(List.of(
                "[1e999999999]", "[1e-999999999]", "[10e2147483647]", "[100e2147483647]", "[1e2147483647]", "[1e2147483648]",
                "[100e-2147483647]", "[1e-2147483648]", "[1e-2147483649]", "[10e-2147483648]", "[0e999999999]", "[0.0e2147483647]",
                "[-0e-5]", "[-0.0]", "[-0]", "[1e99999999999999999999]", "[1e-99999999999999999999]", "[1E+5]", "[1e" + "1".repeat(62) + "]",
                "[1e" + "0".repeat(300) + "1]", "[" + "9".repeat(64) + "]", "[-" + "9".repeat(64) + "]", "[0." + "1".repeat(64) + "]",
                "[1." + "0".repeat(62) + "e5]", "[" + "1".repeat(30) + "." + "1".repeat(30) + "e" + "9".repeat(9) + "]",
                "[01]", "[-01]", "[00]", "[-]", "[1.]", "[.5]", "[+1]", "[NaN]", "[Infinity]", "[-Infinity]", "[1e]",
                "{\"a\":1,\"\\u0061\":2}", "{\"a\":{\"a\":1}}", "{\"a\":{\"b\":1},\"a\":2}", "{\"a\":[{\"a\":1}],\"b\":{\"a\":{\"a\":2}}}",
                "{\"\\u0000\":\"\\u0000\"}", "[\"\u0000\"]", "[\"\u001f\"]", "[\"\\ud800\"]", "[\"\\udc00\\ud800\"]",
                "{\"\\ud800\":1}", "{\"\\ud800\\udc00\":1,\"\ud800\udc00\":2}", "\u0000", "[1]\u0000", "/* c */ [1]", "[1] // c",
                "\uFEFF[1]", "[\"\\x41\"]", "[\"\\/\"]", "{1:2}", "{\"a\":1,}", "1 2", "[1]]", "  ", "null"));
        for (int d : new int[]{63, 64, 65}) {
            texts.add("[".repeat(d) + "]".repeat(d));
            texts.add("{\"a\":".repeat(d) + "1" + "}".repeat(d));
            texts.add("{\"a\":".repeat(d - 1) + "[]" + "}".repeat(d - 1));
            texts.add("[{\"a\":".repeat(d / 2) + "[]" + "}]".repeat(d / 2));
        }
        texts.add("[" + "[".repeat(100_000) + "]".repeat(100_000) + "]");
        texts.add("{\"a\":" .repeat(100_000) + "1" + "}".repeat(100_000));
        texts.add("[\"" + "x".repeat(20_000_001) + "\"]");
        texts.add("[\"" + "\\u0000".repeat(1_000_000) + "\"]");
        texts.add("{\"" + "k".repeat(50_001) + "\":1}");
        for (String text : texts) {
            String label = text.length() > 80 ? text.substring(0, 80) + "... (" + text.length() + " chars)" : text;
            JsonNode expected = null;
            Exception refused = null;
            try {
                expected = OLD.readTree(text);
            } catch (Exception e) {
                refused = e;
            }
            long t0 = System.nanoTime();
            if (refused == null) {
                JsonNode actual = JsonTree.read(text);
                assertEquals(expected, actual, label);
                assertEquals(expected.toString(), actual.toString(), label + " (number forms)");
            } else {
                JsonProcessingException e = assertThrows(JsonProcessingException.class, () -> JsonTree.read(text),
                        label + " (the old reader refused it: " + refused + ")");
                assertFalse(e.getOriginalMessage().contains("\n"), label + ": one line, got " + e.getOriginalMessage());
            }
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L, label + ": took " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
    }

    @Test
    void refusalsNameTheOffenderOnOneShortLine() {
        JsonProcessingException dup = assertThrows(JsonProcessingException.class,
                () -> JsonTree.read("{\"line\\nbreak" + "x".repeat(1000) + "\":1,\"line\\u000abreak" + "x".repeat(1000) + "\":2}"));
        assertTrue(dup.getOriginalMessage().startsWith("Duplicate field 'line\\u000abreak"), dup.getOriginalMessage());
        assertTrue(dup.getOriginalMessage().length() < 120, dup.getOriginalMessage());
        JsonProcessingException big = assertThrows(JsonProcessingException.class, () -> JsonTree.read("{\"a\":[1e-2147483648]}"));
        assertEquals("Malformed number '1e-2147483648': Exponent overflow.", big.getOriginalMessage());
    }
}
