package dev.candela.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.candela.graph.Graph;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.graph.Op;
import dev.candela.graph.Preprocessing;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Reads a .cnd file. Everything the header claims is checked against the file before anything is
 * allocated for it: the header length against the file length, every tensor's shape against
 * {@link Shape#MAX_ELEMENTS} and its byte range against the data section; then CRCs, op attributes
 * (the op's own contract), and the graph (acyclic, every input defined, shapes consistent).
 */
public final class CndReader {
    private CndReader() {}

    /** True when the file starts with the .cnd magic. */
    public static boolean hasMagic(Path file) throws IOException {
        ModelFiles.requireRegular(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4);
            while (b.hasRemaining() && ch.read(b) >= 0) { }
            return !b.hasRemaining() && Arrays.equals(b.array(), CndLayout.MAGIC);
        }
    }

    public static Model read(Path file) throws IOException {
        ModelFiles.requireRegular(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return new CndReader.Session(file, ch).read();
        }
    }

    private record TableEntry(String name, Shape shape, long offset, long byteLength, long crc) {}

    private static final class Session {
        private final Path file;
        private final FileChannel ch;
        private final long size;

        Session(Path file, FileChannel ch) throws IOException {
            this.file = file;
            this.ch = ch;
            this.size = ch.size();
        }

        ModelFormatException error(String field, String message) {
            return new ModelFormatException(file, field, message);
        }

        Model read() throws IOException {
            if (size < CndLayout.PREAMBLE) throw error("file length", "expected at least " + CndLayout.PREAMBLE + " bytes (magic, version, header length), file has " + size);
            ByteBuffer pre = readAt(0, CndLayout.PREAMBLE).order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[4];
            pre.get(magic);
            if (!Arrays.equals(magic, CndLayout.MAGIC)) throw error("magic", "expected \"CNDL\" (a Candela model file), got bytes " + Arrays.toString(magic));
            long version = Integer.toUnsignedLong(pre.getInt());
            if (version != CndLayout.VERSION) throw error("format version", "expected " + CndLayout.VERSION + ", got " + version);
            long headerLength = Integer.toUnsignedLong(pre.getInt());
            if (headerLength > size - CndLayout.PREAMBLE - 4) throw error("header length", "claims " + headerLength + " bytes but the file has only " + (size - CndLayout.PREAMBLE) + " after the preamble (header + 4-byte CRC32 expected)");
            long maxHeader = Math.min(CndLayout.MAX_HEADER_BYTES, dev.candela.io.Limits.maxHeaderBytes());
            if (headerLength > maxHeader) throw error("header length", "claims " + headerLength + " bytes, more than the limit of " + maxHeader + " (candela.maxHeaderBytes)");
            if (headerLength == 0) throw error("header length", "expected a JSON header, got length 0");
            ByteBuffer headerBytes = readAt(CndLayout.PREAMBLE, (int) headerLength);
            long headerCrc = Integer.toUnsignedLong(readAt(CndLayout.PREAMBLE + headerLength, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
            CRC32 hc = new CRC32();
            hc.update(headerBytes.duplicate());
            if (hc.getValue() != headerCrc) throw error("header crc32", String.format("expected %d (stored after the header), the header has %d (file corrupted)", headerCrc, hc.getValue()));
            JsonNode root = parseHeader(headerBytes);
            long dataStart = CndLayout.dataStart(headerLength);
            if (dataStart > size) throw error("file length", "expected at least " + dataStart + " bytes (header and padding), file has " + size);

            OpCodec.Attrs top = new OpCodec.Attrs(file, "header", root);
            if (!root.isObject()) throw error("header", "expected a JSON object");
            if (!"candela-model".equals(top.text("format"))) throw error("header.format", "expected \"candela-model\"");

            // 1. The tensor table, all checked before any tensor is read.
            Map<String, TableEntry> table = tensorTable(top.get("tensors"), dataStart, CndLayout.PREAMBLE + headerLength + 4);

            // 2. The metadata (input name and shape are needed to build the graph).
            OpCodec.Attrs meta = new OpCodec.Attrs(file, "metadata", top.get("metadata"));
            OpCodec.Attrs input = new OpCodec.Attrs(file, "metadata.input", meta.get("input"));
            String inputName = input.text("name");
            Shape inputShape = shape(input, "shape");
            for (int d : inputShape.dims()) if (d < 1) throw error("metadata.input.shape", "expected positive dimensions, got " + inputShape);
            Preprocessing pre2 = preprocessing(new OpCodec.Attrs(file, "metadata.preprocessing", meta.get("preprocessing")));
            List<String> labels = strings(meta.get("labels"), "metadata.labels");
            Map<String, String> source = new LinkedHashMap<>();
            JsonNode src = meta.get("source");
            if (!src.isObject()) throw error("metadata.source", "expected an object of strings");
            for (Map.Entry<String, JsonNode> e : src.properties()) {
                if (!e.getValue().isTextual()) throw error("metadata.source." + e.getKey(), "expected a string");
                source.put(e.getKey(), e.getValue().textValue());
            }

            // 3. Nodes: structure and weight references first, then the data (CRC-checked), then the ops.
            OpCodec.Attrs graphAttrs = new OpCodec.Attrs(file, "graph", top.get("graph"));
            String output = graphAttrs.text("output");
            JsonNode jnodes = graphAttrs.get("nodes");
            if (!jnodes.isArray()) throw error("graph.nodes", "expected an array");
            Map<String, Tensor> loaded = new HashMap<>();
            List<Node> nodes = new ArrayList<>();
            for (int i = 0; i < jnodes.size(); i++) {
                JsonNode jn = jnodes.get(i);
                String where = "graph.nodes[" + i + "]";
                if (!jn.isObject()) throw error(where, "expected an object");
                OpCodec.Attrs na = new OpCodec.Attrs(file, where, jn);
                String name = na.text("name");
                where = "graph.nodes[" + i + "] '" + name + "'";
                na = new OpCodec.Attrs(file, where, jn);
                String kind = na.text("op");
                List<String> expected = OpCodec.weightNames(kind);
                if (expected == null) throw error(where + ".op", "unknown op kind '" + kind + "'");
                List<String> inputs = strings(na.get("inputs"), where + ".inputs");
                String out = na.text("output");
                JsonNode jw = na.get("weights");
                if (!jw.isObject()) throw error(where + ".weights", "expected an object mapping parameter names to tensor names");
                Set<String> given = new HashSet<>();
                jw.fieldNames().forEachRemaining(given::add);
                if (!given.equals(new HashSet<>(expected))) throw error(where + ".weights", "op " + kind + " takes parameters " + expected + ", got " + given);
                Map<String, Tensor> weights = new HashMap<>();
                OpCodec.Attrs wa = new OpCodec.Attrs(file, where + ".weights", jw);
                for (String p : expected) {
                    String tname = wa.text(p);
                    TableEntry te = table.get(tname);
                    if (te == null) throw error(where + ".weights." + p, "refers to tensor '" + tname + "' that is not in the tensor table");
                    Tensor t = loaded.get(tname);
                    if (t == null) {
                        t = load(te);
                        loaded.put(tname, t);
                    }
                    weights.put(p, t);
                }
                JsonNode attrs = na.get("attributes");
                if (!attrs.isObject()) throw error(where + ".attributes", "expected an object");
                Op op;
                try {
                    op = OpCodec.decode(kind, new OpCodec.Attrs(file, where + ".attributes", attrs), weights);
                } catch (IllegalArgumentException e) {
                    throw error(where + " (" + kind + ")", "violates the op's contract: " + e.getMessage());
                }
                try {
                    nodes.add(new Node(name, op, inputs, out));
                } catch (IllegalArgumentException e) {
                    throw error(where, e.getMessage());
                }
            }
            Graph graph;
            try {
                graph = new Graph(inputName, inputShape, nodes, output);
            } catch (IllegalArgumentException e) {
                throw error("graph", e.getMessage());
            }
            return ModelChecks.check(file, new Model(graph, pre2, labels, source));
        }

        private JsonNode parseHeader(ByteBuffer b) throws ModelFormatException {
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(b).toString();
            } catch (CharacterCodingException e) {
                throw error("header", "expected UTF-8 text: " + e.getMessage());
            }
            try {
                return JsonTree.read(text);
            } catch (JsonProcessingException e) {
                throw error("header", "expected JSON: " + e.getOriginalMessage());
            }
        }

        private Map<String, TableEntry> tensorTable(JsonNode jt, long dataStart, long headerEnd) throws IOException {
            if (!jt.isArray()) throw error("tensors", "expected an array");
            long dataSize = size - dataStart;
            Map<String, TableEntry> table = new LinkedHashMap<>();
            for (int i = 0; i < jt.size(); i++) {
                String where = "tensors[" + i + "]";
                if (!jt.get(i).isObject()) throw error(where, "expected an object");
                OpCodec.Attrs a = new OpCodec.Attrs(file, where, jt.get(i));
                String name = a.text("name");
                where = "tensors[" + i + "] '" + name + "'";
                a = new OpCodec.Attrs(file, where, jt.get(i));
                if (!"float32".equals(a.text("dtype"))) throw error(where + ".dtype", "expected \"float32\", got \"" + a.text("dtype") + "\"");
                JsonNode js = a.get("shape");
                if (!js.isArray() || js.size() > 8) throw error(where + ".shape", "expected an array of at most 8 dimensions");
                long elements = 1;
                int[] dims = new int[js.size()];
                for (int d = 0; d < dims.length; d++) {
                    JsonNode e = js.get(d);
                    if (!e.isIntegralNumber() || !e.canConvertToLong()) throw error(where + ".shape[" + d + "]", "expected an integer, got " + e);
                    long v = e.longValue();
                    if (v < 0) throw error(where + ".shape[" + d + "]", "expected a non-negative dimension, got " + v);
                    if (v > Integer.MAX_VALUE) throw error(where + ".shape[" + d + "]", "dimension " + v + " exceeds 2^31-1");
                    dims[d] = (int) v;
                    if (v == 0) elements = 0;
                    else elements = elements > Long.MAX_VALUE / v ? Long.MAX_VALUE : elements * v;
                }
                // One tensor is read through one byte buffer, so its bytes must fit a Java array.
                long maxElements = (Integer.MAX_VALUE - 8) / 4;
                if (elements > maxElements) throw error(where + ".shape", "claims " + elements + " elements, more than the limit of " + maxElements + " per tensor");
                long offset = a.longValue("offset");
                long byteLength = a.longValue("byteLength");
                long crc = a.longValue("crc32");
                if (byteLength != 4 * elements) throw error(where + ".byteLength", "expected " + 4 * elements + " (4 bytes x " + elements + " elements), got " + byteLength);
                if (offset < 0 || offset % CndLayout.ALIGN != 0) throw error(where + ".offset", "expected a non-negative multiple of " + CndLayout.ALIGN + ", got " + offset);
                if (offset > dataSize || byteLength > dataSize - offset) throw error(where + ".offset", "bytes [" + offset + ", " + (offset + byteLength) + ") of the data section lie outside the file (data section has " + Math.max(0, dataSize) + " bytes)");
                if (crc < 0 || crc > 0xffffffffL) throw error(where + ".crc32", "expected an unsigned 32-bit value, got " + crc);
                if (table.put(name, new TableEntry(name, Shape.of(dims), dataStart + offset, byteLength, crc)) != null) throw error(where + ".name", "duplicate tensor name");
            }
            // Overlaps, non-zero padding or bytes after the last tensor all mean a corrupt or altered file.
            List<TableEntry> sorted = new ArrayList<>(table.values());
            sorted.sort((x, y) -> Long.compare(x.offset(), y.offset()));
            for (int i = 0; i < sorted.size(); i++) {
                TableEntry q = sorted.get(i);
                if (i > 0) {
                    TableEntry p = sorted.get(i - 1);
                    if (p.offset() + p.byteLength() > q.offset()) throw error("tensors '" + q.name() + "'.offset", "overlaps tensor '" + p.name() + "'");
                }
            }
            long expectedSize = dataStart;
            for (TableEntry e : sorted) expectedSize = Math.max(expectedSize, e.offset() + e.byteLength());
            if (size != expectedSize) throw error("file length", "expected " + expectedSize + " bytes (end of the last tensor), file has " + size);
            long cursor = headerEnd;
            for (TableEntry e : sorted) {
                zeroPadding(cursor, e.offset());
                cursor = e.offset() + e.byteLength();
            }
            zeroPadding(cursor, Math.max(cursor, dataStart));
            return table;
        }

        /** Alignment padding must be zero bytes, so that no bit of the file goes unchecked. */
        private void zeroPadding(long from, long to) throws IOException {
            if (to - from > 1 << 16) throw error("tensors", "unexpected gap of " + (to - from) + " bytes at offset " + from + " (the writer packs tensors with alignment padding only)");
            ByteBuffer b = readAt(from, (int) (to - from));
            while (b.hasRemaining()) {
                if (b.get() != 0) throw error("padding", "expected zero bytes between offsets " + from + " and " + to + ", found a non-zero byte at " + (from + b.position() - 1));
            }
        }

        private Tensor load(TableEntry te) throws IOException {
            ByteBuffer b = readAt(te.offset(), (int) te.byteLength());
            CRC32 c = new CRC32();
            c.update(b.duplicate());
            if (c.getValue() != te.crc()) throw error("tensors '" + te.name() + "'.crc32", String.format("expected %d, the data has %d (file corrupted)", te.crc(), c.getValue()));
            float[] d = new float[te.shape().size()];
            b.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(d);
            return new Tensor(te.shape(), d);
        }

        private ByteBuffer readAt(long pos, int length) throws IOException {
            if (pos < 0 || pos + length > size) throw error("file length", "expected " + length + " bytes at offset " + pos + ", file has " + size);
            ByteBuffer b = ByteBuffer.allocate(length);
            while (b.hasRemaining()) {
                int r = ch.read(b, pos + b.position());
                if (r < 0) throw error("file length", "file ended at " + (pos + b.position()) + " while reading " + length + " bytes at " + pos);
            }
            return b.flip();
        }

        private Shape shape(OpCodec.Attrs a, String field) throws ModelFormatException {
            int[] d = a.ints(field, -1);
            for (int v : d) if (v < 0) throw a.error(field, "expected non-negative dimensions, got " + Arrays.toString(d));
            if (Shape.product(d) > Shape.MAX_ELEMENTS) throw a.error(field, "shape " + Arrays.toString(d) + " has more than " + Shape.MAX_ELEMENTS + " elements");
            return Shape.of(d);
        }

        private List<String> strings(JsonNode n, String where) throws ModelFormatException {
            if (!n.isArray()) throw error(where, "expected an array of strings");
            List<String> out = new ArrayList<>(n.size());
            for (int i = 0; i < n.size(); i++) {
                if (!n.get(i).isTextual()) throw error(where + "[" + i + "]", "expected a string, got " + OpCodec.Attrs.abbreviate(n.get(i)));
                out.add(n.get(i).textValue());
            }
            return out;
        }

        private Preprocessing preprocessing(OpCodec.Attrs a) throws ModelFormatException {
            int resize = a.integer("resize");
            boolean crop = a.bool("centerCrop");
            float[] mean = a.has("mean") ? a.floats("mean") : null;
            float[] std = a.has("std") ? a.floats("std") : null;
            float scale = a.flt("scale"), offset = a.flt("offset");
            String order = a.text("channelOrder");
            // files written before these fields existed: bilinear without antialiasing, ICC profiles ignored
            String interpolation = a.has("interpolation") ? a.text("interpolation") : Preprocessing.BILINEAR;
            String icc = a.has("iccProfile") ? a.text("iccProfile") : Preprocessing.ICC_IGNORE;
            if (resize < 0) throw a.error("resize", "expected >= 0, got " + resize);
            Preprocessing p;
            try {
                p = new Preprocessing(resize, crop, mean, std, scale, offset, order, interpolation, icc);
            } catch (IllegalArgumentException e) {
                throw error("metadata.preprocessing", e.getMessage());
            }
            if (a.has("geometry") && !a.text("geometry").equals(p.geometry())) {
                throw a.error("geometry", "'" + a.text("geometry") + "' does not match resize " + resize + " and centerCrop " + crop + " ('" + p.geometry() + "')");
            }
            return p;
        }
    }
}
