package dev.candela.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

/**
 * Maps, lists, arrays, records, strings, numbers and booleans as indented JSON through Jackson's streaming
 * generator: the bytes {@code new ObjectMapper().enable(INDENT_OUTPUT).writeValueAsBytes(value)} gives for these
 * types (PrettyJsonTest compares them on every method's manifest), without an ObjectMapper, whose class
 * initialisation and serializer lookups were about 30 ms of a one-image {@code candela explain}. Any other type is
 * refused, so a manifest cannot silently change shape.
 */
public final class PrettyJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private PrettyJson() {}

    /** {@code value} as UTF-8 JSON, two-space indented. */
    public static byte[] bytes(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case Short s -> g.writeNumber(s);
            case Byte b -> g.writeNumber(b);
            case Double d -> g.writeNumber(d);
            case Float f -> g.writeNumber(f);
            case BigDecimal d -> g.writeNumber(d);
            case BigInteger i -> g.writeNumber(i);
            case Character c -> g.writeString(c.toString());
            case Enum<?> e -> g.writeString(e.name());
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    g.writeFieldName(String.valueOf(e.getKey()));
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case Iterable<?> it -> {
                g.writeStartArray();
                for (Object o : it) write(g, o);
                g.writeEndArray();
            }
            case Record r -> {
                g.writeStartObject();
                for (RecordComponent c : r.getClass().getRecordComponents()) {
                    g.writeFieldName(c.getName());
                    try {
                        c.getAccessor().setAccessible(true);
                        write(g, c.getAccessor().invoke(r));
                    } catch (IllegalAccessException | InvocationTargetException e) {
                        throw new IllegalStateException("record " + r.getClass().getName() + "." + c.getName() + ": " + e, e);
                    }
                }
                g.writeEndObject();
            }
            default -> {
                if (!v.getClass().isArray()) throw new IllegalArgumentException("no JSON form for " + v.getClass().getName());
                g.writeStartArray();
                for (int i = 0, n = Array.getLength(v); i < n; i++) write(g, Array.get(v, i));
                g.writeEndArray();
            }
        }
    }
}
