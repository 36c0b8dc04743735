package dev.candela.onnx;

import dev.candela.format.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import dev.candela.onnx.proto.OnnxProto.AttributeProto;
import dev.candela.onnx.proto.OnnxProto.GraphProto;
import dev.candela.onnx.proto.OnnxProto.ModelProto;
import dev.candela.onnx.proto.OnnxProto.NodeProto;
import dev.candela.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.candela.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.candela.onnx.proto.OnnxProto.TensorProto;
import dev.candela.onnx.proto.OnnxProto.TensorShapeProto;
import dev.candela.onnx.proto.OnnxProto.TypeProto;
import dev.candela.onnx.proto.OnnxProto.ValueInfoProto;
import dev.candela.graph.BatchNorm2d;
import dev.candela.graph.ChannelAffine;
import dev.candela.graph.Clip;
import dev.candela.graph.Conv2d;
import dev.candela.graph.LayerNames;
import dev.candela.graph.Linear;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.graph.Softmax;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OnnxImporterTest {
    static final Path MOBILENET = Path.of("../shared/models/mobilenet_v1_0.25_224_imagenet.onnx");
    static final Path SQUEEZENET = Path.of("../shared/models/onnx-light/light_squeezenet.onnx");
    @TempDir Path tmp;

    // ---- a tiny ONNX builder ------------------------------------------------------------

    static NodeProto node(String name, String op, List<String> in, String out, AttributeProto... attrs) {
        return NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(in).addOutput(out).addAllAttribute(Arrays.asList(attrs)).build();
    }

    static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) b.addInts(x);
        return b.build();
    }

    static AttributeProto integer(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static TensorProto floats(String name, float[] v, long... dims) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(OnnxTensors.FLOAT);
        for (long d : dims) b.addDims(d);
        for (float x : v) b.addFloatData(x);
        return b.build();
    }

    static TensorProto longs(String name, long[] v, long... dims) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(OnnxTensors.INT64);
        for (long d : dims) b.addDims(d);
        for (long x : v) b.addInt64Data(x);
        return b.build();
    }

    static ValueInfoProto value(String name, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
    }

    static ModelProto model(int opset, List<NodeProto> nodes, List<TensorProto> inits, ValueInfoProto in, String out) {
        GraphProto g = GraphProto.newBuilder().setName("g").addAllNode(nodes).addAllInitializer(inits).addInput(in)
                .addOutput(ValueInfoProto.newBuilder().setName(out)).build();
        return ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
    }

    static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] f = new float[n];
        for (int i = 0; i < f.length; i++) f[i] = (float) r.nextGaussian();
        return f;
    }

    static Model load(ModelProto m) throws ModelFormatException {
        return OnnxImporter.importModel(m, Path.of("test.onnx"), ImportOptions.defaults(), Map.of());
    }

    // ---- the real MobileNet ---------------------------------------------------------------

    @Test
    void mobileNetImportsWithItsConvolutionsAndPads() throws Exception {
        Assumptions.assumeTrue(Files.exists(MOBILENET), "../shared/models absent; skipping");
        Model m = OnnxImporter.importFile(MOBILENET, ImportOptions.defaults());
        List<Node> convs = m.graph().nodes().stream().filter(n -> n.op() instanceof Conv2d).toList();
        assertEquals(27, convs.size(), "convolutions");
        assertEquals(13, convs.stream().filter(n -> ((Conv2d) n.op()).isDepthwise()).count(), "depthwise convolutions");
        long asymmetric = convs.stream().map(n -> ((Conv2d) n.op()).pads()).filter(p -> p[0] != p[2] || p[1] != p[3]).count();
        assertTrue(asymmetric >= 1, "TF 'same' padding gives asymmetric pads, found " + asymmetric);
        assertEquals(27, m.graph().nodes().stream().filter(n -> n.op() instanceof BatchNorm2d).count(), "batch norms");
        assertEquals(27, m.graph().nodes().stream().filter(n -> n.op() instanceof Clip c && c.min() == 0 && c.max() == 6).count(), "ReLU6");
        assertEquals(1, m.graph().nodes().stream().filter(n -> n.op() instanceof Linear).count(), "Gemm -> Linear");
        assertEquals("3x224x224", m.graph().inputItemShape().toString());
        assertEquals(1000, m.numClasses());
        LayerNames names = new LayerNames(m.graph());
        assertEquals(List.of(256, 7, 7), Arrays.stream(m.graph().itemShape(names.resolve("conv_pw_13_relu")).dims()).boxed().toList());
        // 512 x width 0.25 = 128 channels (the shared README says 256, which does not match the file).
        assertEquals(List.of(128, 14, 14), Arrays.stream(m.graph().itemShape(names.resolve("conv_pw_11_relu")).dims()).boxed().toList());
        assertEquals(64, m.source().get("sha256").length());
        assertEquals("13", m.source().get("opset"));
    }

    @Test
    void foldingBatchNormKeepsTheLogits() throws Exception {
        Assumptions.assumeTrue(Files.exists(MOBILENET), "../shared/models absent; skipping");
        Model plain = OnnxImporter.importFile(MOBILENET, ImportOptions.defaults());
        Model folded = OnnxImporter.importFile(MOBILENET, ImportOptions.defaults().withFoldBatchNorm(true));
        assertEquals(0, folded.graph().nodes().stream().filter(n -> n.op() instanceof BatchNorm2d).count());
        assertEquals(plain.graph().nodes().size() - 27, folded.graph().nodes().size());
        Tensor x = Tensor.of(random(3 * 224 * 224, 5), 1, 3, 224, 224);
        try (Parallel p = new Parallel(2)) {
            Tensor a = Executor.fast(plain, p).forward(x, java.util.Set.of()).output();
            Tensor b = Executor.fast(folded, p).forward(x, java.util.Set.of()).output();
            double maxAbs = 0, maxDiff = 0;
            for (int i = 0; i < a.size(); i++) {
                maxAbs = Math.max(maxAbs, Math.abs(a.data()[i]));
                maxDiff = Math.max(maxDiff, Math.abs(a.data()[i] - b.data()[i]));
            }
            System.out.printf("BN folding: max |diff| %.3g, max |logit| %.3g%n", maxDiff, maxAbs);
            assertTrue(maxDiff <= 1e-4 * maxAbs, "folded logits differ by " + maxDiff + " (max |logit| " + maxAbs + ")");
        }
    }

    // ---- import rules ------------------------------------------------------------------------

    @Test
    void everyUnsupportedNodeIsListedInOneError() {
        ModelProto m = model(13, List.of(
                node("conv", "Conv", List.of("x", "w"), "c"),
                node("act", "Tanh", List.of("c"), "s"),
                node("up", "Round", List.of("s"), "r"),
                node("relu", "Relu", List.of("r"), "y")),
                List.of(floats("w", random(2 * 3 * 3 * 3, 1), 2, 3, 3, 3)), value("x", 1, 3, 8, 8), "y");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> load(m));
        assertTrue(e.getMessage().contains("2 node(s)") && e.getMessage().contains("'act' (Tanh)") && e.getMessage().contains("'up' (Round)"), e.getMessage());
    }

    @Test
    void allZeroPadIsAnIdentitySpatialPadIsPad2dAndChannelPadIsRefusedByName() throws Exception {
        ModelProto zero = model(13, List.of(node("pad", "Pad", List.of("x", "p"), "q"), node("relu", "Relu", List.of("q"), "y")),
                List.of(longs("p", new long[8], 8)), value("x", 1, 2, 4, 4), "y");
        Model m = load(zero);
        assertEquals("Identity", m.graph().nodes().get(0).op().kind());
        assertEquals("2x4x4", m.graph().itemShape("y").toString());
        ModelProto spatial = model(13, List.of(node("pad", "Pad", List.of("x", "p"), "y")),
                List.of(longs("p", new long[]{0, 0, 1, 2, 0, 0, 3, 1}, 8)), value("x", 1, 2, 4, 4), "y");
        Model sm = load(spatial);
        assertEquals(new dev.candela.graph.Pad2d(new int[]{1, 2, 3, 1}, 0f), sm.graph().nodes().get(0).op());
        assertEquals("2x8x7", sm.graph().itemShape("y").toString());
        ModelProto real = model(13, List.of(node("pad", "Pad", List.of("x", "p"), "y")),
                List.of(longs("p", new long[]{0, 1, 1, 1, 0, 0, 1, 1}, 8)), value("x", 1, 2, 4, 4), "y");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> load(real));
        assertTrue(e.getMessage().contains("'pad' (Pad)") || e.getMessage().contains("pad"), e.getMessage());
        assertTrue(e.getMessage().contains("batch or channel axis"), e.getMessage());
    }

    @Test
    void pytorchErfGeluBecomesOnePointwiseGelu() throws Exception {
        ModelProto m = model(13, List.of(
                node("g/Div", "Div", List.of("x", "s2"), "d"),
                node("g/Erf", "Erf", List.of("d"), "e"),
                node("g/Add", "Add", List.of("e", "one"), "a"),
                node("g/Mul", "Mul", List.of("x", "a"), "m"),
                node("g/Mul_1", "Mul", List.of("m", "half"), "y")),
                List.of(floats("s2", new float[]{1.4142135f}), floats("one", new float[]{1f}), floats("half", new float[]{0.5f})),
                value("x", 1, 2, 3, 4), "y");
        Model model = load(m);
        assertEquals(1, model.graph().nodes().size(), model.graph().nodes().toString());
        assertEquals(new dev.candela.graph.Pointwise(dev.candela.graph.Pointwise.Fn.GELU), model.graph().nodes().get(0).op());
        assertEquals("g/Mul_1", model.graph().nodes().get(0).name());
        float[] x = random(24, 7);
        Tensor y = new Executor(model, ReferenceKernels.INSTANCE).forward(Tensor.of(x, 1, 2, 3, 4)).output();
        for (int i = 0; i < x.length; i++) assertEquals(0.5 * x[i] * (1 + dev.candela.graph.Pointwise.erf(x[i] / Math.sqrt(2))), y.data()[i], 1e-6);
    }

    @Test
    void matMulPlusAddBecomesOneLinear() throws Exception {
        float[] w = random(4 * 3, 2), b = random(3, 3);
        ModelProto m = model(13, List.of(node("fc/MatMul", "MatMul", List.of("x", "w"), "h"), node("fc/Add", "Add", List.of("h", "b"), "y")),
                List.of(floats("w", w, 4, 3), floats("b", b, 3)), value("x", 1, 4), "y");
        Model model = load(m);
        assertEquals(1, model.graph().nodes().size());
        Linear lin = (Linear) model.graph().nodes().get(0).op();
        assertArrayEquals(b, lin.bias().data());
        float[] x = random(4, 4);
        Tensor y = new Executor(model, ReferenceKernels.INSTANCE).forward(Tensor.of(x, 1, 4)).output();
        for (int j = 0; j < 3; j++) {
            double e = b[j];
            for (int i = 0; i < 4; i++) e += (double) x[i] * w[i * 3 + j];
            assertEquals(e, y.data()[j], 1e-5);
        }
    }

    @Test
    void unsqueezedMulAddFoldIntoOneChannelAffine() throws Exception {
        // The Inception v2 / DenseNet pattern: per-channel scale and shift stored as [C], unsqueezed to [C,1,1].
        float[] s = {2f, -1f, 0.5f}, t = {0.25f, 1f, -3f};
        ModelProto m = model(9, List.of(
                node("", "Unsqueeze", List.of("s"), "s3", ints("axes", 1, 2)),
                node("mul", "Mul", List.of("x", "s3"), "m"),
                node("", "Unsqueeze", List.of("t"), "t3", ints("axes", 1, 2)),
                node("add", "Add", List.of("m", "t3"), "y")),
                List.of(floats("s", s, 3), floats("t", t, 3)), value("x", 1, 3, 2, 2), "y");
        Model model = load(m);
        assertEquals(1, model.graph().nodes().size());
        ChannelAffine a = (ChannelAffine) model.graph().nodes().get(0).op();
        assertArrayEquals(s, a.scale().data());
        assertArrayEquals(t, a.shift().data());
    }

    @Test
    void clipBoundsComeFromAttributesBeforeOpset11AndInputsFrom11() throws Exception {
        AttributeProto min = AttributeProto.newBuilder().setName("min").setType(AttributeProto.AttributeType.FLOAT).setF(0).build();
        AttributeProto max = AttributeProto.newBuilder().setName("max").setType(AttributeProto.AttributeType.FLOAT).setF(6).build();
        Model old = load(model(9, List.of(node("c", "Clip", List.of("x"), "y", min, max)), List.of(), value("x", 1, 4), "y"));
        assertEquals(new Clip(0, 6), old.graph().nodes().get(0).op());
        Model now = load(model(13, List.of(node("c", "Clip", List.of("x", "lo", "hi"), "y")),
                List.of(floats("lo", new float[]{0}), floats("hi", new float[]{6})), value("x", 1, 4), "y"));
        assertEquals(new Clip(0, 6), now.graph().nodes().get(0).op());
        Model onlyMax = load(model(13, List.of(node("c", "Clip", List.of("x", "", "hi"), "y")),
                List.of(floats("hi", new float[]{6})), value("x", 1, 4), "y"));
        assertEquals(6f, ((Clip) onlyMax.graph().nodes().get(0).op()).max());
    }

    @Test
    void softmaxAxisSemanticsFollowTheOpset() throws Exception {
        Model old = load(model(11, List.of(node("s", "Softmax", List.of("x"), "y")), List.of(), value("x", 1, 3, 4), "y"));
        assertEquals(new Softmax(1, true), old.graph().nodes().get(0).op());
        Model now = load(model(13, List.of(node("s", "Softmax", List.of("x"), "y")), List.of(), value("x", 1, 3, 4), "y"));
        assertEquals(new Softmax(2, false), now.graph().nodes().get(0).op());
    }

    @Test
    void rawDataFloatDataAndExternalDataGiveTheSameWeights() throws Exception {
        float[] w = random(2 * 3 * 3 * 3, 9);
        ByteBuffer raw = ByteBuffer.allocate(4 * w.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : w) raw.putFloat(v);
        byte[] bytes = raw.array();
        TensorProto asFloats = floats("w", w, 2, 3, 3, 3);
        TensorProto asRaw = asFloats.toBuilder().clearFloatData().setRawData(ByteString.copyFrom(bytes)).build();
        Files.write(tmp.resolve("weights.bin"), concat(new byte[16], bytes));
        TensorProto asExternal = asFloats.toBuilder().clearFloatData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin"))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("16"))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(Integer.toString(bytes.length))).build();
        for (TensorProto t : List.of(asFloats, asRaw, asExternal)) {
            ModelProto m = model(13, List.of(node("conv", "Conv", List.of("x", "w"), "y", ints("pads", 1, 0, 0, 1))), List.of(t), value("x", 1, 3, 5, 5), "y");
            Path f = tmp.resolve("m.onnx");
            Files.write(f, m.toByteArray());
            Conv2d c = (Conv2d) OnnxImporter.importFile(f, ImportOptions.defaults()).graph().nodes().get(0).op();
            assertArrayEquals(w, c.weight().data());
            assertArrayEquals(new int[]{1, 0, 0, 1}, c.pads());
        }
        TensorProto escaping = asExternal.toBuilder().setExternalData(0, StringStringEntryProto.newBuilder().setKey("location").setValue("../../etc/passwd")).build();
        Path f = tmp.resolve("bad.onnx");
        Files.write(f, model(13, List.of(node("conv", "Conv", List.of("x", "w"), "y")), List.of(escaping), value("x", 1, 3, 5, 5), "y").toByteArray());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxImporter.importFile(f, ImportOptions.defaults()));
        assertTrue(e.getMessage().contains("external_data.location"), e.getMessage());
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    // ---- hostile ONNX ----------------------------------------------------------------------

    @Test
    void inflatedConstantOfShapeIsRefused() {
        TensorProto shape = longs("shape", new long[]{1 << 20, 1 << 20}, 2);
        ModelProto m = model(9, List.of(node("big", "ConstantOfShape", List.of("shape"), "w"), node("mm", "MatMul", List.of("x", "w"), "y")),
                List.of(shape), value("x", 1, 1 << 20), "y");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> load(m));
        assertTrue(e.getMessage().contains("ConstantOfShape"), e.getMessage());
    }

    @Test
    void constantsBeyondTheMemoryBudgetAreRefusedBeforeAllocating() {
        // Many individually legal ConstantOfShape nodes must not add up to an OutOfMemoryError.
        List<NodeProto> nodes = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) nodes.add(node("c" + i, "ConstantOfShape", List.of("shape"), "w" + i));
        nodes.add(node("mm", "MatMul", List.of("x", "w3"), "y"));
        ModelProto m = model(9, nodes, List.of(longs("shape", new long[]{512, 512}, 2)), value("x", 1, 512), "y");
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> OnnxImporter.importModel(m, Path.of("budget.onnx"), ImportOptions.defaults(), Map.of(), 2L << 20));
        assertTrue(e.getMessage().contains("budget"), e.getMessage());
    }

    @Test
    void initializerClaimingMoreDataThanItHoldsIsRefused() {
        TensorProto w = TensorProto.newBuilder().setName("w").setDataType(OnnxTensors.FLOAT).addDims(1L << 20).addDims(1L << 20)
                .setRawData(ByteString.copyFrom(new byte[64])).build();
        ModelProto m = model(13, List.of(node("mm", "MatMul", List.of("x", "w"), "y")), List.of(w), value("x", 1, 4), "y");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> load(m));
        assertTrue(e.getMessage().contains("initializer 'w'"), e.getMessage());
        TensorProto v = TensorProto.newBuilder().setName("w").setDataType(OnnxTensors.FLOAT).addDims(4).addDims(3)
                .setRawData(ByteString.copyFrom(new byte[40])).build();
        e = assertThrows(ModelFormatException.class, () -> load(model(13, List.of(node("mm", "MatMul", List.of("x", "w"), "y")), List.of(v), value("x", 1, 4), "y")));
        assertTrue(e.getMessage().contains("initializer 'w'.raw_data") && e.getMessage().contains("expected 48 bytes"), e.getMessage());
    }

    @Test
    void undefinedInputAndCycleAreRefused() {
        ModelProto m = model(13, List.of(node("a", "Relu", List.of("b_out"), "a_out"), node("b", "Relu", List.of("a_out"), "b_out")),
                List.of(), value("x", 1, 4), "b_out");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> load(m));
        assertTrue(e.getMessage().contains("'a' (Relu)") && e.getMessage().contains("not defined"), e.getMessage());
    }

    static LongStream seeds() { return LongStream.range(0, 16); }

    @ParameterizedTest(name = "seed {0}: a truncated ONNX file is a ModelFormatException or (cut between top-level fields) the same graph")
    @MethodSource("seeds")
    void truncatedOnnxIsRejected(long seed) throws Exception {
        Assumptions.assumeTrue(Files.exists(SQUEEZENET), "../shared/models absent; skipping");
        byte[] full = Files.readAllBytes(SQUEEZENET);
        int len = seed == 0 ? 0 : new Random(seed).nextInt(full.length);
        Path f = tmp.resolve("cut.onnx");
        Files.write(f, Arrays.copyOf(full, len));
        try {
            Model m = OnnxImporter.importFile(f, ImportOptions.defaults());
            Model ref = OnnxImporter.importFile(SQUEEZENET, ImportOptions.defaults());
            assertEquals(ref.graph().nodes().size(), m.graph().nodes().size(), "seed " + seed + ": cut at " + len + " imported a different graph");
        } catch (ModelFormatException e) {
            assertTrue(e.getMessage().startsWith(f.toString()), "seed " + seed + ": " + e.getMessage());
        }
    }

    @ParameterizedTest(name = "seed {0}: random bytes are a ModelFormatException")
    @MethodSource("seeds")
    void garbageIsRejected(long seed) throws Exception {
        byte[] b = new byte[1 + new Random(seed).nextInt(4096)];
        new Random(seed).nextBytes(b);
        Path f = tmp.resolve("garbage.onnx");
        Files.write(f, b);
        try {
            ModelFiles.load(f);
            fail("seed " + seed + ": garbage accepted");
        } catch (ModelFormatException e) {
            assertEquals(f.toString(), e.file(), "seed " + seed);
        }
    }

    // ---- ReduceMean over any axes (issue 13) ---------------------------------------------------

    /** Conv -> Relu -> channel reduction -> Flatten -> Gemm, the reduction either ReduceMean(axes=[1]) or a 1x1 Conv of 1/6. */
    static ModelProto channelMeanNet(boolean reduceMean, boolean keepdims) {
        List<NodeProto> nodes = new ArrayList<>();
        List<TensorProto> inits = new ArrayList<>(List.of(
                floats("w", random(6 * 4 * 9, 11), 6, 4, 3, 3), floats("b", random(6, 12), 6),
                floats("fw", random(3 * 36, 13), 3, 36), floats("fb", random(3, 14), 3)));
        nodes.add(node("conv", "Conv", List.of("x", "w", "b"), "c", ints("pads", 1, 1, 1, 1)));
        nodes.add(node("relu", "Relu", List.of("c"), "r"));
        if (reduceMean) {
            nodes.add(node("mean", "ReduceMean", List.of("r"), "m", ints("axes", 1), integer("keepdims", keepdims ? 1 : 0)));
        } else {
            float[] sixth = new float[6];
            Arrays.fill(sixth, 1f / 6);
            inits.add(floats("mw", sixth, 1, 6, 1, 1));
            nodes.add(node("mean", "Conv", List.of("r", "mw"), "m"));
        }
        nodes.add(node("flat", "Flatten", List.of("m"), "f"));
        nodes.add(node("fc", "Gemm", List.of("f", "fw", "fb"), "y", integer("transB", 1)));
        return model(13, nodes, inits, value("x", 1, 4, 6, 6), "y");
    }

    @ParameterizedTest(name = "keepdims={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void reduceMeanOverChannelsMatchesAOneByOneConvolutionAndKeepsDeepLiftSummationToDelta(boolean keepdims) throws Exception {
        Model mean = load(channelMeanNet(true, keepdims)), conv = load(channelMeanNet(false, true));
        for (long seed = 1; seed <= 5; seed++) {
            Tensor x = Tensor.of(random(4 * 36, 100 + seed), 1, 4, 6, 6);
            var exMean = new dev.candela.run.Executor(mean, dev.candela.run.ReferenceKernels.INSTANCE);
            var exConv = new dev.candela.run.Executor(conv, dev.candela.run.ReferenceKernels.INSTANCE);
            float[] a = exMean.forward(x).output().data(), b = exConv.forward(x).output().data();
            for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 1e-5 * (1 + Math.abs(b[i])), "seed " + seed + " logit " + i);
            var r = new dev.candela.explain.attribution.DeepLift(exMean)
                    .attribute(x, Tensor.zeros(x.shape()), dev.candela.explain.attribution.TargetWeights.oneHot(3, new int[]{(int) (seed % 3)}), null, null);
            double scale = 1 + Math.abs(r.targetDelta()[0]);
            assertEquals(0, r.convergenceDelta()[0], 1e-5 * scale, "summation-to-delta, seed " + seed);
        }
        try (var ex = dev.candela.explainer.Explainer.of(mean, 1)) {
            Tensor x = Tensor.of(random(4 * 36, 7), 1, 4, 6, 6);
            for (String method : List.of("grad-cam", "lift-cam", "fg-cam", "lrp")) {
                Tensor map = ex.explain(x, method).maps();
                assertTrue(map.size() > 0 && dev.candela.run.ForwardChecks.firstNonFinite(map.data()) < 0, method + " gives a finite map");
            }
        }
    }

    @Test
    void aConstantThatIsNotPerChannelBecomesAnElementAffineThatExplainsAndConserves() throws Exception {
        // x + P (a [6, 6] plane, as a position bias), then * Q (a [6] row): neither is per-channel
        List<NodeProto> nodes = List.of(
                node("conv", "Conv", List.of("x", "w", "b"), "c", ints("pads", 1, 1, 1, 1)),
                node("plane", "Add", List.of("c", "p"), "a"),
                node("row", "Mul", List.of("q", "a"), "m"),
                node("relu", "Relu", List.of("m"), "r"),
                node("flat", "Flatten", List.of("r"), "f"),
                node("fc", "Gemm", List.of("f", "fw", "fb"), "y", integer("transB", 1)));
        List<TensorProto> inits = List.of(floats("w", random(2 * 3 * 9, 21), 2, 3, 3, 3), floats("b", random(2, 22), 2),
                floats("p", random(36, 23), 6, 6), floats("q", random(6, 24), 6),
                floats("fw", random(4 * 72, 25), 4, 72), floats("fb", random(4, 26), 4));
        Model m = load(model(13, nodes, inits, value("x", 1, 3, 6, 6), "y"));
        assertEquals(2, m.graph().nodes().stream().filter(n -> n.op() instanceof dev.candela.graph.ElementAffine).count());
        Tensor x = Tensor.of(random(3 * 36, 27), 1, 3, 6, 6);
        var ex = new dev.candela.run.Executor(m, dev.candela.run.ReferenceKernels.INSTANCE);
        // the same computation written out: conv (from a model without the constants) + p, * q
        Model convOnly = load(model(13, List.of(nodes.get(0)), List.of(inits.get(0), inits.get(1)), value("x", 1, 3, 6, 6), "c"));
        float[] c = new dev.candela.run.Executor(convOnly, dev.candela.run.ReferenceKernels.INSTANCE).forward(x).output().data();
        float[] p = random(36, 23), q = random(6, 24), fw = random(4 * 72, 25), fb = random(4, 26);
        float[] y = ex.forward(x).output().data();
        for (int o = 0; o < 4; o++) {
            double want = fb[o];
            for (int k = 0; k < 72; k++) want += fw[o * 72 + k] * Math.max(0, (c[k] + p[k % 36]) * q[k % 6]);
            assertEquals(want, y[o], 1e-4 * (1 + Math.abs(want)), "logit " + o);
        }
        var r = new dev.candela.explain.attribution.DeepLift(ex)
                .attribute(x, Tensor.zeros(x.shape()), dev.candela.explain.attribution.TargetWeights.oneHot(4, new int[]{1}), null, null);
        assertEquals(0, r.convergenceDelta()[0], 1e-5 * (1 + Math.abs(r.targetDelta()[0])), "summation-to-delta");
        try (var e = dev.candela.explainer.Explainer.of(m, 1)) {
            for (String method : List.of("grad-cam", "fg-cam", "lrp")) {
                Tensor map = e.explain(x, method).maps();
                assertTrue(map.size() > 0 && dev.candela.run.ForwardChecks.firstNonFinite(map.data()) < 0, method + " gives a finite map");
            }
        }
    }

    @Test
    void subOfTwoActivationsEqualsOneConvolutionWithTheWeightDifferenceAndConserves() throws Exception {
        float[] w1 = random(2 * 3 * 9, 31), w2 = random(2 * 3 * 9, 32), b1 = random(2, 33), b2 = random(2, 34);
        float[] dw = new float[w1.length], db = new float[2];
        for (int i = 0; i < dw.length; i++) dw[i] = w1[i] - w2[i];
        for (int i = 0; i < 2; i++) db[i] = b1[i] - b2[i];
        List<TensorProto> head = List.of(floats("fw", random(3 * 72, 35), 3, 72), floats("fb", random(3, 36), 3));
        List<NodeProto> tail = List.of(node("relu", "Relu", List.of("d"), "r"), node("flat", "Flatten", List.of("r"), "f"),
                node("fc", "Gemm", List.of("f", "fw", "fb"), "y", integer("transB", 1)));
        List<NodeProto> subNodes = new ArrayList<>(List.of(node("c1", "Conv", List.of("x", "w1", "b1"), "a", ints("pads", 1, 1, 1, 1)),
                node("c2", "Conv", List.of("x", "w2", "b2"), "b", ints("pads", 1, 1, 1, 1)), node("sub", "Sub", List.of("a", "b"), "d")));
        subNodes.addAll(tail);
        List<TensorProto> subInits = new ArrayList<>(List.of(floats("w1", w1, 2, 3, 3, 3), floats("w2", w2, 2, 3, 3, 3), floats("b1", b1, 2), floats("b2", b2, 2)));
        subInits.addAll(head);
        List<NodeProto> oneNodes = new ArrayList<>(List.of(node("c", "Conv", List.of("x", "dw", "db"), "d", ints("pads", 1, 1, 1, 1))));
        oneNodes.addAll(tail);
        List<TensorProto> oneInits = new ArrayList<>(List.of(floats("dw", dw, 2, 3, 3, 3), floats("db", db, 2)));
        oneInits.addAll(head);
        Model sub = load(model(13, subNodes, subInits, value("x", 1, 3, 6, 6), "y"));
        Model one = load(model(13, oneNodes, oneInits, value("x", 1, 3, 6, 6), "y"));
        Tensor x = Tensor.of(random(3 * 36, 37), 1, 3, 6, 6);
        var ex = new dev.candela.run.Executor(sub, dev.candela.run.ReferenceKernels.INSTANCE);
        float[] ys = ex.forward(x).output().data();
        float[] yo = new dev.candela.run.Executor(one, dev.candela.run.ReferenceKernels.INSTANCE).forward(x).output().data();
        for (int i = 0; i < ys.length; i++) assertEquals(yo[i], ys[i], 1e-4 * (1 + Math.abs(yo[i])), "logit " + i);
        var r = new dev.candela.explain.attribution.DeepLift(ex)
                .attribute(x, Tensor.zeros(x.shape()), dev.candela.explain.attribution.TargetWeights.oneHot(3, new int[]{2}), null, null);
        assertEquals(0, r.convergenceDelta()[0], 1e-5 * (1 + Math.abs(r.targetDelta()[0])), "summation-to-delta");
    }

    @Test
    void anEncoderDecoderWithConvTransposeExplainsAndKeepsDeepLiftSummationToDelta() throws Exception {
        List<NodeProto> nodes = List.of(
                node("down", "Conv", List.of("x", "w", "b"), "d", ints("pads", 1, 1, 1, 1), ints("strides", 2, 2)),
                node("relu1", "Relu", List.of("d"), "r1"),
                node("up", "ConvTranspose", List.of("r1", "tw", "tb"), "u", ints("strides", 2, 2), ints("pads", 1, 1, 1, 1), ints("output_padding", 1, 1)),
                node("relu2", "Relu", List.of("u"), "r2"),
                node("pool", "GlobalAveragePool", List.of("r2"), "p"),
                node("flat", "Flatten", List.of("p"), "f"),
                node("fc", "Gemm", List.of("f", "fw", "fb"), "y", integer("transB", 1)));
        List<TensorProto> inits = List.of(floats("w", random(4 * 3 * 9, 41), 4, 3, 3, 3), floats("b", random(4, 42), 4),
                floats("tw", random(4 * 5 * 9, 43), 4, 5, 3, 3), floats("tb", random(5, 44), 5),
                floats("fw", random(3 * 5, 45), 3, 5), floats("fb", random(3, 46), 3));
        Model m = load(model(13, nodes, inits, value("x", 1, 3, 8, 8), "y"));
        var up = m.graph().nodes().stream().filter(n -> n.op() instanceof dev.candela.graph.ConvTranspose2d).findFirst().orElseThrow();
        assertEquals("[5, 8, 8]", java.util.Arrays.toString(m.graph().itemShape(up.output()).dims()), "4x4 up to 8x8");
        Tensor x = Tensor.of(random(3 * 64, 47), 1, 3, 8, 8);
        for (var kernels : List.of(dev.candela.run.ReferenceKernels.INSTANCE, dev.candela.run.Executor.fast(m, new dev.candela.tensor.Parallel(1)).kernels())) {
            var ex = new dev.candela.run.Executor(m, kernels);
            var r = new dev.candela.explain.attribution.DeepLift(ex)
                    .attribute(x, Tensor.zeros(x.shape()), dev.candela.explain.attribution.TargetWeights.oneHot(3, new int[]{0}), null, null);
            assertEquals(0, r.convergenceDelta()[0], 1e-5 * (1 + Math.abs(r.targetDelta()[0])), "summation-to-delta with " + kernels);
        }
        try (var e = dev.candela.explainer.Explainer.of(m, 1)) {
            for (String method : List.of("grad-cam", "lift-cam", "fg-cam", "lrp")) {
                Tensor map = e.explain(x, method).maps();
                assertTrue(map.size() > 0 && dev.candela.run.ForwardChecks.firstNonFinite(map.data()) < 0, method + " gives a finite map");
            }
        }
    }

    @Test
    void broadcastingAddAndSubOfTwoActivationsMatchAHandComputationAndConserve() throws Exception {
        // r - mean_hw(r) + mean_hw(r) * 2 via Sub and Add of [1,4,6,6] and [1,4,1,1] activations
        List<NodeProto> nodes = List.of(
                node("conv", "Conv", List.of("x", "w", "b"), "c", ints("pads", 1, 1, 1, 1)),
                node("relu", "Relu", List.of("c"), "r"),
                node("gap", "GlobalAveragePool", List.of("r"), "p"),
                node("centre", "Sub", List.of("r", "p"), "s"),
                node("again", "Add", List.of("p", "s"), "a"),
                node("plus", "Add", List.of("a", "p"), "q"),
                node("relu2", "Relu", List.of("q"), "z"),
                node("flat", "Flatten", List.of("z"), "f"),
                node("fc", "Gemm", List.of("f", "fw", "fb"), "y", integer("transB", 1)));
        List<TensorProto> inits = List.of(floats("w", random(4 * 3 * 9, 51), 4, 3, 3, 3), floats("b", random(4, 52), 4),
                floats("fw", random(3 * 144, 53), 3, 144), floats("fb", random(3, 54), 3));
        Model m = load(model(13, nodes, inits, value("x", 1, 3, 6, 6), "y"));
        Model convOnly = load(model(13, List.of(nodes.get(0)), List.of(inits.get(0), inits.get(1)), value("x", 1, 3, 6, 6), "c"));
        Tensor x = Tensor.of(random(3 * 36, 55), 1, 3, 6, 6);
        float[] c = new dev.candela.run.Executor(convOnly, dev.candela.run.ReferenceKernels.INSTANCE).forward(x).output().data();
        float[] fw = random(3 * 144, 53), fb = random(3, 54);
        double[] z = new double[144];
        for (int ch = 0; ch < 4; ch++) {
            double mean = 0;
            for (int k = 0; k < 36; k++) mean += Math.max(0, c[ch * 36 + k]) / 36.0;
            for (int k = 0; k < 36; k++) z[ch * 36 + k] = Math.max(0, Math.max(0, c[ch * 36 + k]) + mean); // r - p + p + p
        }
        for (var kernels : List.of(dev.candela.run.ReferenceKernels.INSTANCE, dev.candela.run.Executor.fast(m, new dev.candela.tensor.Parallel(1)).kernels())) {
            var ex = new dev.candela.run.Executor(m, kernels);
            float[] y = ex.forward(x).output().data();
            for (int o = 0; o < 3; o++) {
                double want = fb[o];
                for (int k = 0; k < 144; k++) want += fw[o * 144 + k] * z[k];
                assertEquals(want, y[o], 1e-4 * (1 + Math.abs(want)), "logit " + o + " with " + kernels);
            }
            var r = new dev.candela.explain.attribution.DeepLift(ex)
                    .attribute(x, Tensor.zeros(x.shape()), dev.candela.explain.attribution.TargetWeights.oneHot(3, new int[]{1}), null, null);
            assertEquals(0, r.convergenceDelta()[0], 1e-5 * (1 + Math.abs(r.targetDelta()[0])), "summation-to-delta with " + kernels);
        }
        try (var e = dev.candela.explainer.Explainer.of(m, 1)) {
            for (String method : List.of("grad-cam", "fg-cam", "lrp")) {
                Tensor map = e.explain(x, method).maps();
                assertTrue(map.size() > 0 && dev.candela.run.ForwardChecks.firstNonFinite(map.data()) < 0, method + " gives a finite map");
            }
        }
    }

    @Test
    void divOfTwoActivationsIsAProductWithTheReciprocalThatMatchesAndConserves() throws Exception {
        // r / (mean_hw(r) + 1): a normalisation by a positive per-channel activation
        List<NodeProto> nodes = List.of(
                node("conv", "Conv", List.of("x", "w", "b"), "c", ints("pads", 1, 1, 1, 1)),
                node("relu", "Relu", List.of("c"), "r"),
                node("gap", "GlobalAveragePool", List.of("r"), "p"),
                node("plus1", "Add", List.of("p", "one"), "d"),
                node("norm", "Div", List.of("r", "d"), "q"),
                node("flat", "Flatten", List.of("q"), "f"),
                node("fc", "Gemm", List.of("f", "fw", "fb"), "y", integer("transB", 1)));
        List<TensorProto> inits = List.of(floats("w", random(4 * 3 * 9, 61), 4, 3, 3, 3), floats("b", random(4, 62), 4),
                floats("one", new float[]{1f}), floats("fw", random(3 * 144, 63), 3, 144), floats("fb", random(3, 64), 3));
        Model m = load(model(13, nodes, inits, value("x", 1, 3, 6, 6), "y"));
        Model convOnly = load(model(13, List.of(nodes.get(0)), List.of(inits.get(0), inits.get(1)), value("x", 1, 3, 6, 6), "c"));
        Tensor x = Tensor.of(random(3 * 36, 65), 1, 3, 6, 6);
        float[] c = new dev.candela.run.Executor(convOnly, dev.candela.run.ReferenceKernels.INSTANCE).forward(x).output().data();
        float[] fw = random(3 * 144, 63), fb = random(3, 64);
        double[] q = new double[144];
        for (int ch = 0; ch < 4; ch++) {
            double mean = 0;
            for (int k = 0; k < 36; k++) mean += Math.max(0, c[ch * 36 + k]) / 36.0;
            for (int k = 0; k < 36; k++) q[ch * 36 + k] = Math.max(0, c[ch * 36 + k]) / (mean + 1);
        }
        var ex = new dev.candela.run.Executor(m, dev.candela.run.ReferenceKernels.INSTANCE);
        float[] y = ex.forward(x).output().data();
        for (int o = 0; o < 3; o++) {
            double want = fb[o];
            for (int k = 0; k < 144; k++) want += fw[o * 144 + k] * q[k];
            assertEquals(want, y[o], 1e-4 * (1 + Math.abs(want)), "logit " + o);
        }
        var r = new dev.candela.explain.attribution.DeepLift(ex)
                .attribute(x, Tensor.zeros(x.shape()), dev.candela.explain.attribution.TargetWeights.oneHot(3, new int[]{2}), null, null);
        assertEquals(0, r.convergenceDelta()[0], 1e-5 * (1 + Math.abs(r.targetDelta()[0])), "summation-to-delta");
    }

    /** Small files that describe huge tensors: refused with one clear message before anything big is allocated. */
    @Test
    void hugeShapesThroughTheNewOpsAreRefusedNotAllocated() {
        ValueInfoProto huge = value("x", 1, 1, 40000, 40000);
        List<ModelProto> crafted = List.of(
                model(13, List.of(node("m", "ReduceMean", List.of("x"), "y", ints("axes", 1, 2, 3))), List.of(), huge, "y"),
                model(13, List.of(node("a", "Add", List.of("x", "row"), "y")), List.of(floats("row", random(40000, 1), 40000)), huge, "y"),
                model(13, List.of(node("t", "ConvTranspose", List.of("x", "w"), "y", ints("strides", Integer.MAX_VALUE, Integer.MAX_VALUE),
                        ints("dilations", Integer.MAX_VALUE, Integer.MAX_VALUE), ints("output_padding", 1, 1))),
                        List.of(floats("w", new float[]{1, 1, 1, 1}, 1, 1, 2, 2)), value("x", 1, 1, 2, 2), "y"),
                model(13, List.of(node("t", "ConvTranspose", List.of("x", "w"), "y", ints("output_shape", 5))),
                        List.of(floats("w", new float[]{1, 1, 1, 1}, 1, 1, 2, 2)), value("x", 1, 1, 2, 2), "y"),
                model(13, List.of(node("t", "ConvTranspose", List.of("x", "w"), "y", integer("group", (1L << 32) + 1))),
                        List.of(floats("w", new float[]{1, 1, 1, 1}, 1, 1, 2, 2)), value("x", 1, 1, 2, 2), "y"));
        for (ModelProto m : crafted) {
            ModelFormatException e = org.junit.jupiter.api.Assertions.assertThrows(ModelFormatException.class, () -> load(m));
            assertTrue(e.getMessage() != null && !e.getMessage().contains("Index") && e.getMessage().lines().count() == 1, e.getMessage());
        }
    }
}
