package dev.candela.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * JSON text to a {@link JsonNode} tree through Jackson's streaming parser: the tree {@code ObjectMapper.readTree}
 * built for the .cnd header (fractional numbers as BigDecimal, so a float's decimal text converts to it directly;
 * duplicate keys and trailing tokens refused; nesting and number length bounded) without an ObjectMapper, whose
 * class initialisation (date formats, serializer caches) was about 40 ms of a one-image {@code candela explain}.
 */
final class JsonTree {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxNumberLength(64).build())
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonTree() {}

    /** The tree of {@code text}; a missing node for empty text (as readTree). */
    static JsonNode read(String text) throws JsonProcessingException {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) return MissingNode.getInstance();
            JsonNode root = value(p, first);
            JsonToken trailing = p.nextToken();
            if (trailing != null) throw new JsonParseException(p, "Trailing token (of type " + trailing + ") found after value");
            return root;
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a String source has no I/O
        }
    }

    /** As readTree normalises decimals (Jackson's STRIP_TRAILING_BIGDECIMAL_ZEROES, on by default): 1.500 is 1.5, -0.0 is 0. */
    private static java.math.BigDecimal stripped(java.math.BigDecimal v) {
        try {
            return v.stripTrailingZeros();
        } catch (ArithmeticException e) { // a scale beyond int range: kept as written
            return v;
        }
    }

    private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName();
                    JsonNode v = value(p, p.nextToken());
                    if (o.putIfAbsent(name, v) != null) throw new JsonParseException(p, "Duplicate field '" + name + "'");
                }
                yield o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) a.add(value(p, e));
                yield a;
            }
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> NODES.numberNode(p.getIntValue());
                case LONG -> NODES.numberNode(p.getLongValue());
                default -> NODES.numberNode(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(stripped(p.getDecimalValue()));
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new JsonParseException(p, "Unexpected token " + t);
        };
    }
}
