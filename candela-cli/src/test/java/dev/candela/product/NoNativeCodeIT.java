package dev.candela.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.candela.image.Npy;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: the packaged CLI jar runs with plain {@code java -jar} (no {@code --add-modules}: the scalar
 * kernels and one notice), and nothing it ships or loads is native code, even when stderr is a terminal
 * and the progress bar asks jline about it.
 */
class NoNativeCodeIT {
    static final Path JAR = Path.of("candela-cli/target/candela.jar");
    static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    static final String NOTICE = "the Vector API is not enabled";

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    static Run run(List<String> cmd) throws Exception {
        Path out = Files.createTempFile("candela", ".out"), err = Files.createTempFile("candela", ".err");
        Process p = new ProcessBuilder(cmd).directory(Path.of("").toAbsolutePath().toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in 5 minutes");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void plainJavaDashJarExplainsTheShippedTestImageWithOneNotice() throws Exception {
        assumeTrue(Files.exists(JAR) && Files.exists(Path.of("weights/fashion-vgg.cnd")), "no packaged jar or shipped model");
        Path outDir = tmp.resolve("out");
        // a short run on the shipped model takes the scalar kernels by choice (the same bits, faster cold): no notice
        Run quick = run(List.of(JAVA.toString(), "-jar", JAR.toString(), "explain", "testdata/images/fashion-9-ankle-boot.png", "--out", tmp.resolve("quick").toString()));
        assertEquals(0, quick.code(), quick.err());
        assertEquals(0, count(quick.err(), NOTICE), "no notice when the scalar kernels are the faster choice:\n" + quick.err());
        // a run that is not short (more than four images) wants the Vector API: without the module, one notice naming the flag
        Run r = run(List.of(JAVA.toString(), "-jar", JAR.toString(), "explain", "--model", "weights/fashion-vgg.cnd", "--layer", "stage3",
                "testdata/images/fashion-9-ankle-boot.png", "testdata/images/fashion-1-trouser.png", "testdata/images/fashion-3-dress.png",
                "testdata/images/fashion-5-sandal.png", "testdata/images/fashion-7-sneaker.png", "--out", outDir.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Ankle boot (class 9)"), r.out());
        assertEquals(1, count(r.err(), NOTICE), "the scalar notice once on stderr:\n" + r.err());
        assertTrue(r.err().contains("--add-modules jdk.incubator.vector"), "the notice names the flag:\n" + r.err());
        assertTrue(r.err().lines().count() <= 2, "no stack trace, no noise:\n" + r.err());
        Tensor map = Npy.read(outDir.resolve("fashion-9-ankle-boot/grad-cam.npy"));
        assertTrue(map.max() > 0 && map.min() >= 0 && map.max() <= 1, "a real map");
    }

    @Test
    void noShippedJarHoldsANativeLibrary() throws IOException {
        assumeTrue(Files.exists(JAR), "no packaged jar");
        // the class path the jar's manifest names (lib/ may hold stale jars from older builds)
        String classPath;
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(JAR.toFile())) {
            classPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
        }
        assertTrue(classPath != null && classPath.contains("candela-core"), "the manifest names the class path: " + classPath);
        List<String> nativeEntries = new ArrayList<>();
        List<Path> jars = new ArrayList<>(List.of(JAR));
        for (String entry : classPath.trim().split("\\s+")) jars.add(JAR.resolveSibling(entry));
        {
            for (Path j : jars) {
                assertTrue(Files.exists(j), "missing from the class path: " + j);
                try (ZipFile z = new ZipFile(j.toFile())) {
                    z.stream().map(e -> e.getName())
                            .filter(n -> n.endsWith(".so") || n.endsWith(".dll") || n.endsWith(".dylib") || n.endsWith(".jnilib"))
                            .forEach(n -> nativeEntries.add(j.getFileName() + "!" + n));
                }
            }
        }
        assertEquals(List.of(), nativeEntries, "native libraries in the CLI's class path");
    }

    /**
     * Under a pseudo-terminal (util-linux {@code script}) the progress bar is drawn, so jline inspects the
     * terminal; the JVM's library log must name only the JDK's own libraries, and native access is denied.
     */
    @Test
    void theProgressBarOnATerminalLoadsOnlyTheJdksOwnLibraries() throws Exception {
        Path script = Path.of("/usr/bin/script");
        assumeTrue(Files.exists(JAR) && Files.exists(Path.of("weights/fashion-vgg.cnd")), "no packaged jar or shipped model");
        assumeTrue(Files.isExecutable(script), "no util-linux script(1) to make a pseudo-terminal");
        Path outDir = tmp.resolve("tty"), log = tmp.resolve("tty.log");
        String cmd = String.join(" ", JAVA.toString(), "--illegal-native-access=deny", "-Xlog:library=info", "-jar", JAR.toString(),
                "explain", "testdata/images/fashion-9-ankle-boot.png", "--method", "score-cam", "--out", outDir.toString());
        Run r = run(List.of(script.toString(), "-qec", cmd, log.toString()));
        String tty = Files.readString(log, StandardCharsets.ISO_8859_1);
        assertEquals(0, r.code(), tty);
        assertTrue(tty.contains("score-cam") && tty.contains("%"), "the progress bar was drawn on the terminal:\n" + tty);
        Path jdk = Path.of(System.getProperty("java.home")).toRealPath();
        Matcher m = Pattern.compile("Loaded library (\\S+),").matcher(tty);
        int loaded = 0;
        while (m.find()) {
            String lib = m.group(1);
            loaded++;
            Path where = lib.contains("/") ? Path.of(lib) : jdk.resolve("lib").resolve(lib); // bare names: the JDK's own
            assertTrue(Files.exists(where) && where.toRealPath().startsWith(jdk), "a library from outside the JDK was loaded: " + lib);
        }
        assertTrue(loaded > 0, "the library log was read (-Xlog:library)");
        assertTrue(Files.exists(outDir.resolve("fashion-9-ankle-boot/score-cam.npy")));
    }

    static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) n++;
        return n;
    }
}
