package dev.candela.format;

import dev.candela.onnx.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CndRoundTripTest {
    @TempDir Path tmp;

    static int[] bits(Tensor t) {
        int[] b = new int[t.size()];
        for (int i = 0; i < b.length; i++) b[i] = Float.floatToRawIntBits(t.data()[i]);
        return b;
    }

    static void assertSameModel(Model a, Model b) {
        assertEquals(a.graph().input(), b.graph().input());
        assertEquals(a.graph().inputItemShape(), b.graph().inputItemShape());
        assertEquals(a.graph().output(), b.graph().output());
        assertEquals(a.graph().nodes().size(), b.graph().nodes().size());
        for (int i = 0; i < a.graph().nodes().size(); i++) {
            Node x = a.graph().nodes().get(i), y = b.graph().nodes().get(i);
            assertEquals(x.name(), y.name());
            assertEquals(x.inputs(), y.inputs());
            assertEquals(x.output(), y.output());
            assertEquals(x.op().kind(), y.op().kind());
            assertEquals(OpCodec.attributes(x.op()), OpCodec.attributes(y.op()), "attributes of " + x.name());
            for (Map.Entry<String, Tensor> p : x.op().parameters().entrySet()) {
                Tensor q = y.op().parameters().get(p.getKey());
                assertEquals(p.getValue().shape(), q.shape());
                assertArrayEquals(bits(p.getValue()), bits(q), x.name() + "." + p.getKey() + " bits");
            }
        }
        assertEquals(a.labels(), b.labels());
        assertEquals(a.source(), b.source());
        var p = a.preprocessing();
        var q = b.preprocessing();
        assertEquals(p.resize(), q.resize());
        assertEquals(p.centerCrop(), q.centerCrop());
        assertArrayEquals(p.mean(), q.mean());
        assertArrayEquals(p.std(), q.std());
        assertEquals(Float.floatToRawIntBits(p.scale()), Float.floatToRawIntBits(q.scale()));
        assertEquals(Float.floatToRawIntBits(p.offset()), Float.floatToRawIntBits(q.offset()));
        assertEquals(p.channelOrder(), q.channelOrder());
        assertEquals(p.interpolation(), q.interpolation());
        assertEquals(p.iccProfile(), q.iccProfile());
    }

    @ParameterizedTest(name = "seed {0}: write then read gives the same model, bit for bit, and the same file again")
    @ValueSource(longs = {1, 2, 3})
    void roundTripIsBitExact(long seed) throws Exception {
        Model m = CndModels.everyOp(seed);
        Path f1 = tmp.resolve("a.cnd"), f2 = tmp.resolve("b.cnd");
        CndWriter.write(m, f1);
        Model r = CndReader.read(f1);
        assertSameModel(m, r);
        CndWriter.write(r, f2);
        assertArrayEquals(Files.readAllBytes(f1), Files.readAllBytes(f2), "seed " + seed + ": re-written file differs");
        Tensor x = CndModels.input(m, 2, seed);
        Tensor y1 = new Executor(m, ReferenceKernels.INSTANCE).forward(x).output();
        Tensor y2 = new Executor(r, ReferenceKernels.INSTANCE).forward(x).output();
        assertArrayEquals(bits(y1), bits(y2), "seed " + seed + ": outputs differ");
    }

    @Test
    void tensorsAre64ByteAligned() throws Exception {
        Path f = tmp.resolve("m.cnd");
        CndWriter.write(CndModels.everyOp(7), f);
        byte[] b = Files.readAllBytes(f);
        var header = CndHostileTest.header(b);
        long dataStart = CndLayout.dataStart(header.length);
        for (var t : new com.fasterxml.jackson.databind.ObjectMapper().readTree(header).get("tensors")) {
            assertEquals(0, (dataStart + t.get("offset").asLong()) % 64, t.get("name").asText());
        }
    }

    @ParameterizedTest(name = "imported light {0} round-trips through .cnd bit for bit")
    @ValueSource(strings = {"squeezenet", "shufflenet", "densenet121", "inception_v2"})
    void importedLightModelsRoundTrip(String name) throws Exception {
        Path onnx = Path.of("../shared/models/onnx-light/light_" + name + ".onnx");
        Assumptions.assumeTrue(Files.exists(onnx), "../shared/models absent; skipping");
        Model m = OnnxImporter.importFile(onnx, ImportOptions.defaults());
        Path f = tmp.resolve(name + ".cnd");
        CndWriter.write(m, f);
        assertSameModel(m, CndReader.read(f));
        Files.delete(f);
    }

    @Test
    void importedMobileNetRoundTripsBitExactly() throws Exception {
        Path onnx = Path.of("../shared/models/mobilenet_v1_0.25_224_imagenet.onnx");
        Assumptions.assumeTrue(Files.exists(onnx), "../shared/models absent; skipping");
        Model m = OnnxImporter.importFile(onnx, ImportOptions.defaults());
        Path f = tmp.resolve("mobilenet.cnd");
        CndWriter.write(m, f);
        Model r = ModelFiles.load(f);
        assertSameModel(m, r);
    }
}
