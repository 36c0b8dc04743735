package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.format.ModelFiles;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.tensor.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11's command-line cases: each bad input is exit 2 and one clear line, found before the model runs. */
class HostileCliTest extends InProcessCli {
    static final Path ONNX = Path.of("testdata/models/micro_cnn.onnx");
    @TempDir Path tmp;

    int explain(java.util.function.Function<Path, Model> loader, String... args) {
        StringWriter e = new StringWriter(), o = new StringWriter();
        ExplainCommand c = new ExplainCommand(new PrintWriter(e, true), new PrintWriter(o, true));
        if (loader != null) c.loader = loader;
        int code = Main.execute(c, args);
        err = e.toString();
        out = o.toString();
        return code;
    }

    Path cnd(List<String> labels) throws Exception {
        Path l = tmp.resolve("labels.txt");
        Files.write(l, labels);
        Path cnd = tmp.resolve("m.cnd");
        assertEquals(0, cli("convert", ONNX.toString(), cnd.toString(), "--labels", l.toString(), "--resize", "32", "--crop", "center",
                "--mean", "0.5", "--std", "0.25"), err);
        return cnd;
    }

    Path input() throws Exception {
        Path p = tmp.resolve("x.npy");
        float[] d = new float[3 * 32 * 32];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        Npy.write(p, Tensor.of(d, 1, 3, 32, 32));
        return p;
    }

