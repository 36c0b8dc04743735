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

    /**
     * A number's node. Jackson converts the text lazily and reports an exponent beyond BigDecimal's range
     * (1e-2147483648, 1e99999999999999999999) as a NumberFormatException, which readTree let escape as well; here
     * it is a parse error, so the header's refusal reads "expected JSON" like every other malformed text.
     */
    private static JsonNode number(JsonParser p, JsonToken t) throws IOException {
        try {
            if (t == JsonToken.VALUE_NUMBER_FLOAT) return NODES.numberNode(stripped(p.getDecimalValue()));
            return switch (p.getNumberType()) {
                case INT -> NODES.numberNode(p.getIntValue());
                case LONG -> NODES.numberNode(p.getLongValue());
                default -> NODES.numberNode(p.getBigIntegerValue());
            };
        } catch (NumberFormatException e) {
            String reason = String.valueOf(e.getMessage()); // Jackson's message repeats the whole text; keep the JDK's reason
            int r = reason.lastIndexOf("reason:");
            throw new JsonParseException(p, "Malformed number " + quoted(p.getText()) + ": " + (r < 0 ? quoted(reason) : reason.substring(r + 7).strip()), e);
        }
    }

    /** {@code s} in single quotes on one line: at most 60 characters, control characters escaped (a hostile key or number). */
    private static String quoted(String s) {
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < s.length() && i < 60; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append(s.length() > 60 ? "...' (" + s.length() + " characters)" : "'").toString();
    }

    private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName();
                    JsonNode v = value(p, p.nextToken());
                    if (o.putIfAbsent(name, v) != null) throw new JsonParseException(p, "Duplicate field " + quoted(name));
                }
                yield o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) a.add(value(p, e));
                yield a;
            }
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> number(p, t);
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new JsonParseException(p, "Unexpected token " + t);
        };
    }
}
