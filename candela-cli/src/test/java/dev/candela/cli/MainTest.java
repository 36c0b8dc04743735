package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.format.ModelFiles;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** convert -> inspect -> run end to end, in-process, on the committed micro CNN and its PyTorch goldens. */
class MainTest extends InProcessCli {
    static final Path ONNX = Path.of("testdata/models/micro_cnn.onnx");
    static final Path GOLD = Path.of("testdata/golden/runtime/micro_cnn_b2");
    @TempDir Path tmp;

    /** max |a - b| <= rtol * max |b| (the goldens' stated tolerance definition). */
    static void assertClose(Tensor golden, Tensor actual, double rtol, String what) {
        assertEquals(golden.size(), actual.size(), what + " size");
        double maxAbs = 0, maxDiff = 0;
        for (int i = 0; i < golden.size(); i++) {
            maxAbs = Math.max(maxAbs, Math.abs(golden.data()[i]));
            maxDiff = Math.max(maxDiff, Math.abs(golden.data()[i] - actual.data()[i]));
        }
        assertTrue(maxDiff <= rtol * maxAbs, what + ": max diff " + maxDiff + " > " + rtol + " * " + maxAbs);
    }

    Path convert(String... extra) throws Exception {
        Path labels = tmp.resolve("labels.txt");
        List<String> l = new ArrayList<>();
        for (int i = 0; i < 10; i++) l.add("class" + i);
        Files.write(labels, l);
        Path cnd = tmp.resolve("micro" + extra.length + ".cnd");
        List<String> args = new ArrayList<>(List.of("convert", ONNX.toString(), cnd.toString(), "--labels", labels.toString(),
                "--resize", "32", "--crop", "center", "--mean", "0.5,0.5,0.5", "--std", "0.25,0.25,0.25"));
        args.addAll(List.of(extra));
        assertEquals(0, cli(args.toArray(String[]::new)), err);
        assertTrue(Files.exists(cnd), "convert wrote " + cnd);
        return cnd;
    }

    @Test
    void convertInspectRunMatchesPyTorch() throws Exception {
        Path cnd = convert();
        Model m = ModelFiles.load(cnd);
        assertEquals("class3", m.label(3));
        assertEquals(32, m.preprocessing().resize());
        assertTrue(m.preprocessing().centerCrop());
        assertArrayEquals(new float[]{0.25f, 0.25f, 0.25f}, m.preprocessing().std());

        assertEquals(0, cli("inspect", cnd.toString()), err);
        assertTrue(out.contains("/features/features.0/Conv") && out.contains("Conv2d") && out.contains("8x32x32"), out);
        assertTrue(out.contains("total (10 layers)"), out);

        Path dir = tmp.resolve("run");
        assertEquals(0, cli("run", "--model", cnd.toString(), "--input", GOLD.resolve("input.npy").toString(),
                "--outputs", "features.2,/features/features.6/Relu", "--out", dir.toString(), "--threads", "2"), err);
        assertClose(Npy.read(GOLD.resolve("logits.npy")), Npy.read(dir.resolve("logits.npy")), 1e-4, "logits");
        Tensor act = Npy.read(dir.resolve("features.2.npy"));
        assertArrayEquals(new int[]{2, 8, 32, 32}, act.shape().dims());
        Tensor gold = Npy.read(GOLD.resolve("act_0.npy"));
        float[] crop = new float[gold.size()];
        for (int n = 0; n < 2; n++) System.arraycopy(act.data(), n * 8 * 1024, crop, n * 4 * 1024, 4 * 1024);
        assertClose(gold, Tensor.of(crop, 2, 4, 32, 32), 1e-4, "features.2 (channels 0..3)");
        assertTrue(Files.exists(dir.resolve("_features_features.6_Relu.npy")), "'/' in a name becomes '_'");
    }

    @Test
    void onnxRunsDirectlyAndFoldedBatchNormGivesTheSameLogits() throws Exception {
        Path dir = tmp.resolve("direct");
        assertEquals(0, cli("run", "--model", ONNX.toString(), "--input", GOLD.resolve("input.npy").toString(), "--out", dir.toString()), err);
        Path folded = convert("--fold-bn");
        Path dir2 = tmp.resolve("folded");
        assertEquals(0, cli("run", "--model", folded.toString(), "--input", GOLD.resolve("input.npy").toString(), "--out", dir2.toString()), err);
        Tensor gold = Npy.read(GOLD.resolve("logits.npy"));
        assertClose(gold, Npy.read(dir.resolve("logits.npy")), 1e-4, "onnx logits");
        assertClose(gold, Npy.read(dir2.resolve("logits.npy")), 1e-4, "folded-BN logits");
        assertEquals(0, cli("inspect", folded.toString()), err);
        assertTrue(!out.contains("BatchNorm2d") && out.contains("total (8 layers)"), out);
    }

    @Test
    void convertNamesInterpolationAndIccInTheModel() throws Exception {
        var plain = dev.candela.format.CndReader.read(convert()).preprocessing();
        assertEquals("bilinear", plain.interpolation());
        assertEquals("ignore", plain.iccProfile());
        var pre = dev.candela.format.CndReader.read(convert("--interpolation", "bilinear-antialias", "--icc", "apply")).preprocessing();
        assertEquals("bilinear-antialias", pre.interpolation());
        assertEquals("apply", pre.iccProfile());
        assertEquals("center-square", pre.geometry());
    }

