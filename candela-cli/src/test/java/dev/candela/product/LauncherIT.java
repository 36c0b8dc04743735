package dev.candela.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.candela.image.ImageLoader;
import dev.candela.image.Npy;
import dev.candela.image.Picture;
import dev.candela.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end, as a user runs it: {@code ./candela explain testdata/images/<one>.png} on the shipped
 * model (the launcher finds the JDK and the jar that {@code mvn verify} has just packaged; with no
 * jar it would build it first). Runs in the integration-test phase, after packaging.
 */
class LauncherIT {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    static Run candela(String... args) throws Exception { return candela(java.util.Map.of(), args); }

    static Run candela(java.util.Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "./candela"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Path.of("").toAbsolutePath().toFile());
        pb.environment().putAll(env);
        Path out = Files.createTempFile("candela", ".out"), err = Files.createTempFile("candela", ".err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("./candela " + String.join(" ", args) + " did not finish in 10 minutes");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void explainAnImageWithNoOtherFlag() throws Exception {
        assumeTrue(Files.exists(Path.of("weights/fashion-vgg.cnd")), "no shipped model in weights/");
        Path outDir = tmp.resolve("out");
        Run r = candela("explain", "testdata/images/fashion-9-ankle-boot.png", "--out", outDir.toString());
        assertEquals(0, r.code(), r.err());
        // The printed class, its probability, the layer, and where the files went.
        assertTrue(r.out().contains("fashion-9-ankle-boot.png: Ankle boot (class 9) p="), r.out());
        assertTrue(r.out().contains("layer "), r.out());
        Path dir = outDir.resolve("fashion-9-ankle-boot");
        assertTrue(r.out().contains(dir.resolve("grad-cam.png").toString()), r.out());
        Tensor map = Npy.read(dir.resolve("grad-cam.npy"));
        assertEquals(List.of(28, 28), List.of(map.dim(0), map.dim(1)));
        assertTrue(map.min() >= 0 && map.max() <= 1 && map.max() > 0, "map in [0,1], not all zero");
        Picture overlay = ImageLoader.load(dir.resolve("grad-cam.png"));
        assertEquals(224, overlay.width(), "small inputs are enlarged for display");
        assertTrue(Files.exists(dir.resolve("grad-cam.heatmap.png")));
        JsonNode manifest = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
        assertEquals(9, manifest.get("methods").get(0).get("targets").get(0).get("class").asInt());
        assertTrue(manifest.get("model").get("file").asText().endsWith("fashion-vgg.cnd"), "the default model is fashion-vgg");
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
    }

