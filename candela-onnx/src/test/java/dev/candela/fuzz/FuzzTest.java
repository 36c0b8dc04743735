package dev.candela.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.candela.format.CndWriter;
import dev.candela.format.ModelFiles;
import dev.candela.format.ModelFormatException;
import dev.candela.graph.Model;
import dev.candela.image.ImageFormatException;
import dev.candela.image.ImageLoader;
import dev.candela.image.Npy;
import dev.candela.image.Picture;
import dev.candela.io.Limits;
import dev.candela.run.Executor;
import dev.candela.run.NonFiniteException;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's fuzz harness over .cnd, ONNX, PNG, JPEG and .npy, seeded from real files of the
 * repository. {@code candela.fuzz.cases} cases per format (1,000 in the normal build; the {@code fuzz}
 * profile runs 100,000); each must end within 2 s with a result or the format's typed error, and
 * allocate at most 512 MiB. Reports go to target/fuzz-FORMAT.txt.
 */
class FuzzTest {
    static final long CASES = Long.getLong("candela.fuzz.cases", 1000);
    static final long SEED = Long.getLong("candela.fuzz.seed", 11);
    static final long TIMEOUT_MS = Long.getLong("candela.fuzz.timeout", 2000);
    static final long MAX_ALLOCATED = 512L << 20;
    static Parallel parallel;

    @TempDir Path tmp;

    @BeforeAll static void pool() { parallel = new Parallel(1); }

    @AfterAll static void close() { parallel.close(); }

    /** A loaded model must also run one forward pass: a result, or a NaN/limit error naming the layer. */
    static void loadAndRun(Path f) throws Exception {
        Model m = ModelFiles.load(f);
        Shape item = m.graph().inputItemShape();
        int[] dims = new int[item.rank() + 1];
        dims[0] = 1;
        System.arraycopy(item.dims(), 0, dims, 1, item.rank());
        Tensor x = Tensor.zeros(Shape.of(dims));
        java.util.Arrays.fill(x.data(), 0.5f);
        Executor.fast(m, parallel).forward(x, java.util.Set.of());
    }

    static final Predicate<Throwable> MODEL_ERRORS = e -> e instanceof ModelFormatException || e instanceof NonFiniteException
            || (e instanceof IllegalArgumentException && String.valueOf(e.getMessage()).contains("limit of"));

    void fuzz(String format, String ext, List<byte[]> seeds, Fuzzer.Target target, Predicate<Throwable> typed) throws Exception {
        Fuzzer.Report r = new Fuzzer(format, seeds, target, typed, SEED, tmp, TIMEOUT_MS, MAX_ALLOCATED).run(CASES, ext);
        String s = r.summary();
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "fuzz-" + format + ".txt"), s + "\n");
        System.out.println(s);
        assertEquals(0, r.failures(), s);
        assertEquals(r.cases(), r.passed() + r.typedErrors());
    }

    @Test
    void cnd() throws Exception {
        Path micro = tmp.resolve("micro.cnd");
        CndWriter.write(ModelFiles.load(Path.of("testdata/models/micro_cnn.onnx")), micro);
        List<byte[]> seeds = List.of(Files.readAllBytes(micro), Files.readAllBytes(micro), Files.readAllBytes(Path.of("weights/fashion-vgg.cnd")));
        fuzz("cnd", ".cnd", seeds, FuzzTest::loadAndRun, MODEL_ERRORS);
    }

    @Test
    void onnx() throws Exception {
        // micro_cnn (10 layers, 6 KB) keeps each case to milliseconds; tiny_resnet (residual adds, 730 KB)
        // takes about a second per loaded case on a busy machine and is fuzzed in the profile run only
        List<byte[]> seeds = new ArrayList<>(List.of(Files.readAllBytes(Path.of("testdata/models/micro_cnn.onnx"))));
        if (CASES > 1000) { // one case in ten
            for (int i = 0; i < 8; i++) seeds.add(seeds.get(0));
            seeds.add(Files.readAllBytes(Path.of("testdata/models/tiny_resnet.onnx")));
        }
        fuzz("onnx", ".onnx", seeds, FuzzTest::loadAndRun, MODEL_ERRORS);
    }

    static void image(Path f) {
        Picture p = ImageLoader.load(f);
        if (p.width() < 1 || p.height() < 1 || (long) p.width() * p.height() > Limits.maxImagePixels()) throw new AssertionError("bad picture size " + p.width() + "x" + p.height());
    }

    @Test
    void png() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        try (var s = Files.list(Path.of("testdata/images"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".png") && p.getFileName().toString().startsWith("fashion")).sorted().toList()) seeds.add(Files.readAllBytes(p));
        }
        seeds.add(Files.readAllBytes(Path.of("testdata/images/chelsea.png")));
        fuzz("png", ".png", seeds, FuzzTest::image, e -> e instanceof ImageFormatException);
    }

    @Test
    void jpeg() throws Exception {
        byte[] dog = Files.readAllBytes(Path.of("testdata/images/dog.jpg"));
        // a small re-encoding of the same photo keeps most cases fast; the original is kept as a seed
        BufferedImage full = ImageIO.read(Path.of("testdata/images/dog.jpg").toFile());
        BufferedImage small = new BufferedImage(48, 40, BufferedImage.TYPE_INT_RGB);
        small.getGraphics().drawImage(full, 0, 0, 48, 40, null);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ImageIO.write(small, "jpg", o);
        BufferedImage grey = new BufferedImage(40, 32, BufferedImage.TYPE_BYTE_GRAY);
        grey.getGraphics().drawImage(full, 0, 0, 40, 32, null);
        ByteArrayOutputStream g = new ByteArrayOutputStream();
        ImageIO.write(grey, "jpg", g);
        fuzz("jpeg", ".jpg", List.of(o.toByteArray(), o.toByteArray(), g.toByteArray(), dog), FuzzTest::image, e -> e instanceof ImageFormatException);
    }

    @Test
    void npy() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        for (String p : List.of("testdata/golden/runtime/micro_cnn_b1/input.npy", "testdata/golden/attribution/vgg/features.3.bias.npy",
                "testdata/golden/attribution/lift_resnet_1_phi.npy")) {
            if (Files.exists(Path.of(p))) seeds.add(Files.readAllBytes(Path.of(p)));
        }
        Path f64 = tmp.resolve("f64.npy");
        Files.write(f64, v2Float64());
        seeds.add(Files.readAllBytes(f64));
        fuzz("npy", ".npy", seeds, Npy::read, e -> e instanceof Npy.NpyFormatException);
    }

    /** A version-2 .npy of float64 (numpy writes this header layout), to reach the other branches. */
    static byte[] v2Float64() {
        String h = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
        h = h + " ".repeat((64 - (12 + h.length() + 1) % 64) % 64) + "\n";
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(12 + h.length() + 48).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put((byte) 2).put((byte) 0).putInt(h.length());
        b.put(h.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        for (int i = 0; i < 6; i++) b.putDouble(i * 0.5);
        return b.array();
    }
}
