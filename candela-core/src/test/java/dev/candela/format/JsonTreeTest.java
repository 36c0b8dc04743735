package dev.candela.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
