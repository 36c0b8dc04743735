package dev.candela.example.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the packaged example as a user's application would: on the module path and on the class path,
 * each with and without {@code jdk.incubator.vector}. Every run explains the shipped test image; the
 * runs without the Vector API print the one-line notice once; all four maps agree.
 */
class EmbedIT {
    static final Path TARGET = Path.of(System.getProperty("example.dir", "examples/embed/target"));
    static final String MAIN = "dev.candela.example.embed.ExplainOne";
    static final String NOTICE = "the Vector API is not enabled";

    @TempDir
    Path tmp;

    record Run(int code, String out, String err, float[] map) {}

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String path() throws IOException {
        List<String> parts = new ArrayList<>();
        parts.add(TARGET.resolve("candela-example-embed.jar").toString());
        try (Stream<Path> s = Files.list(TARGET.resolve("lib"))) {
            parts.addAll(s.map(Path::toString).sorted().collect(Collectors.toList()));
        }
        return String.join(java.io.File.pathSeparator, parts);
    }

    Run run(String name, boolean modulePath, boolean vector) throws Exception {
        Path out = tmp.resolve(name);
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx512m"));
        if (vector) cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        if (modulePath) cmd.addAll(List.of("-p", path(), "-m", "dev.candela.example.embed/" + MAIN));
        else cmd.addAll(List.of("-cp", path(), MAIN));
        cmd.addAll(List.of("weights/fashion-vgg.cnd", "testdata/images/fashion-9-ankle-boot.png", out.toString()));
        Path so = tmp.resolve(name + ".out"), se = tmp.resolve(name + ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(so.toFile()).redirectError(se.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(name + ": did not finish in 2 minutes");
        }
        String err = Files.readString(se, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), name + ": " + err);
        assertTrue(Files.size(out.resolve("grad-cam.png")) > 100, name + ": no PNG");
        return new Run(p.exitValue(), Files.readString(so, StandardCharsets.UTF_8), err, readMap(out.resolve("grad-cam.npy")));
    }

    /** The float32 payload of a little-endian .npy (the header length is at bytes 8-9). */
    static float[] readMap(Path npy) throws IOException {
        byte[] b = Files.readAllBytes(npy);
        int header = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        ByteBuffer buf = ByteBuffer.wrap(b, 10 + header, b.length - 10 - header).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[buf.remaining() / 4];
        buf.asFloatBuffer().get(f);
        return f;
    }

    static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }

    @Test
    void explainsOnTheModulePathAndTheClassPathWithAndWithoutTheVectorApi() throws Exception {
        Run mv = run("module-vector", true, true), ms = run("module-scalar", true, false);
        Run cv = run("classpath-vector", false, true), cs = run("classpath-scalar", false, false);
        for (Run r : List.of(mv, ms, cv, cs)) assertTrue(r.out().startsWith("Ankle boot -> "), r.out());
        assertEquals(0, count(mv.err(), NOTICE), mv.err());
        assertEquals(0, count(cv.err(), NOTICE), cv.err());
        assertEquals(1, count(ms.err(), NOTICE), ms.err());
        assertEquals(1, count(cs.err(), NOTICE), cs.err());
        // The same kernels give the same bits whichever path loaded them; scalar and vector agree closely.
        assertEquals(java.util.Arrays.toString(mv.map()), java.util.Arrays.toString(cv.map()));
        assertEquals(java.util.Arrays.toString(ms.map()), java.util.Arrays.toString(cs.map()));
        assertEquals(28 * 28, mv.map().length);
        double worst = 0;
        for (int i = 0; i < mv.map().length; i++) worst = Math.max(worst, Math.abs(mv.map()[i] - ms.map()[i]));
        System.out.println("largest |vector - scalar| map difference: " + worst);
        assertTrue(worst <= 1e-5, "vector vs scalar map differ by " + worst);
    }
}
