package dev.candela.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Maps (String or integer keys), collections, arrays, records, strings, numbers and booleans as indented JSON through Jackson's streaming
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
            case char[] c -> g.writeString(new String(c)); // ObjectMapper: a string, not an array of one-letter strings
            case byte[] b -> g.writeBinary(b); // ObjectMapper: base64 (the same default variant), not an array of numbers
            case Enum<?> e -> g.writeString(e.name());
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    g.writeFieldName(key(e.getKey()));
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            // Collections only: ObjectMapper writes other Iterables as it likes (a Path as its URI, a JsonNode as its
            // tree, a class with getters as a bean), and a Path iterates over Paths, itself included.
            case Collection<?> it -> {
                g.writeStartArray();
                for (Object o : it) write(g, o);
                g.writeEndArray();
            }
            case Record r -> {
                g.writeStartObject();
                for (RecordComponent c : components(r.getClass())) {
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

    /** A map key as ObjectMapper writes it; a null key (ObjectMapper refuses it) or any other type is refused. */
    private static String key(Object k) {
        return switch (k) {
            case String s -> s;
            case Integer i -> i.toString();
            case Long l -> l.toString();
            case null -> throw new IllegalArgumentException("no JSON form for a null map key");
            default -> throw new IllegalArgumentException("no JSON form for a map key of " + k.getClass().getName());
        };
    }

    /**
     * A record's components, when they are all ObjectMapper would write: it writes a record as a bean, so a public
     * {@code getX()} or {@code isX()} beside the components would be one more property there, and is refused here.
     */
    private static RecordComponent[] components(Class<?> type) {
        RecordComponent[] cs = type.getRecordComponents();
        Set<String> accessors = new HashSet<>();
        for (RecordComponent c : cs) accessors.add(c.getName());
        for (java.lang.reflect.Method m : type.getMethods()) {
            String n = m.getName();
            boolean getter = (n.length() > 3 && n.startsWith("get") && m.getReturnType() != void.class)
                    || (n.length() > 2 && n.startsWith("is") && (m.getReturnType() == boolean.class || m.getReturnType() == Boolean.class));
            if (getter && m.getParameterCount() == 0 && !Modifier.isStatic(m.getModifiers()) && m.getDeclaringClass() != Object.class
                    && !accessors.contains(n)) {
                throw new IllegalArgumentException("no JSON form for record " + type.getName() + ": ObjectMapper would add its " + n + "() as a property");
            }
        }
        return cs;
    }
}
