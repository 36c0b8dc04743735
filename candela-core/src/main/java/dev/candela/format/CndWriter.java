package dev.candela.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.candela.graph.Graph;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.graph.Preprocessing;
import dev.candela.tensor.Tensor;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/** Writes a {@link Model} as a .cnd file (format in docs/cnd-format.md). Output is deterministic. */
public final class CndWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CndWriter() {}

    public static void write(Model model, Path file) throws IOException {
        Graph g = model.graph();
        // Tensor table: one entry per distinct parameter tensor, named "<node>:<parameter>".
        record Entry(String name, Tensor tensor, long offset) {}
        List<Entry> entries = new ArrayList<>();
        Map<Tensor, String> named = new IdentityHashMap<>();
        ArrayNode nodes = JSON.createArrayNode();
        long offset = 0;
        for (Node n : g.nodes()) {
            ObjectNode jn = nodes.addObject();
            jn.put("name", n.name());
            jn.put("op", n.op().kind());
            ArrayNode in = jn.putArray("inputs");
            n.inputs().forEach(in::add);
            jn.put("output", n.output());
            jn.set("attributes", OpCodec.attributes(n.op()));
            ObjectNode w = jn.putObject("weights");
            for (Map.Entry<String, Tensor> p : n.op().parameters().entrySet()) {
                String name = named.get(p.getValue());
                if (name == null) {
                    name = n.name() + ":" + p.getKey();
                    named.put(p.getValue(), name);
                    entries.add(new Entry(name, p.getValue(), offset));
                    offset = CndLayout.align(offset + 4L * p.getValue().size());
                }
                w.put(p.getKey(), name);
            }
        }
        ArrayNode table = JSON.createArrayNode();
        for (Entry e : entries) {
            ObjectNode t = table.addObject();
            t.put("name", e.name());
            t.put("dtype", "float32");
            t.set("shape", OpCodec.ints(e.tensor().shape().dims()));
            t.put("offset", e.offset());
            t.put("byteLength", 4L * e.tensor().size());
            t.put("crc32", crc(bytes(e.tensor())));
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("format", "candela-model");
        ObjectNode graph = root.putObject("graph");
        graph.put("output", g.output());
        graph.set("nodes", nodes);
        root.set("tensors", table);
        root.set("metadata", metadata(model));

        byte[] header = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        // a new temporary file with an unpredictable name (never a planted link), then an atomic rename
        try {
            dev.candela.io.AtomicFile.write(file, raw -> {
            OutputStream out = new BufferedOutputStream(raw, 1 << 16);
            ByteBuffer pre = ByteBuffer.allocate(CndLayout.PREAMBLE).order(ByteOrder.LITTLE_ENDIAN);
            pre.put(CndLayout.MAGIC).putInt(CndLayout.VERSION).putInt(header.length);
            out.write(pre.array());
            out.write(header);
            ByteBuffer hc = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            hc.putInt((int) crc(header));
            out.write(hc.array());
            long pos = CndLayout.PREAMBLE + header.length + 4L;
            long dataStart = CndLayout.align(pos);
            pos = pad(out, pos, dataStart);
            for (Entry e : entries) {
                pos = pad(out, pos, dataStart + e.offset());
                byte[] b = bytes(e.tensor());
                out.write(b);
                pos += b.length;
            }
            out.flush();
            });
        } catch (java.io.UncheckedIOException e) {
            throw new IOException(e.getMessage(), e.getCause());
        }
    }

    private static ObjectNode metadata(Model model) {
        ObjectNode m = JSON.createObjectNode();
        ObjectNode input = m.putObject("input");
        input.put("name", model.graph().input());
        input.set("shape", OpCodec.ints(model.graph().inputItemShape().dims()));
        Preprocessing p = model.preprocessing();
        ObjectNode pp = m.putObject("preprocessing");
        pp.put("resize", p.resize());
        pp.put("centerCrop", p.centerCrop());
        if (p.mean() != null) {
            pp.set("mean", floats(p.mean()));
            pp.set("std", floats(p.std()));
        }
        pp.set("scale", OpCodec.flt(p.scale()));
        pp.set("offset", OpCodec.flt(p.offset()));
        pp.put("channelOrder", p.channelOrder());
        pp.put("geometry", p.geometry()); // derived from resize and centerCrop; written for readers, checked on load
        pp.put("interpolation", p.interpolation());
        pp.put("iccProfile", p.iccProfile());
        ArrayNode labels = m.putArray("labels");
        model.labels().forEach(labels::add);
        ObjectNode src = m.putObject("source");
        model.source().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> src.put(e.getKey(), e.getValue()));
        return m;
    }

    private static ArrayNode floats(float[] v) {
        ArrayNode a = JSON.createArrayNode();
        for (float x : v) a.add(OpCodec.flt(x));
        return a;
    }

    private static long pad(OutputStream out, long pos, long to) throws IOException {
        while (pos < to) {
            out.write(0);
            pos++;
        }
        return pos;
    }

    /** Little-endian IEEE-754 bits, exactly as held (NaN payloads included). */
    static byte[] bytes(Tensor t) {
        ByteBuffer b = ByteBuffer.allocate(4 * t.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : t.data()) b.putInt(Float.floatToRawIntBits(v));
        return b.array();
    }

    static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }

    static String utf8(byte[] b) { return new String(b, StandardCharsets.UTF_8); }
}
