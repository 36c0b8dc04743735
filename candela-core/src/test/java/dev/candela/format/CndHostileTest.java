package dev.candela.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Corrupt, truncated and inflated .cnd files: each is a typed ModelFormatException naming the field. */
class CndHostileTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path tmp;
    static byte[] good;

    @BeforeAll
    static void writeGood() throws Exception {
        Path f = tmp.resolve("good.cnd");
        CndWriter.write(CndModels.everyOp(11), f);
        good = Files.readAllBytes(f);
    }

    static byte[] header(byte[] file) {
        int len = ByteBuffer.wrap(file, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        return Arrays.copyOfRange(file, 12, 12 + len);
    }

    /** The file with its header edited; header CRC and alignment recomputed so only the edit is wrong. */
    static byte[] withHeader(byte[] file, Consumer<ObjectNode> edit) throws Exception {
        byte[] h = header(file);
        long oldStart = CndLayout.dataStart(h.length);
        ObjectNode root = (ObjectNode) JSON.readTree(h);
        edit.accept(root);
        byte[] nh = JSON.writeValueAsBytes(root);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        pre.put(CndLayout.MAGIC).putInt(CndLayout.VERSION).putInt(nh.length);
        out.write(pre.array());
        out.write(nh);
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) CndWriter.crc(nh)).array());
        while (out.size() < CndLayout.dataStart(nh.length)) out.write(0);
        out.write(file, (int) oldStart, file.length - (int) oldStart);
        return out.toByteArray();
    }

    static ModelFormatException rejects(byte[] bytes, String field) throws Exception {
        Path f = Files.createTempFile(tmp, "bad", ".cnd");
        Files.write(f, bytes);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CndReader.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), "message names the file: " + e.getMessage());
        if (field != null) assertTrue(e.getMessage().contains(field), "message names '" + field + "': " + e.getMessage());
        return e;
    }

    static ObjectNode tensor(ObjectNode root, int i) { return (ObjectNode) root.get("tensors").get(i); }
    static ObjectNode node(ObjectNode root, String name) {
        for (var n : root.get("graph").get("nodes")) if (n.get("name").asText().equals(name)) return (ObjectNode) n;
        throw new AssertionError(name);
    }

    @Test void goodFileLoads() throws Exception {
        Path f = tmp.resolve("ok.cnd");
        Files.write(f, withHeader(good, r -> { }));
        CndReader.read(f);
    }

    @Test void headerClaiming2pow40FloatsIsRefusedBeforeAllocating() throws Exception {
        rejects(withHeader(good, r -> {
            tensor(r, 0).set("shape", JSON.createArrayNode().add(1 << 20).add(1 << 20));
            tensor(r, 0).put("byteLength", 4L << 40);
        }), "shape");
    }

    @Test void byteLengthInconsistentWithShape() throws Exception {
        rejects(withHeader(good, r -> tensor(r, 0).put("byteLength", 12)), "byteLength");
    }

    @Test void headerLengthBeyondTheFile() throws Exception {
        byte[] b = good.clone();
        ByteBuffer.wrap(b, 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(0x7fffff00);
        rejects(b, "header length");
    }

    @Test void negativeDimension() throws Exception {
        rejects(withHeader(good, r -> ((ArrayNode) tensor(r, 0).get("shape")).set(0, -8)), "shape[0]");
    }

    @Test void offsetOutsideTheFile() throws Exception {
        rejects(withHeader(good, r -> tensor(r, 1).put("offset", 1L << 40)), "offset");
    }

    @Test void misalignedOffset() throws Exception {
        rejects(withHeader(good, r -> tensor(r, 1).put("offset", tensor(r, 1).get("offset").asLong() + 4)), "offset");
    }

    @Test void overlappingTensors() throws Exception {
        rejects(withHeader(good, r -> tensor(r, 1).put("offset", tensor(r, 0).get("offset").asLong())), "overlaps");
    }

    @Test void cyclicGraph() throws Exception {
        // conv1 reads the output of a later node: a cycle (or an order that is not topological).
        rejects(withHeader(good, r -> ((ArrayNode) node(r, "features/conv1").get("inputs")).set(0, "features/relu6")), "graph");
    }

    @Test void undefinedInput() throws Exception {
        rejects(withHeader(good, r -> ((ArrayNode) node(r, "features/add").get("inputs")).set(1, "nowhere")), "nowhere");
    }

    @Test void badOpAttributeValue() throws Exception {
        ModelFormatException e = rejects(withHeader(good, r -> ((ObjectNode) node(r, "features/conv1").get("attributes")).set("strides", JSON.createArrayNode().add(0).add(1))), "features/conv1");
        assertTrue(e.getMessage().contains("strides"), e.getMessage());
    }

    @Test void badOpAttributeType() throws Exception {
        rejects(withHeader(good, r -> ((ObjectNode) node(r, "features/pool").get("attributes")).put("ceilMode", "yes")), "ceilMode");
    }

    @Test void missingOpAttribute() throws Exception {
        rejects(withHeader(good, r -> ((ObjectNode) node(r, "features/lrn").get("attributes")).remove("size")), "size");
    }

    @Test void clipWithMinAboveMax() throws Exception {
        rejects(withHeader(good, r -> ((ObjectNode) node(r, "features/relu6").get("attributes")).put("min", 7)), "features/relu6");
    }

    @Test void unknownOpKind() throws Exception {
        rejects(withHeader(good, r -> node(r, "features/relu6").put("op", "Gelu")), "Gelu");
    }

    @Test void weightShapeViolatesTheOp() throws Exception {
        // The bias of conv1 pointed at bn1's 8-vector is fine; pointed at the 4-D weight it is not.
        rejects(withHeader(good, r -> ((ObjectNode) node(r, "features/conv1").get("weights")).put("bias", "features/conv1:weight")), "features/conv1");
    }

    @Test void missingTensorReference() throws Exception {
        rejects(withHeader(good, r -> ((ObjectNode) node(r, "fc").get("weights")).put("weight", "ghost")), "ghost");
    }

    @Test void wrongMagicAndVersion() throws Exception {
        byte[] b = good.clone();
        b[0] = 'X';
        rejects(b, "magic");
        b = good.clone();
        b[4] = 9;
        rejects(b, "format version");
    }

    @Test void headerIsNotJson() throws Exception {
        byte[] h = "{\"format\": \"candela-model\", ".getBytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(CndLayout.MAGIC);
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(h.length).array());
        out.write(h);
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) CndWriter.crc(h)).array());
        while (out.size() < CndLayout.dataStart(h.length)) out.write(0);
        rejects(out.toByteArray(), "header");
    }

    @Test void numberBeyondBigDecimalsRangeIsAHeaderError() throws Exception {
        for (String h : List.of("{\"format\": \"candela-model\", \"x\": 1e-2147483648}", "{\"format\": \"candela-model\", \"x\": 1e99999999999999999999}")) {
            byte[] b = h.getBytes();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(CndLayout.MAGIC);
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(b.length).array());
            out.write(b);
            out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) CndWriter.crc(b)).array());
            while (out.size() < CndLayout.dataStart(b.length)) out.write(0);
            ModelFormatException e = rejects(out.toByteArray(), "header");
            assertTrue(e.getMessage().contains("expected JSON: Malformed number"), e.getMessage());
        }
    }

    @Test void deeplyNestedHeaderIsRefusedWithoutStackOverflow() throws Exception {
        byte[] h = ("[".repeat(100_000) + "]".repeat(100_000)).getBytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(CndLayout.MAGIC);
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(h.length).array());
        out.write(h);
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) CndWriter.crc(h)).array());
        while (out.size() < CndLayout.dataStart(h.length)) out.write(0);
        rejects(out.toByteArray(), "header");
    }

    @Test void emptyAndTinyFiles() throws Exception {
        rejects(new byte[0], "file length");
        rejects(Arrays.copyOf(good, 11), "file length");
    }

    static LongStream seeds() { return LongStream.range(0, 24); }

    @ParameterizedTest(name = "seed {0}: any truncation is a ModelFormatException")
    @MethodSource("seeds")
    void anyTruncationIsRejected(long seed) throws Exception {
        Random r = new Random(seed);
        int len = seed < 4 ? new int[]{0, 12, good.length / 2, good.length - 1}[(int) seed] : r.nextInt(good.length);
        Path f = Files.createTempFile(tmp, "trunc", ".cnd");
        Files.write(f, Arrays.copyOf(good, len));
        try {
            CndReader.read(f);
            fail("seed " + seed + ": truncation to " + len + " of " + good.length + " bytes was accepted");
        } catch (ModelFormatException e) {
            assertTrue(e.getMessage().contains(f.toString()), "seed " + seed + ": " + e.getMessage());
        }
    }

    @ParameterizedTest(name = "seed {0}: any single bit flip is a ModelFormatException")
    @MethodSource("seeds")
    void anyBitFlipIsRejected(long seed) throws Exception {
        Random r = new Random(seed);
        int pos = r.nextInt(good.length), bit = r.nextInt(8);
        byte[] b = good.clone();
        b[pos] ^= (byte) (1 << bit);
        Path f = Files.createTempFile(tmp, "flip", ".cnd");
        Files.write(f, b);
        try {
            CndReader.read(f);
            fail("seed " + seed + ": flipping bit " + bit + " of byte " + pos + " was not detected");
        } catch (ModelFormatException e) {
            assertEquals(f.toString(), e.file(), "seed " + seed);
        }
    }

    @ParameterizedTest(name = "seed {0}: a flipped bit in tensor data is caught by that tensor's CRC32")
    @MethodSource("seeds")
    void dataBitFlipNamesTheCrc(long seed) throws Exception {
        Random r = new Random(seed);
        long start = CndLayout.dataStart(header(good).length);
        var t = JSON.readTree(header(good)).get("tensors");
        var e = t.get(r.nextInt(t.size()));
        int pos = (int) (start + e.get("offset").asLong() + r.nextInt((int) e.get("byteLength").asLong()));
        byte[] b = good.clone();
        b[pos] ^= (byte) (1 << r.nextInt(8));
        ModelFormatException x = rejects(b, "crc32");
        assertTrue(x.getMessage().contains(e.get("name").asText()), "seed " + seed + ": " + x.getMessage());
    }
}