    @Test
    void severalImagesSeveralMethodsAndAReport() throws Exception {
        assumeTrue(Files.exists(Path.of("weights/fashion-vgg.cnd")), "no shipped model in weights/");
        Path outDir = tmp.resolve("out2");
        Path report = tmp.resolve("report.html");
        Run r = candela("explain", "testdata/images/fashion-7-sneaker.png", "testdata/images/fashion-1-trouser.png",
                "--method", "grad-cam,score-cam", "--colormap", "viridis", "--report", report.toString(), "--out", outDir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Sneaker (class 7)") && r.out().contains("Trouser (class 1)"), r.out());
        String html = Files.readString(report);
        int imgs = html.split("<img ", -1).length - 1;
        assertEquals(2 * (1 + 2), imgs, "2 images x (view + 2 methods)");
    }

    @Test
    void mistakesGetExitTwoAndAUsefulLine() throws Exception {
        assumeTrue(Files.exists(Path.of("weights/fashion-vgg.cnd")), "no shipped model in weights/");
        Run r = candela("explain", "testdata/images/fashion-7-sneaker.png", "--method", "gradcam", "--out", tmp.resolve("x").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("did you mean 'grad-cam'?"), r.err());
        r = candela("explain", "no/such/image.png", "--out", tmp.resolve("x").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no/such/image.png") && r.err().contains("no such file"), r.err());
        r = candela("explain", "testdata/images/fashion-7-sneaker.png", "--layer", "stage9", "--out", tmp.resolve("x").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown layer 'stage9'") && r.err().contains("stage3"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
    }

    /** The launcher's start-up cache: recorded by the first run that works, silent, then reused. */
    @Test
    void theStartUpCacheIsRecordedOnlyFromAGoodRunAndNeverShows() throws Exception {
        assumeTrue(Files.exists(Path.of("weights/fashion-vgg.cnd")), "no shipped model in weights/");
        // a one-image run on the shipped model is a short run: scalar kernels, no Vector API module, a cache of its own
        Path cache = Path.of("candela-cli/target/candela-short.aot");
        Files.deleteIfExists(cache);
        Run bad = candela("explain", "testdata/images/no-such-image.png", "--out", tmp.resolve("bad").toString());
        assertEquals(2, bad.code(), bad.err());
        assertEquals("", bad.out(), "nothing on stdout for a mistake");
        assertEquals(1, bad.err().strip().lines().count(), "one line:\n" + bad.err());
        assertTrue(!Files.exists(cache), "a failed run records no cache");
        Run first = candela("explain", "testdata/images/fashion-9-ankle-boot.png", "--out", tmp.resolve("a").toString());
        assertEquals(0, first.code(), first.err());
        assertTrue(Files.size(cache) > 0, "the first good run leaves a cache");
        Run second = candela("explain", "testdata/images/fashion-9-ankle-boot.png", "--out", tmp.resolve("b").toString());
        assertEquals(0, second.code(), second.err());
        for (Run r : List.of(first, second)) {
            assertTrue(!r.out().contains("AOT") && !r.err().contains("AOT") && !r.err().contains("[aot]"), "no JVM cache chatter:\n" + r.out() + r.err());
        }
        assertEquals(first.out().lines().findFirst(), second.out().lines().findFirst(), "same answer with the cache");
        // the JVM maps it: -XX:AOTMode=on refuses to start with a cache it cannot use
        Run options = candela(java.util.Map.of("CANDELA_DRY_RUN", "1"), "explain", "testdata/images/fashion-9-ankle-boot.png");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        assertEquals(0, options.code(), options.err());
        assertTrue(!options.out().contains("jdk.incubator.vector") && options.out().contains("-Dcandela.vector=scalar"), "a short run: " + options.out());
        List<String> cmd = new ArrayList<>(List.of(java.toString()));
        cmd.addAll(options.out().lines().toList());
        cmd.addAll(List.of("-XX:AOTMode=on", "-XX:AOTCache=" + cache, "-jar", "candela-cli/target/candela.jar", "--version"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String mapped = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "the cache is usable:\n" + mapped);
        // a cache made for another JDK or jar (its stamp differs) is recorded anew, not silently ignored forever
        Path stamp = Path.of(cache + ".stamp");
        Files.writeString(stamp, "another jdk\n");
        Run third = candela("explain", "testdata/images/fashion-9-ankle-boot.png", "--out", tmp.resolve("c").toString());
        assertEquals(0, third.code(), third.err());
        assertTrue(!Files.readString(stamp).equals("another jdk\n"), "re-recorded for this JDK and jar");
        try (var left = Files.list(cache.getParent())) {
            assertTrue(left.noneMatch(f -> f.getFileName().toString().matches("candela.*\\.aot\\..*") && !f.getFileName().toString().endsWith(".aot.stamp")), "no temporary cache files left");
        }
    }

    /**
     * The scalar and Vector API kernels give the same bits, so the launcher may pick either: CANDELA_KERNELS fixes
     * the choice (each with a start-up cache of its own), and the maps are identical to the automatic run's.
     */
    @Test
    void everyKernelChoiceGivesTheSameBits() throws Exception {
        assumeTrue(Files.exists(Path.of("weights/fashion-vgg.cnd")), "no shipped model in weights/");
        String[] methods = {"grad-cam", "score-cam", "lift-cam", "lrp", "integrated-gradients"};
        String m = String.join(",", methods);
        Run auto = candela("explain", "testdata/images/fashion-9-ankle-boot.png", "--method", m, "--out", tmp.resolve("a").toString());
        Run vector = candela(java.util.Map.of("CANDELA_KERNELS", "vector"), "explain", "testdata/images/fashion-9-ankle-boot.png", "--method", m, "--out", tmp.resolve("v").toString());
        Run scalar = candela(java.util.Map.of("CANDELA_KERNELS", "scalar"), "explain", "testdata/images/fashion-9-ankle-boot.png", "--method", m, "--out", tmp.resolve("s").toString());
        for (Run r : List.of(auto, vector, scalar)) assertEquals(0, r.code(), r.err());
        assertTrue(!scalar.err().contains("Vector API is not enabled"), "a chosen kernel set is not a warning:\n" + scalar.err());
        for (String method : methods) {
            byte[] a = Files.readAllBytes(tmp.resolve("a/fashion-9-ankle-boot/" + method + ".npy"));
            assertTrue(java.util.Arrays.equals(a, Files.readAllBytes(tmp.resolve("v/fashion-9-ankle-boot/" + method + ".npy"))), method + ": vector differs");
            assertTrue(java.util.Arrays.equals(a, Files.readAllBytes(tmp.resolve("s/fashion-9-ankle-boot/" + method + ".npy"))), method + ": scalar differs");
        }
        assertTrue(Files.exists(Path.of("candela-cli/target/candela-scalar.aot")), "the scalar run has its own cache");
        Run bad = candela(java.util.Map.of("CANDELA_KERNELS", "gpu"), "--version");
        assertEquals(2, bad.code(), bad.err());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        assertTrue(bad.err().contains("CANDELA_KERNELS"), bad.err());
    }
}