    static List<String> labels() {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < 10; i++) l.add("class" + i);
        return l;
    }

    void assertOneLine(int code, String what) {
        assertEquals(2, code, what + ": " + err);
        assertEquals(1, err.strip().lines().count(), what + ": " + err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), what + ": " + err);
    }

    @Test
    void optionMistakesAreFoundBeforeTheModelIsRead() throws Exception {
        Path x = input();
        java.util.function.Function<Path, Model> never = p -> { throw new AssertionError("the model was read"); };
        for (String[] bad : new String[][]{{"--threads", "100000"}, {"--threads", "0"}, {"--steps", "0"}, {"--samples", "0"},
                {"--batch-size", "0"}, {"--cam-batch-size", "0"}, {"--noise-level", "NaN"}}) {
            List<String> a = new ArrayList<>(List.of("--input", x.toString(), "--method", "integrated-gradients", "--out", tmp.resolve("o").toString()));
            a.addAll(List.of(bad));
            assertOneLine(explain(never, a.toArray(String[]::new)), String.join(" ", bad));
            assertTrue(err.contains(bad[0]), err);
        }
        assertOneLine(cli("run", "--model", ONNX.toString(), "--input", x.toString(), "--out", tmp.resolve("r").toString(), "--threads", "100000"), "run --threads");
        assertTrue(err.contains("--threads must be between 1 and"), err);
    }

    /** Options of today's methods and metrics: each mistake is one line naming the option (evaluate's --cam-batch-size 0 named no option; --lrp-residual bogus passed with exit 0 when no lrp ran). */
    @Test
    void newMethodAndMetricOptionsAreNamedWhenWrong() throws Exception {
        Path x = input();
        String[][] cases = {
                {"evaluate", "--cam-batch-size", "0", "--cam-batch-size must be >= 1"},
                {"evaluate", "--lrp-residual", "bogus", "--lrp-residual"},
                {"explain", "--lrp-residual", "bogus", "--lrp-residual"},
                {"explain", "--method", "dff(components=0)", "dff: components must be >= 1"},
                {"explain", "--method", "dff(components=100000)", "dff: components must be at most the layer's"},
                {"explain", "--method", "lime-cam(alpha=-1)", "lime-cam: alpha"},
                {"explain", "--method", "lrp(residual=bogus)", "residual"}};
        for (String[] c : cases) {
            List<String> a = new ArrayList<>(List.of(c[0], "--model", ONNX.toString(), "--input", x.toString(), "--out", tmp.resolve("o").toString()));
            if (!c[1].equals("--method")) a.addAll(List.of("--method", "grad-cam"));
            if (c[0].equals("evaluate")) a.addAll(List.of("--metric", "irof"));
            a.addAll(List.of(c[1], c[2]));
            int code = cli(a.toArray(String[]::new));
            // the bound of dff's components is the layer's channel count, known once the layer is resolved (and announced)
            err = err.lines().filter(l -> !l.contains("layer auto ->")).collect(java.util.stream.Collectors.joining("\n"));
            assertOneLine(code, String.join(" ", a));
            assertTrue(err.contains(c[3]), c[2] + ": " + err);
        }
    }

    @Test
    void targetsOutOfRangeAndOutputsThatCannotBeWritten() throws Exception {
        Path m = cnd(labels()), x = input();
        assertOneLine(explain(null, "--model", m.toString(), "--input", x.toString(), "--target", "2147483648", "--out", tmp.resolve("o").toString()), "--target");
        assertTrue(err.contains("between 0 and 2147483647"), err);
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        assertOneLine(explain(null, "--model", m.toString(), "--input", x.toString(), "--out", file.toString()), "--out file");
        assertTrue(err.contains("is a file, not a directory"), err);
        assertOneLine(explain(null, "--model", m.toString(), "--input", x.toString(), "--out", file.resolve("sub").toString()), "--out under a file");
        // a folder that cannot be created even by root (procfs): one line naming the folder and the reason
        assertOneLine(explain(null, "--model", m.toString(), "--input", x.toString(), "--out", "/proc/candela-out/o"), "--out on /proc");
        assertTrue(err.contains("/proc/candela-out"), err);
        System.out.println("--out /proc: " + err);
        if (!"root".equals(System.getProperty("user.name"))) {
            Path ro = Files.createDirectory(tmp.resolve("ro"));
            Files.setPosixFilePermissions(ro, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_EXECUTE));
            assertOneLine(explain(null, "--model", m.toString(), "--input", x.toString(), "--out", ro.resolve("o").toString()), "--out read-only");
            assertTrue(err.contains("not writable"), err);
            Path unreadable = Files.copy(m, tmp.resolve("u.cnd"));
            Files.setPosixFilePermissions(unreadable, Set.of(PosixFilePermission.OWNER_WRITE));
            assertOneLine(explain(null, "--model", unreadable.toString(), "--input", x.toString(), "--out", tmp.resolve("o").toString()), "unreadable model");
            assertTrue(err.contains("permission denied"), err);
        }
    }

    @Test
    void controlCharactersInLabelsNeverReachTheTerminal() throws Exception {
        List<String> l = labels();
        for (int i = 0; i < l.size(); i++) l.set(i, "evil\u001b]0;pwned\u0007\u001b[2J" + i);
        Path m = cnd(l), x = input();
        assertEquals(0, explain(null, "--model", m.toString(), "--input", x.toString(), "--method", "grad-cam", "--out", tmp.resolve("o").toString()), err);
        assertFalse(out.contains("\u001b") || err.contains("\u001b"), out + err);
        assertTrue(out.contains("evil\\x1b]0;pwned\\x07"), out);
        assertEquals(0, cli("inspect", m.toString()), err);
        assertFalse(out.contains("\u001b"));
    }

    @Test
    void nonUtf8LabelsAndNonFiniteOptionsAreRefused() throws Exception {
        Path l = tmp.resolve("latin1.txt");
        Files.write(l, "caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertOneLine(cli("convert", ONNX.toString(), tmp.resolve("a.cnd").toString(), "--labels", l.toString()), "latin-1 labels");
        assertTrue(err.contains("not UTF-8") && err.contains("line 1"), err);
        Files.write(l, List.of("a", "b"));
        assertOneLine(cli("convert", ONNX.toString(), tmp.resolve("a.cnd").toString(), "--labels", l.toString()), "2 labels, 10 classes");
        assertOneLine(cli("convert", ONNX.toString(), tmp.resolve("a.cnd").toString(), "--scale", "NaN"), "--scale NaN");
        assertOneLine(cli("convert", ONNX.toString(), tmp.resolve("a.cnd").toString(), "--mean", "NaN,0,0", "--std", "1,1,1"), "--mean NaN");
        assertOneLine(cli("convert", ONNX.toString(), tmp.resolve("a.cnd").toString(), "--resize", "-5"), "--resize -5");
        assertFalse(Files.exists(tmp.resolve("a.cnd")));
    }

    @Test
    void convertProtectsItsInputAndKeepsWhatACndCarries() throws Exception {
        Path copy = Files.copy(ONNX, tmp.resolve("g.onnx"));
        byte[] before = Files.readAllBytes(copy);
        assertOneLine(cli("convert", copy.toString(), copy.toString()), "IN == OUT");
        Path link = tmp.resolve("link.cnd");
        Files.createSymbolicLink(link, copy);
        assertOneLine(cli("convert", copy.toString(), link.toString()), "OUT links to IN");
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(copy)), "input changed");

        // a planted link under the old fixed temporary names is neither followed nor overwritten
        Path victim = Files.writeString(tmp.resolve("victim.txt"), "keep me");
        Path out = tmp.resolve("out.cnd");
        Files.createSymbolicLink(tmp.resolve(".out.cnd.tmp"), victim);
        Files.createSymbolicLink(tmp.resolve("out.cnd.tmp"), victim);
        Files.createSymbolicLink(tmp.resolve(".out.cnd.tmp.tmp"), victim);
        Path labels = Files.write(tmp.resolve("labels.txt"), labels());
        assertEquals(0, cli("convert", copy.toString(), out.toString(), "--labels", labels.toString(), "--scale", "0.5", "--offset", "-1", "--resize", "40", "--crop", "center"), err);
        assertEquals("keep me", Files.readString(victim));

        // umask honoured: the output is not forced to 0600 (group/other read as the umask allows)
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(out);
        Path probe = Files.createFile(tmp.resolve("probe"));
        assertEquals(Files.getPosixFilePermissions(probe), perms);

        // a .cnd in: labels and preprocessing kept
        Path again = tmp.resolve("again.cnd");
        assertEquals(0, cli("convert", out.toString(), again.toString()), err);
        Model a = ModelFiles.load(out), b = ModelFiles.load(again);
        assertEquals(a.labels(), b.labels());
        assertEquals(40, b.preprocessing().resize());
        assertEquals(0.5f, b.preprocessing().scale());
        assertEquals(-1f, b.preprocessing().offset());
        assertTrue(b.preprocessing().centerCrop());
        assertOneLine(cli("convert", out.toString(), tmp.resolve("x.cnd").toString(), "--fold-bn"), ".cnd with --fold-bn");
    }

    @Test
    void nonFiniteInputStopsExplainUnlessAllowed() throws Exception {
        Path m = cnd(labels());
        Path x = tmp.resolve("nan.npy");
        float[] d = new float[3 * 32 * 32];
        java.util.Arrays.fill(d, Float.NaN);
        Npy.write(x, Tensor.of(d, 1, 3, 32, 32));
        assertOneLine(explain(null, "--model", m.toString(), "--input", x.toString(), "--method", "grad-cam,deeplift", "--out", tmp.resolve("o").toString()), "NaN input");
        assertTrue(err.contains("non-finite input") && err.contains("NaN"), err);
        int code = explain(null, "--model", m.toString(), "--input", x.toString(), "--method", "grad-cam", "--out", tmp.resolve("o2").toString(), "--allow-non-finite");
        assertTrue(err.contains("warning: non-finite input"), err);
        assertTrue(code == 0 || code == 2, err);
    }
}