    @Test
    void badInputExitsWith2AndOneLine() throws Exception {
        Path cnd = convert();
        Path dir = tmp.resolve("x");
        String[][] bad = {
                {"run", "--model", tmp.resolve("missing.cnd").toString(), "--input", GOLD.resolve("input.npy").toString(), "--out", dir.toString()},
                {"run", "--model", cnd.toString(), "--input", GOLD.resolve("input.npy").toString(), "--outputs", "featurs.2", "--out", dir.toString()},
                {"run", "--model", cnd.toString(), "--input", "testdata/golden/runtime/tiny_vgg_b1/input.npy", "--out", dir.toString()},
                {"run", "--model", ONNX.toString(), "--input", ONNX.toString(), "--out", dir.toString()},
                {"convert", ONNX.toString(), tmp.resolve("o.cnd").toString(), "--mean", "0.5,0.5", "--std", "1,1"},
                {"convert", ONNX.toString(), tmp.resolve("o.cnd").toString(), "--mean", "0.5,0.5,0.5"},
                {"convert", ONNX.toString(), tmp.resolve("o.cnd").toString(), "--input", "3xfoo"},
                {"convert", ONNX.toString(), tmp.resolve("o.cnd").toString(), "--interpolation", "bicubic"},
                {"convert", ONNX.toString(), tmp.resolve("o.cnd").toString(), "--icc", "maybe"},
                {"inspect", GOLD.resolve("input.npy").toString()},
                {"inspect", ONNX.toString(), "extra"},
                {"frobnicate"},
                {"run", "--model", cnd.toString()},
        };
        for (String[] args : bad) {
            assertEquals(2, cli(args), String.join(" ", args) + " -> " + err);
            System.out.println(String.join(" ", args) + "\n  -> " + err.strip());
            assertTrue(!err.isBlank() && err.strip().lines().count() <= 2 && !err.contains("\tat "), String.join(" ", args) + " -> " + err);
        }
        // The unknown layer lists candidates.
        cli(bad[1]);
        assertTrue(err.contains("features.2"), err);
        // A truncated model file names the file and field.
        byte[] b = Files.readAllBytes(cnd);
        Path cut = tmp.resolve("cut.cnd");
        Files.write(cut, java.util.Arrays.copyOf(b, b.length / 2));
        assertEquals(2, cli("inspect", cut.toString()));
        assertTrue(err.contains(cut.toString()) && err.contains("header length"), err);
    }

    @Test
    void runGivesTheSameBitsForOneAndTwoThreads() throws Exception {
        Path cnd = convert();
        for (String t : List.of("1", "2")) {
            assertEquals(0, cli("run", "--model", cnd.toString(), "--input", GOLD.resolve("input.npy").toString(),
                    "--outputs", "features.6", "--out", tmp.resolve("t" + t).toString(), "--threads", t), err);
        }
        for (String f : List.of("logits.npy", "features.6.npy")) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("t1").resolve(f)), Files.readAllBytes(tmp.resolve("t2").resolve(f)), f);
        }
        assertEquals(2, cli("run", "--model", cnd.toString(), "--input", GOLD.resolve("input.npy").toString(), "--out", tmp.toString(), "--threads", "0"));
    }

    @Test
    void explainLoadsConvertedModels() throws Exception {
        Path cnd = convert();
        Path dir = tmp.resolve("explain");
        assertEquals(0, cli("explain", "--model", cnd.toString(), "--input", GOLD.resolve("input.npy").toString(),
                "--method", "grad-cam", "--layer", "features.6", "--out", dir.toString(), "--threads", "1"), err);
        assertTrue(Files.exists(dir.resolve("input").resolve("grad-cam.npy")), "explain wrote its map");
    }

    @Test
    void helpAndVersion() {
        assertEquals(0, cli("--help"));
        assertTrue(out.contains("convert") && out.contains("inspect") && out.contains("run") && out.contains("explain"), out);
        assertEquals(0, cli("--version"));
    }

    @Test
    void runVerifiesAgainstTheScalarKernelsAndTracesEveryLayer() throws Exception {
        Path cnd = convert();
        Path trace = tmp.resolve("trace.jsonl");
        assertEquals(0, cli("run", "--model", cnd.toString(), "--input", GOLD.resolve("input.npy").toString(),
                "--out", tmp.resolve("v").toString(), "--verify", "--trace", trace.toString(), "--threads", "2"), err);
        assertTrue(out.contains("verify: ") && out.contains("largest relative difference"), out);
        double rel = Double.parseDouble(out.replaceAll("(?s).*largest relative difference ([0-9.eE+-]+).*", "$1"));
        assertTrue(rel < 1e-5, "fast vs scalar kernels: " + rel);
        Model m = ModelFiles.load(cnd);
        List<String> lines = Files.readAllLines(trace);
        assertEquals(m.graph().nodes().size(), lines.size(), "one trace line per node");
        assertTrue(lines.get(0).contains("\"crc32\""), lines.get(0));
    }

    @Test
    void helpListsEveryCommandInOrderAndEachCommandRunsAloneWithTheSameMessages() {
        // one command's run registers that command only (start-up); --help and help COMMAND still see them all
        assertEquals(0, cli("--help"), err);
        int last = -1;
        for (String c : List.of("explain", "convert", "inspect", "run", "evaluate", "bench", "help")) {
            int at = out.indexOf("\n  " + c + " ");
            assertTrue(at > last, c + " listed after the one before it in:\n" + out);
            last = at;
        }
        assertEquals(0, cli("help", "explain"), err);
        assertTrue(out.startsWith("Usage: candela explain"), out);
        assertEquals(2, cli("explain", "--no-such-option"), err);
        assertTrue(err.startsWith("candela explain: Unknown option: '--no-such-option'"), err);
        assertEquals(2, cli("explian", "x.png"), err);
        assertTrue(err.startsWith("candela: Unmatched arguments from index 0: 'explian'"), err);
        assertTrue(err.contains("(see 'candela --help')"), err);
    }
}
