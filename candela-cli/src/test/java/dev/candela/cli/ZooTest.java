package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.candela.explain.attribution.TargetWeights;
import dev.candela.format.ImportOptions;
import dev.candela.onnx.OnnxImporter;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The torchvision zoo check of issue 13 (a profile: runs only when the exported zoo is present). Set
 * {@code CANDELA_ZOO} (or -Dcandela.zoo) to the folder written by {@code tools/export_zoo.py}, optionally
 * {@code CANDELA_ZOO_MODELS=a,b} to pick models. For each model: import the ONNX file, write it as .cnd and read
 * it back (the op codec of every zoo op), run it with the fast
 * kernels and compare with PyTorch's output (max |a - e| / max |e| <= 1e-4); for classifiers, run
 * grad-cam, lift-cam, fg-cam (to the input), deeplift and lrp through the explain command and check that
 * DeepLIFT's attributions sum to logit(x) - logit(0) of the explained class within 1e-4 max(1, |Δ|). Segmentation
 * nets are explained for the class predicted on most pixels, summed over those pixels (target seg:C).
 * One line per model is appended to {@code <zoo>/results.tsv}.
 */
class ZooTest {
    static final double OUTPUT_RTOL = 1e-4, DELTA_TOL = 1e-4;
    static final String METHODS = "grad-cam,lift-cam,fg-cam,deeplift,lrp";

    @TempDir Path tmp;

    static Path zoo() {
        String z = System.getProperty("candela.zoo", System.getenv("CANDELA_ZOO"));
        return z == null || z.isBlank() ? null : Path.of(z);
    }

    static Stream<String> models() throws Exception {
        Path z = zoo();
        if (z == null || !Files.exists(z.resolve("zoo.json"))) return Stream.of("(zoo not exported)");
        String pick = System.getenv("CANDELA_ZOO_MODELS");
        List<String> names = new ArrayList<>();
        Iterator<String> it = new ObjectMapper().readTree(z.resolve("zoo.json").toFile()).get("models").fieldNames();
        while (it.hasNext()) names.add(it.next());
        if (pick != null && !pick.isBlank()) names.retainAll(List.of(pick.split(",")));
        return names.stream().sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void importsMatchesAndExplains(String name) throws Exception {
        Path z = zoo();
        Assumptions.assumeTrue(z != null && Files.exists(z.resolve("zoo.json")),
                "zoo not exported: run /usr/bin/python3 tools/export_zoo.py DIR and set CANDELA_ZOO=DIR; skipping");
        JsonNode info = new ObjectMapper().readTree(z.resolve("zoo.json").toFile()).get("models").get(name);
        long t0 = System.nanoTime();
        Model imported = OnnxImporter.importFile(z.resolve(name + ".onnx"), ImportOptions.defaults());
        double importSeconds = (System.nanoTime() - t0) / 1e9;
        // Through a .cnd file and back: every op of the zoo must round-trip (the model explained is the one read back).
        Path cnd = tmp.resolve(name + ".cnd");
        dev.candela.format.CndWriter.write(imported, cnd);
        Model model = dev.candela.format.CndReader.read(cnd);
        Tensor x = Npy.read(z.resolve(name + ".input.npy")), expected = Npy.read(z.resolve(name + ".output.npy"));
        Tensor y;
        try (Parallel par = Parallel.ofAvailable()) {
            y = Executor.fast(model, par).forward(x).output();
        }
        double maxAbs = 0, maxRef = 0;
        for (int i = 0; i < y.size(); i++) {
            maxAbs = Math.max(maxAbs, Math.abs((double) y.data()[i] - expected.data()[i]));
            maxRef = Math.max(maxRef, Math.abs(expected.data()[i]));
        }
        double rel = maxAbs / maxRef;
        String line = String.format(Locale.ROOT, "%s\toutput_rel=%.3g\timport_s=%.2f", name, rel, importSeconds);
        assertEquals(expected.shape(), y.shape(), name + " output shape");
        boolean seg = info.get("segmentation").asBoolean();
        List<String> extra = new ArrayList<>();
        int cls;
        double[] mask = null;
        if (seg) {
            // Target: the class predicted on the most pixels, summed where it is predicted (pytorch-grad-cam's
            // SemanticSegmentationTarget); CAM layer: the input of the last Resize (the low-resolution class map).
            int c = y.dim(1), hw = y.dim(2) * y.dim(3);
            int[] votes = new int[c];
            mask = new double[hw];
            for (int p = 0; p < hw; p++) {
                int best = 0;
                for (int k = 1; k < c; k++) if (y.data()[k * hw + p] > y.data()[best * hw + p]) best = k;
                votes[best]++;
            }
            cls = 0;
            for (int k = 1; k < c; k++) if (votes[k] > votes[cls]) cls = k;
            for (int p = 0; p < hw; p++) {
                int best = 0;
                for (int k = 1; k < c; k++) if (y.data()[k * hw + p] > y.data()[best * hw + p]) best = k;
                mask[p] = best == cls ? 1 : 0;
            }
            String layer = null;
            for (dev.candela.graph.Node node : model.graph().nodes()) if (node.op() instanceof dev.candela.graph.Resize2d) layer = node.inputs().get(0);
            extra.addAll(List.of("--target", "seg:" + cls, "--layer", layer));
        } else {
            cls = TargetWeights.argmax(y)[0];
        }
        Path in = tmp.resolve("x.npy");
        Npy.write(in, x);
        StringWriter err = new StringWriter();
        ExplainCommand c = new ExplainCommand(new PrintWriter(err, true));
        c.loader = p -> model;
        Path out = tmp.resolve("out");
        long t1 = System.nanoTime();
        List<String> args = new ArrayList<>(List.of("--model", in.toString(), "--input", in.toString(), "--method", METHODS, "--fg-layer", "input", "--out", out.toString()));
        args.addAll(extra);
        int status = Main.execute(c, args.toArray(String[]::new));
        double explainSeconds = (System.nanoTime() - t1) / 1e9;
        double dy = 0;
        try (Parallel par = Parallel.ofAvailable()) {
            Executor ex = Executor.fast(model, par);
            Tensor y0 = ex.forward(Tensor.zeros(x.shape())).output();
            if (seg) {
                int hw = y.dim(2) * y.dim(3);
                for (int p = 0; p < hw; p++) dy += mask[p] * ((double) y.data()[cls * hw + p] - y0.data()[cls * hw + p]);
            } else {
                dy = (double) y.data()[cls] - y0.data()[cls];
            }
        }
        double sum = status == 0 ? Npy.read(out.resolve("x").resolve("deeplift.attr.npy")).sum() : Double.NaN;
        double conservation = Math.abs(sum - dy) / Math.max(1, Math.abs(dy));
        record(z, line + String.format(Locale.ROOT, "\tdeeplift_delta=%.6g\tconservation_rel=%.3g\texplain_s(%s)=%.1f", dy, conservation, METHODS, explainSeconds));
        assertTrue(rel <= OUTPUT_RTOL, name + ": max relative output error " + rel);
        assertEquals(0, status, name + ": explain failed: " + err);
        assertTrue(conservation <= DELTA_TOL, name + ": DeepLIFT sum " + sum + " vs logit difference " + dy);
    }

    static synchronized void record(Path zoo, String line) throws Exception {
        System.out.println("[zoo] " + line);
        Files.writeString(zoo.resolve("results.tsv"), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
