package dev.candela.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.format.ModelFiles;
import dev.candela.format.ModelFormatException;
import dev.candela.graph.Conv2d;
import dev.candela.graph.GraphBuilder;
import dev.candela.graph.MaxPool2d;
import dev.candela.graph.Model;
import dev.candela.graph.Relu;
import dev.candela.image.ImageFormatException;
import dev.candela.image.ImageLoader;
import dev.candela.image.Npy;
import dev.candela.run.Executor;
import dev.candela.run.FastKernels;
import dev.candela.run.ForwardChecks;
import dev.candela.run.NonFiniteException;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regression tests for issue 11's hostile inputs: special files, escapes, bombs, broken headers, NaN. */
class HostileInputTest {
    @TempDir Path tmp;

    static Path fifo(Path dir, String name) throws Exception {
        Path p = dir.resolve(name);
        Process pr = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertEquals(0, pr.waitFor(), "mkfifo");
        return p;
    }

    @Test
    void fifosAndFoldersAreRefusedBeforeAnyRead() throws Exception {
        Path png = fifo(tmp, "a.png"), npy = fifo(tmp, "a.npy"), cnd = fifo(tmp, "m.cnd"), onnx = fifo(tmp, "m.onnx");
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            ImageFormatException e = assertThrows(ImageFormatException.class, () -> ImageLoader.load(png));
            assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
            IOException n = assertThrows(IOException.class, () -> Npy.read(npy));
            assertTrue(n.getMessage().contains("not a regular file"), n.getMessage());
            for (Path m : List.of(cnd, onnx)) {
                ModelFormatException x = assertThrows(ModelFormatException.class, () -> ModelFiles.load(m));
                assertTrue(x.getMessage().contains("not a regular file"), x.getMessage());
            }
            Path dir = Files.createDirectory(tmp.resolve("d.npy"));
            assertTrue(assertThrows(IOException.class, () -> Npy.read(dir)).getMessage().contains("directory"));
            assertThrows(ModelFormatException.class, () -> ModelFiles.load(Path.of("/dev/zero")));
        });
    }

    @Test
    void externalDataMustResolveInsideTheModelFolder() throws Exception {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Path secret = outside.resolve("secret.bin");
        Files.write(secret, new byte[4 * 8 * 3 * 3 * 3]);
        Path modelDir = Files.createDirectory(tmp.resolve("model"));
        Files.createSymbolicLink(modelDir.resolve("weights.bin"), secret);
        Files.createSymbolicLink(modelDir.resolve("linked"), outside);
        Files.write(modelDir.resolve("ok.bin"), new byte[4 * 8 * 3 * 3 * 3]);
        for (String location : List.of("weights.bin", "linked/secret.bin", "../outside/secret.bin", secret.toString())) {
            Path m = modelDir.resolve("m.onnx");
            Files.write(m, OnnxBytes.convWithExternalWeight(location));
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(m), location);
            assertTrue(e.getMessage().contains("external_data.location") && e.getMessage().contains("outside"), e.getMessage());
        }
        Path fifo = fifo(modelDir, "pipe.bin");
        Path m = modelDir.resolve("m.onnx");
        Files.write(m, OnnxBytes.convWithExternalWeight(fifo.getFileName().toString()));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(m));
            assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        });
        Files.write(m, OnnxBytes.convWithExternalWeight("ok.bin"));
        assertEquals(8, ModelFiles.load(m).graph().itemShape(ModelFiles.load(m).graph().output()).dim(0)); // a good one still loads
    }

    /** A 1-pixel-of-data PNG whose IHDR claims width x height. */
    static byte[] pngClaiming(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        Deflater d = new Deflater();
        d.setInput(new byte[4]);
        d.finish();
        byte[] z = new byte[64];
        int n = d.deflate(z);
        chunk(out, "IDAT", java.util.Arrays.copyOf(z, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 c = new CRC32();
        c.update(t);
        c.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) c.getValue()).array());
    }

    @Test
    void decompressionBombIsRefusedFromItsHeader() throws Exception {
        Path bomb = tmp.resolve("bomb.png");
        Files.write(bomb, pngClaiming(46_000, 46_000));
        assertTrue(Files.size(bomb) < 100);
        long before = usedHeap();
        ImageFormatException e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(ImageFormatException.class, () -> ImageLoader.load(bomb)));
        assertTrue(e.getMessage().contains("46000 x 46000") && e.getMessage().contains("limit of 89478485"), e.getMessage());
        assertTrue(usedHeap() - before < 64 << 20, "the bomb was decoded");
        String old = System.getProperty("candela.maxImagePixels");
        System.setProperty("candela.maxImagePixels", "100");
        try {
            assertThrows(ImageFormatException.class, () -> ImageLoader.load(Path.of("testdata/images/chelsea.png")));
        } finally {
            if (old == null) System.clearProperty("candela.maxImagePixels"); else System.setProperty("candela.maxImagePixels", old);
        }
        ImageLoader.load(Path.of("testdata/images/chelsea.png"));
    }

    @Test
    void jpegWhoseFrameHeaderClaimsAHugeImageIsRefusedUnread() throws Exception {
        byte[] b = Files.readAllBytes(Path.of("testdata/images/dog.jpg"));
        int sof = -1;
        for (int i = 2; i + 8 < b.length && sof < 0; i++) {
            if ((b[i] & 0xff) == 0xff && ((b[i + 1] & 0xff) == 0xc0 || (b[i + 1] & 0xff) == 0xc2)) sof = i;
        }
        assertTrue(sof > 0, "no SOF marker in dog.jpg");
        b[sof + 5] = (byte) 0xfd; b[sof + 6] = (byte) 0xe8; // height 65000
        b[sof + 7] = (byte) 0xfd; b[sof + 8] = (byte) 0xe8; // width 65000
        Path f = tmp.resolve("bomb.jpg");
        Files.write(f, b);
        ImageFormatException e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(ImageFormatException.class, () -> ImageLoader.load(f)));
        assertTrue(e.getMessage().contains("65000 x 65000"), e.getMessage());
    }

    @Test
    void aModelWhoseInputShapeNeedsGigabytesIsRefusedAtLoad() throws Exception {
        GraphBuilder b = new GraphBuilder("x", Shape.of(3, 12000, 12000), 1);
        String x = b.conv("conv", "x", 8, 3, 1, 1);
        x = b.globalAvgPool("gap", x);
        x = b.flatten("flat", x);
        Model m = b.build(x);
        Path f = tmp.resolve("wide.cnd");
        dev.candela.format.CndWriter.write(m, f);
        assertTrue(Files.size(f) < 100_000);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(f));
        assertTrue(e.getMessage().contains("metadata.input.shape") && e.getMessage().contains("limit"), e.getMessage());
    }

    static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    static byte[] npy(int version, String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        int lenBytes = version == 1 ? 2 : 4;
        ByteBuffer b = ByteBuffer.allocate(8 + lenBytes + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) version).put((byte) 0);
        if (version == 1) b.putShort((short) h.length); else b.putInt(h.length);
        b.put(h);
        return b.array();
    }

    @Test
    void brokenNpyHeadersAreTypedErrorsNamingTheField() throws Exception {
        byte[] good = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }\n", 8);
        List<byte[]> cases = new ArrayList<>();
        for (int cut = 0; cut < 20; cut++) cases.add(java.util.Arrays.copyOf(good, cut)); // truncated in the preamble and header
        cases.add(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", 8));
        cases.add(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999, ), }", 8));
        cases.add(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647), }", 8));
        cases.add(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }", 8));
        cases.add(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (x, 2), }", 8));
        cases.add(npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1, 2), }", 8));
        cases.add(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }", 8));
        byte[] huge = npy(2, "{}", 0);
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putInt(8, Integer.MAX_VALUE);
        cases.add(huge);
        byte[] neg = npy(2, "{}", 0);
        ByteBuffer.wrap(neg).order(ByteOrder.LITTLE_ENDIAN).putInt(8, -5);
        cases.add(neg);
        for (int i = 0; i < cases.size(); i++) {
            Path f = tmp.resolve("c" + i + ".npy");
            Files.write(f, cases.get(i));
            Npy.NpyFormatException e = assertThrows(Npy.NpyFormatException.class, () -> Npy.read(f), "case " + i);
            assertTrue(e.getMessage().startsWith(f.toString()) && !e.getMessage().contains("\n"), e.getMessage());
        }
        Path f = tmp.resolve("good.npy");
        Files.write(f, good);
        assertEquals(Shape.of(1, 2), Npy.read(f).shape());
    }

    static Model reluNet() {
        GraphBuilder b = new GraphBuilder("x", Shape.of(2, 4, 4), 1);
        String x = b.conv("conv", "x", 3, 3, 1, 1);
        x = b.relu("relu", x);
        x = b.globalAvgPool("gap", x);
        x = b.flatten("flat", x);
        x = b.linear("fc", x, 4);
        return b.build(x);
    }

    @Test
    void reluPropagatesNanInEveryKernelLikePyTorch() {
        for (int n : new int[]{1, 7, 16, 37, 100}) {
            float[] d = new float[n];
            for (int i = 0; i < n; i++) d[i] = i % 3 == 0 ? Float.NaN : i % 3 == 1 ? -1f - i : i;
            Tensor x = Tensor.of(d, 1, n);
            try (Parallel p = new Parallel(1)) {
                for (Tensor y : List.of(ReferenceKernels.INSTANCE.forward(new Relu(), List.of(x)), new FastKernels(p).forward(new Relu(), List.of(x)))) {
                    for (int i = 0; i < n; i++) {
                        float want = i % 3 == 0 ? Float.NaN : i % 3 == 1 ? 0f : i; // torch.relu: NaN stays NaN
                        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(y.data()[i]), "n " + n + " i " + i);
                    }
                }
                for (dev.candela.graph.Op op : List.<dev.candela.graph.Op>of(new dev.candela.graph.Clip(0f, 6f), new dev.candela.graph.LeakyRelu(0.1f))) {
                    for (Tensor y : List.of(ReferenceKernels.INSTANCE.forward(op, List.of(x)), new FastKernels(p).forward(op, List.of(x)))) {
                        for (int i = 0; i < n; i += 3) assertTrue(Float.isNaN(y.data()[i]), op + " dropped NaN at " + i + " of " + n);
                    }
                }
                Tensor maxed = new FastKernels(p).forward(new MaxPool2d(new int[]{2, 2}, new int[]{2, 2}, new int[]{0, 0, 0, 0}, new int[]{1, 1}, false),
                        List.of(Tensor.of(new float[]{1, Float.NaN, 3, 4}, 1, 1, 2, 2)));
                assertTrue(Float.isNaN(maxed.data()[0]), "max pool drops NaN");
            }
        }
    }

    @Test
    void nonFiniteInputsAndLayerOutputsAreNamed() {
        Model m = reluNet();
        try (Parallel p = new Parallel(2)) {
            Executor ex = Executor.fast(m, p);
            float[] d = new float[2 * 16];
            d[5] = Float.NaN;
            NonFiniteException e = assertThrows(NonFiniteException.class, () -> ex.forward(Tensor.of(d, 1, 2, 4, 4)));
            assertTrue(e.getMessage().contains("input") && e.getMessage().contains("'x'") && e.getMessage().contains("NaN"), e.getMessage());
            d[5] = 3e38f; // finite input, but the conv overflows to infinity
            float[] all = d.clone();
            java.util.Arrays.fill(all, 3e38f);
            e = assertThrows(NonFiniteException.class, () -> ex.forward(Tensor.of(all, 1, 2, 4, 4)));
            assertEquals("conv", e.layer(), e.getMessage());
            List<String> warnings = new ArrayList<>();
            Tensor y = ex.withNonFinite(ForwardChecks.NonFinite.WARN, warnings::add).forward(Tensor.of(all, 1, 2, 4, 4)).output();
            assertEquals(1, warnings.size());
            assertTrue(warnings.get(0).contains("layer 'conv'"), warnings.get(0));
            assertTrue(Float.isNaN(y.data()[0]) || Float.isInfinite(y.data()[0]), "values are not hidden");
        }
    }

    @Test
    void nonFiniteWeightsAreRefusedAtLoad() throws Exception {
        Model m = reluNet();
        m.graph().node("fc").op().parameters().get("bias").data()[2] = Float.NaN;
        Path f = tmp.resolve("nan.cnd");
        dev.candela.format.CndWriter.write(m, f);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(f));
        assertTrue(e.getMessage().contains("node 'fc' bias") && e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void hugePadsAreRefusedNotWrapped() {
        Tensor w = Tensor.of(new float[9], 1, 1, 3, 3), b = Tensor.of(new float[1], 1);
        Conv2d c = new Conv2d(w, b, new int[]{1, 1}, new int[]{Integer.MAX_VALUE, 0, Integer.MAX_VALUE, 0}, new int[]{1, 1}, 1);
        assertThrows(IllegalArgumentException.class, () -> c.outputShape(List.of(Shape.of(1, 1, 12, 12))));
        MaxPool2d mp = new MaxPool2d(new int[]{2, 2}, new int[]{1, 1}, new int[]{0, 0, 0, 0}, new int[]{Integer.MAX_VALUE, 1}, false);
        assertThrows(IllegalArgumentException.class, () -> mp.outputShape(List.of(Shape.of(1, 1, 12, 12))).dim(2));
    }

    @Test
    void padsThatWouldNeedAHugePaddedCopyAreRefusedAtLoad() throws Exception {
        GraphBuilder b = new GraphBuilder("x", Shape.of(1, 8, 8), 1);
        String x = b.add("conv", new Conv2d(Tensor.of(new float[9], 1, 1, 3, 3), Tensor.of(new float[1], 1), new int[]{400000, 400000},
                new int[]{500000, 500000, 500000, 500000}, new int[]{1, 1}, 1), "x");
        x = b.globalAvgPool("gap", x);
        Model m = b.build(b.flatten("flat", x));
        assertTrue(ForwardChecks.activationBytesPerItem(m.graph()) > 1L << 40);
        Path f = tmp.resolve("pads.cnd");
        dev.candela.format.CndWriter.write(m, f);
        assertThrows(ModelFormatException.class, () -> ModelFiles.load(f));
    }

    @Test
    void activationBytesAreBoundedBeforeRunning() {
        Model m = reluNet();
        String old = System.getProperty("candela.maxActivationBytes");
        System.setProperty("candela.maxActivationBytes", "10000");
        try (Parallel p = new Parallel(1)) {
            Executor ex = Executor.fast(m, p);
            ex.forward(Tensor.zeros(Shape.of(1, 2, 4, 4)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ex.forward(Tensor.zeros(Shape.of(64, 2, 4, 4))));
            assertTrue(e.getMessage().contains("limit"), e.getMessage());
        } finally {
            if (old == null) System.clearProperty("candela.maxActivationBytes"); else System.setProperty("candela.maxActivationBytes", old);
        }
    }

    @Test
    void controlCharactersAreEscaped() {
        assertEquals("a\\x1b[2Jb\\u202ec\\n", Text.safe("a\u001b[2Jb\u202ec\n"));
        assertEquals("caf\u00e9 \u732b", Text.safe("caf\u00e9 \u732b"));
    }
}
