package dev.candela.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.candela.graph.Add;
import dev.candela.graph.AvgPool2d;
import dev.candela.graph.BatchNorm2d;
import dev.candela.graph.ChannelAffine;
import dev.candela.graph.ElementAffine;
import dev.candela.graph.Clip;
import dev.candela.graph.Concat;
import dev.candela.graph.Conv2d;
import dev.candela.graph.ConvTranspose2d;
import dev.candela.graph.Flatten;
import dev.candela.graph.GlobalAvgPool;
import dev.candela.graph.Identity;
import dev.candela.graph.LeakyRelu;
import dev.candela.graph.Linear;
import dev.candela.graph.Lrn;
import dev.candela.graph.MaxPool2d;
import dev.candela.graph.Op;
import dev.candela.graph.Relu;
import dev.candela.graph.Reshape;
import dev.candela.graph.Softmax;
import dev.candela.graph.Transpose;
import dev.candela.graph.Pointwise;
import dev.candela.graph.Mul;
import dev.candela.graph.Slice;
import dev.candela.graph.Pad2d;
import dev.candela.graph.LayerNorm;
import dev.candela.graph.Resize2d;
import dev.candela.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The attribute part of each op in a .cnd header: how an {@link Op} becomes JSON and back. Floats are
 * written with {@link Float#toString} (which round-trips exactly) and non-finite values as the strings
 * "Infinity", "-Infinity", "NaN", since JSON has no literal for them.
 */
final class OpCodec {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private OpCodec() {}

    /** The op kinds a .cnd file may contain, with the parameter (weight) names each one takes. */
    static List<String> weightNames(String kind) {
        return switch (kind) {
            case "Conv2d", "Linear", "ConvTranspose2d" -> List.of("weight", "bias");
            case "BatchNorm2d" -> List.of("gamma", "beta", "mean", "var");
            case "ChannelAffine", "ElementAffine" -> List.of("scale", "shift");
            case "LayerNorm" -> List.of("gamma", "beta");
            case "Relu", "Clip", "LeakyRelu", "MaxPool2d", "AvgPool2d", "GlobalAvgPool", "Flatten", "Reshape",
                 "Add", "Concat", "Lrn", "Transpose", "Identity", "Softmax", "Pointwise", "Mul", "Slice", "Pad2d", "Resize2d" -> List.of();
            default -> null;
        };
    }

    static ObjectNode attributes(Op op) {
        ObjectNode a = F.objectNode();
        switch (op) {
            case Conv2d c -> {
                a.set("strides", ints(c.strides()));
                a.set("pads", ints(c.pads()));
                a.set("dilations", ints(c.dilations()));
                a.put("groups", c.groups());
            }
            case ConvTranspose2d t -> {
                a.set("strides", ints(t.strides()));
                a.set("pads", ints(t.pads()));
                a.set("dilations", ints(t.dilations()));
                a.set("outputPadding", ints(t.outputPadding()));
                a.put("groups", t.groups());
            }
            case BatchNorm2d b -> a.set("epsilon", flt(b.epsilon()));
            case ChannelAffine ca -> { }
            case ElementAffine ea -> { }
            case Relu r -> { }
            case Clip c -> {
                a.set("min", flt(c.min()));
                a.set("max", flt(c.max()));
            }
            case LeakyRelu l -> a.set("alpha", flt(l.alpha()));
            case MaxPool2d p -> {
                a.set("kernel", ints(p.kernel()));
                a.set("strides", ints(p.strides()));
                a.set("pads", ints(p.pads()));
                a.set("dilations", ints(p.dilations()));
                a.put("ceilMode", p.ceilMode());
            }
            case AvgPool2d p -> {
                a.set("kernel", ints(p.kernel()));
                a.set("strides", ints(p.strides()));
                a.set("pads", ints(p.pads()));
                a.put("ceilMode", p.ceilMode());
                a.put("countIncludePad", p.countIncludePad());
            }
            case GlobalAvgPool g -> { }
            case Flatten f -> { }
            case Reshape r -> a.set("itemShape", ints(r.itemShape()));
            case Linear l -> { }
            case Add ad -> { }
            case Concat c -> a.put("axis", c.axis());
            case Lrn l -> {
                a.put("size", l.size());
                a.set("alpha", flt(l.alpha()));
                a.set("beta", flt(l.beta()));
                a.set("bias", flt(l.bias()));
            }
            case Transpose t -> a.set("perm", ints(t.perm()));
            case Identity i -> { }
            case Softmax s -> {
                a.put("axis", s.axis());
                a.put("flattenFrom", s.flattenFrom());
            }
            case Pointwise p -> {
                a.put("fn", p.fn().name());
                a.set("alpha", flt(p.alpha()));
                a.set("beta", flt(p.beta()));
            }
            case Mul m -> { if (m.divisor() >= 0) a.put("divisor", m.divisor()); }
            case LayerNorm l -> a.set("epsilon", flt(l.epsilon()));
            case Resize2d r -> {
                a.put("outH", r.outH());
                a.put("outW", r.outW());
                a.put("mode", r.mode().name());
                a.put("coordinates", r.coordinates().name());
                a.put("nearest", r.nearest().name());
                a.set("scaleH", flt(r.scaleH()));
                a.set("scaleW", flt(r.scaleW()));
            }
            case Slice s -> {
                a.put("axis", s.axis());
                a.put("start", s.start());
                a.put("end", s.end());
            }
            case Pad2d p -> {
                a.set("pads", ints(p.pads()));
                a.set("value", flt(p.value()));
            }
        }
        return a;
    }

    /**
     * Builds an op from its kind, attributes and weights. Attribute types are checked here; value
     * contracts (positive strides, matching shapes) are the op's own and surface as IllegalArgumentException.
     */
    static Op decode(String kind, Attrs a, Map<String, Tensor> w) throws ModelFormatException {
        return switch (kind) {
            case "Conv2d" -> new Conv2d(w.get("weight"), w.get("bias"), a.ints("strides", 2), a.ints("pads", 4), a.ints("dilations", 2), a.integer("groups"));
            case "ConvTranspose2d" -> new ConvTranspose2d(w.get("weight"), w.get("bias"), a.ints("strides", 2), a.ints("pads", 4), a.ints("dilations", 2), a.ints("outputPadding", 2), a.integer("groups"));
            case "BatchNorm2d" -> new BatchNorm2d(w.get("gamma"), w.get("beta"), w.get("mean"), w.get("var"), a.flt("epsilon"));
            case "ChannelAffine" -> new ChannelAffine(w.get("scale"), w.get("shift"));
            case "ElementAffine" -> new ElementAffine(w.get("scale"), w.get("shift"));
            case "Relu" -> new Relu();
            case "Clip" -> new Clip(a.flt("min"), a.flt("max"));
            case "LeakyRelu" -> new LeakyRelu(a.flt("alpha"));
            case "MaxPool2d" -> new MaxPool2d(a.ints("kernel", 2), a.ints("strides", 2), a.ints("pads", 4), a.ints("dilations", 2), a.bool("ceilMode"));
            case "AvgPool2d" -> new AvgPool2d(a.ints("kernel", 2), a.ints("strides", 2), a.ints("pads", 4), a.bool("ceilMode"), a.bool("countIncludePad"));
            case "GlobalAvgPool" -> new GlobalAvgPool();
            case "Flatten" -> new Flatten();
            case "Reshape" -> new Reshape(a.ints("itemShape", -1));
            case "Linear" -> new Linear(w.get("weight"), w.get("bias"));
            case "Add" -> new Add();
            case "Concat" -> new Concat(a.integer("axis"));
            case "Lrn" -> new Lrn(a.integer("size"), a.flt("alpha"), a.flt("beta"), a.flt("bias"));
            case "Transpose" -> new Transpose(a.ints("perm", -1));
            case "Identity" -> new Identity();
            case "Softmax" -> new Softmax(a.integer("axis"), a.bool("flattenFrom"));
            case "Pointwise" -> new Pointwise(pointwiseFn(a), a.flt("alpha"), a.flt("beta"));
            case "Mul" -> new Mul(a.has("divisor") ? a.integer("divisor") : -1);
            case "Resize2d" -> new Resize2d(a.integer("outH"), a.integer("outW"), named(a, "mode", Resize2d.Mode.values()),
                    named(a, "coordinates", Resize2d.Coordinates.values()), named(a, "nearest", Resize2d.Nearest.values()),
                    a.flt("scaleH"), a.flt("scaleW"));
            case "LayerNorm" -> new LayerNorm(w.get("gamma"), w.get("beta"), a.flt("epsilon"));
            case "Slice" -> new Slice(a.integer("axis"), a.integer("start"), a.integer("end"));
            case "Pad2d" -> new Pad2d(a.ints("pads", 4), a.flt("value"));
            default -> throw a.error("op", "unknown op kind '" + kind + "'");
        };
    }

    private static <E extends Enum<E>> E named(Attrs a, String field, E[] values) throws ModelFormatException {
        String t = a.text(field);
        for (E e : values) if (e.name().equals(t)) return e;
        throw a.error(field, "unknown value; known: " + java.util.Arrays.toString(values));
    }

    private static Pointwise.Fn pointwiseFn(Attrs a) throws ModelFormatException {
        String fn = a.text("fn");
        for (Pointwise.Fn f : Pointwise.Fn.values()) if (f.name().equals(fn)) return f;
        throw a.error("fn", "unknown pointwise function '" + Attrs.abbreviate(com.fasterxml.jackson.databind.node.TextNode.valueOf(fn)) + "'; known: " + java.util.Arrays.toString(Pointwise.Fn.values()));
    }

    static ArrayNode ints(int[] v) {
        ArrayNode n = F.arrayNode();
        for (int x : v) n.add(x);
        return n;
    }

    static JsonNode flt(float v) {
        if (Float.isFinite(v)) return F.numberNode(new java.math.BigDecimal(Float.toString(v)));
        return F.textNode(Float.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
    }

    static float parseFloat(JsonNode n) {
        if (n.isTextual()) {
            return switch (n.asText()) {
                case "Infinity" -> Float.POSITIVE_INFINITY;
                case "-Infinity" -> Float.NEGATIVE_INFINITY;
                case "NaN" -> Float.NaN;
                default -> throw new NumberFormatException(n.asText());
            };
        }
        if (!n.isNumber()) throw new NumberFormatException(n.toString());
        // Through the decimal text, not a double: decimal -> float directly is correctly rounded.
        return Float.parseFloat(n.isBigDecimal() ? n.decimalValue().toString() : n.asText());
    }

    /** Typed access to one JSON object, with errors naming the field path. */
    static final class Attrs {
        private final Path file;
        private final String where;
        private final JsonNode node;

        Attrs(Path file, String where, JsonNode node) {
            this.file = file;
            this.where = where;
            this.node = node;
        }

        ModelFormatException error(String field, String expected) {
            return new ModelFormatException(file, where + "." + field, expected);
        }

        JsonNode get(String field) throws ModelFormatException {
            JsonNode v = node == null ? null : node.get(field);
            if (v == null || v.isNull()) throw error(field, "missing (expected a value)");
            return v;
        }

        int integer(String field) throws ModelFormatException {
            JsonNode v = get(field);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) throw error(field, "expected a 32-bit integer, got " + abbreviate(v));
            return v.intValue();
        }

        long longValue(String field) throws ModelFormatException {
            JsonNode v = get(field);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) throw error(field, "expected a 64-bit integer, got " + abbreviate(v));
            return v.longValue();
        }

        boolean bool(String field) throws ModelFormatException {
            JsonNode v = get(field);
            if (!v.isBoolean()) throw error(field, "expected true or false, got " + abbreviate(v));
            return v.booleanValue();
        }

        String text(String field) throws ModelFormatException {
            JsonNode v = get(field);
            if (!v.isTextual()) throw error(field, "expected a string, got " + abbreviate(v));
            return v.textValue();
        }

        float flt(String field) throws ModelFormatException {
            JsonNode v = get(field);
            try {
                return parseFloat(v);
            } catch (NumberFormatException e) {
                throw error(field, "expected a number (or \"Infinity\", \"-Infinity\", \"NaN\"), got " + abbreviate(v));
            }
        }

        /** An int array; {@code length} < 0 accepts any length up to 64. */
        int[] ints(String field, int length) throws ModelFormatException {
            JsonNode v = get(field);
            if (!v.isArray()) throw error(field, "expected an array of integers, got " + abbreviate(v));
            if (length >= 0 && v.size() != length) throw error(field, "expected " + length + " integers, got " + v.size());
            if (v.size() > 64) throw error(field, "expected at most 64 integers, got " + v.size());
            int[] out = new int[v.size()];
            for (int i = 0; i < out.length; i++) {
                JsonNode e = v.get(i);
                if (!e.isIntegralNumber() || !e.canConvertToInt()) throw error(field + "[" + i + "]", "expected a 32-bit integer, got " + abbreviate(e));
                out[i] = e.intValue();
            }
            return out;
        }

        float[] floats(String field) throws ModelFormatException {
            JsonNode v = get(field);
            if (!v.isArray() || v.size() > 1 << 16) throw error(field, "expected an array of numbers, got " + abbreviate(v));
            float[] out = new float[v.size()];
            for (int i = 0; i < out.length; i++) {
                try {
                    out[i] = parseFloat(v.get(i));
                } catch (NumberFormatException e) {
                    throw error(field + "[" + i + "]", "expected a number, got " + abbreviate(v.get(i)));
                }
            }
            return out;
        }

        boolean has(String field) {
            return node != null && node.has(field) && !node.get(field).isNull();
        }

        static String abbreviate(JsonNode v) {
            String s = v.toString();
            return s.length() > 60 ? s.substring(0, 57) + "..." : s;
        }
    }
}
