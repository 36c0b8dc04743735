package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.candela.image.Npy;
import dev.candela.metrics.TinyCnn;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluate command end to end on the tiny Fashion-MNIST CNN (model loading injected). */
class EvaluateCommandTest {

    static int run(Path dir, StringWriter err, String... args) {
        EvaluateCommand cmd = new EvaluateCommand();
        cmd.loader = p -> TinyCnn.fashion();
        cmd.writeTo(new PrintWriter(err, true), new PrintWriter(System.out, true));
        return Main.execute(cmd, args);
    }

    @Test void evaluatesEveryMethodAndMetricAndWritesTheFiles(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Npy.write(in.resolve("fashion.npy"), TinyCnn.fashionImages(3));
        int[] labels = TinyCnn.fashionLabels(3);
        Files.writeString(dir.resolve("ann.csv"), "image,label,x0,y0,x1,y1\nfashion-0," + labels[0] + ",4,4,24,24\nfashion-1," + labels[1] + ",,,,\n");
        Path model = Files.writeString(dir.resolve("model.cnd"), "stand-in");
        Path out = dir.resolve("out");
        StringWriter err = new StringWriter();
        int code = run(dir, err, "--model", model.toString(), "--input", in.toString(), "--annotations", dir.resolve("ann.csv").toString(),
                "--method", "grad-cam,random-cam,gradient-x-input", "--metric", "all", "--out", out.toString(),
                "--road-percentiles", "30,70", "--sanity-layers", "1", "--shapley-pairs", "4", "--step", "98", "--threads", "1");
        assertEquals(0, code, err.toString());
        for (String f : new String[]{"per-image.csv", "summary.json", "summary.md", "deletion-curves.png", "insertion-curves.png", "bar-average-drop.png"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(3, s.get("settings").get("images").asInt());
        assertEquals(3, s.get("results").get("grad-cam").get("deletion").get("n").asInt());
        assertEquals(1, s.get("results").get("grad-cam").get("pointing-game").get("n").asInt(), "only fashion-0 has a box");
        assertTrue(Files.readString(out.resolve("per-image.csv")).contains("fashion-2,random-cam,road-combined,"));
        // grad-cam weights channels: its coefficients are compared with the Shapley reference (16 maps at relu2: sampled)
        JsonNode fid = s.get("results").get("grad-cam").get("shapley-spearman");
        assertEquals(3, fid.get("n").asInt());
        assertTrue(fid.get("mean").asDouble() > 0.3, "Grad-CAM weights should rank channels like Shapley values on a GAP+linear head: " + fid);
        assertTrue(s.get("results").get("gradient-x-input").get("shapley-spearman") == null);
        assertTrue(s.get("settings").get("images_per_second").asDouble() > 0, "images per second in the summary");
        assertEquals("bilinear", s.get("settings").get("preprocessing").get("interpolation").asText());
        assertEquals("ignore", s.get("settings").get("preprocessing").get("icc_profile").asText());
        // not a terminal: plain progress lines, the last one says all steps are done
        assertTrue(err.toString().contains("candela evaluate: 9/9 ("), err.toString());
    }

    @Test void irofAndMonotonicityAryaByName(@TempDir Path dir) throws Exception {
        Npy.write(dir.resolve("fashion.npy"), TinyCnn.fashionImages(2));
        Path model = Files.writeString(dir.resolve("model.cnd"), "stand-in");
        Path out = dir.resolve("out");
        StringWriter err = new StringWriter();
        int code = run(dir, err, "--model", model.toString(), "--input", dir.resolve("fashion.npy").toString(), "--method", "grad-cam,gradient-x-input",
                "--metric", "irof,monotonicity-arya", "--out", out.toString(), "--threads", "1");
        assertEquals(0, code, err.toString());
        int irof = 0, arya = 0;
        for (String line : Files.readAllLines(out.resolve("per-image.csv")).subList(1, 9)) {
            String[] f = line.split(",");
            double v = Double.parseDouble(f[3]);
            if (f[2].equals("irof")) { irof++; assertTrue(Double.isFinite(v), line); }
            if (f[2].equals("monotonicity-arya")) { arya++; assertTrue(v == 0 || v == 1, "a verdict: " + line); }
        }
        assertEquals(4, irof);
        assertEquals(4, arya);
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        for (String m : new String[]{"irof", "monotonicity-arya"}) assertEquals(2, s.get("results").get("grad-cam").get(m).get("n").asInt(), m);
    }

    @Test void rowsReachPerImageCsvAsTheyAreComputed(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Npy.write(in.resolve("a.npy"), TinyCnn.fashionImages(2));
        Path model = Files.writeString(dir.resolve("model.cnd"), "stand-in");
        Path outDir = dir.resolve("out");
        EvaluateCommand cmd = new EvaluateCommand();
        cmd.loader = p -> TinyCnn.fashion();
        StringWriter err = new StringWriter();
        // the progress writer looks at per-image.csv when the first image x method is done: its rows are there already
        java.util.List<String> seen = new java.util.ArrayList<>();
        cmd.writeTo(new PrintWriter(err, true) {
            @Override public PrintWriter printf(String format, Object... args) {
                try {
                    if (seen.isEmpty()) seen.add(Files.readString(outDir.resolve("per-image.csv")));
                } catch (java.io.IOException e) {
                    seen.add("unreadable: " + e);
                }
                return super.printf(format, args);
            }
        }, new PrintWriter(System.out, true));
        int code = Main.execute(cmd, "--model", model.toString(), "--input", in.toString(), "--method", "grad-cam,random-cam",
                "--metric", "average-drop,deletion", "--out", outDir.toString(), "--step", "98", "--threads", "1");
        assertEquals(0, code, err.toString());
        assertTrue(seen.get(0).startsWith("image,method,metric,value\na-0,grad-cam,average-drop,"), seen.get(0));
        assertEquals(3, seen.get(0).lines().count(), "header + the two rows of the first image x method: " + seen.get(0));
        assertEquals(1 + 2 * 2 * 2, Files.readAllLines(outDir.resolve("per-image.csv")).size());
    }

    @Test void reportHasOneMapPerImageAndMethodWithItsScoresAndTheMeans(@TempDir Path dir) throws Exception {
        Npy.write(dir.resolve("fashion.npy"), TinyCnn.fashionImages(2));
        Path out = dir.resolve("out"), report = dir.resolve("sub").resolve("report.html");
        StringWriter err = new StringWriter();
        Path model = Files.writeString(dir.resolve("model.cnd"), "stand-in");
        int code = run(dir, err, "--model", model.toString(), "--input", dir.resolve("fashion.npy").toString(), "--method", "grad-cam,gradient-x-input",
                "--metric", "average-drop,deletion,sanity-spearman", "--sanity-layers", "1", "--step", "98", "--threads", "1",
                "--out", out.toString(), "--report", report.toString());
        assertEquals(0, code, err.toString());
        assertTrue(Files.exists(report), "report written");
        String html = Files.readString(report);
        // one <img> per image (the input) plus one per image x method; no external resource
        assertEquals(2 * (1 + 2), html.split("<img ", -1).length - 1);
        for (String image : new String[]{"fashion-0", "fashion-1"}) {
            for (String method : new String[]{"grad-cam", "gradient-x-input"}) {
                assertTrue(html.contains("alt=\"" + method + " on " + image + "\""), method + " on " + image);
            }
        }
        assertTrue(!html.contains("src=\"http") && !html.contains("<script"), "self-contained");
        // each cell carries its own scores: the per-image values of per-image.csv
        int checked = 0;
        for (String line : Files.readAllLines(out.resolve("per-image.csv"))) {
            String[] f = line.split(",");
            if (f[0].equals("fashion-1") && f[1].equals("grad-cam") && f[2].equals("deletion")) {
                assertTrue(html.contains("deletion: " + String.format(java.util.Locale.ROOT, "%.4f", Double.parseDouble(f[3]))), line);
            }
        }
        assertTrue(html.contains("average-drop: ") && html.contains("sanity-spearman: "), "metric names in the cells");
        // and the page has the per-method means of summary.json
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        double mean = s.get("results").get("gradient-x-input").get("average-drop").get("mean").asDouble();
        assertTrue(html.contains("Means per method") && html.contains(String.format(java.util.Locale.ROOT, "%.4f", mean)), "mean " + mean);
    }

    @Test void badMetricIsExitTwoWithTheKnownNames(@TempDir Path dir) throws Exception {
        Npy.write(dir.resolve("x.npy"), TinyCnn.fashionImages(1));
        StringWriter err = new StringWriter();
        int code = run(dir, err, "--model", "m.cnd", "--input", dir.resolve("x.npy").toString(), "--method", "grad-cam", "--metric", "deletionn", "--out", dir.resolve("o").toString());
        assertEquals(2, code);
        assertTrue(err.toString().contains("unknown metric 'deletionn'") && err.toString().contains("road-combined"), err.toString());
    }

    @Test void badAnnotationsNameTheLine(@TempDir Path dir) throws Exception {
        Npy.write(dir.resolve("x.npy"), TinyCnn.fashionImages(1));
        Files.writeString(dir.resolve("a.csv"), "image,label\nx,42\n");
        StringWriter err = new StringWriter();
        int code = run(dir, err, "--model", "m.cnd", "--input", dir.resolve("x.npy").toString(), "--annotations", dir.resolve("a.csv").toString(),
                "--method", "grad-cam", "--metric", "deletion", "--out", dir.resolve("o").toString());
        assertEquals(2, code);
        assertTrue(err.toString().contains("line 2") && err.toString().contains("outside the model's 10 classes"), err.toString());
    }

    static String failing(Path dir, String csv) throws Exception {
        Npy.write(dir.resolve("x.npy"), TinyCnn.fashionImages(1));
        Files.writeString(dir.resolve("a.csv"), csv);
        StringWriter err = new StringWriter();
        int code = run(dir, err, "--model", "m.cnd", "--input", dir.resolve("x.npy").toString(), "--annotations", dir.resolve("a.csv").toString(),
                "--method", "grad-cam", "--metric", "pointing-game", "--out", dir.resolve("o").toString());
        assertEquals(2, code, err.toString());
        return err.toString();
    }

    @Test void aHeaderWithPartOfTheBoxColumnsIsRefused(@TempDir Path dir) throws Exception {
        String err = failing(dir, "image,label,x0\nx,1,3\n");
        assertTrue(err.contains("a.csv") && err.contains("header must be"), err);
    }

    @Test void aRowWithPartOfABoxIsRefusedNamingTheLine(@TempDir Path dir) throws Exception {
        String err = failing(dir, "image,label,x0,y0,x1,y1\nx,1,0,0,,\n");
        assertTrue(err.contains("line 2") && err.contains("all of x0,y0,x1,y1"), err);
        err = failing(dir, "image,label,x0,y0,x1,y1\nx,1,0,0\n");
        assertTrue(err.contains("line 2") && err.contains("expected 6 fields"), err);
    }

    @Test void aBoxOutsideTheModelInputIsRefused(@TempDir Path dir) throws Exception {
        String err = failing(dir, "image,label,x0,y0,x1,y1\nx,1,0,0,29,10\n");
        assertTrue(err.contains("does not fit the model input (28 x 28 pixels"), err);
    }

    @Test void inputsWithoutAnAnnotationRowAreNamedInAWarningAndTheSummary(@TempDir Path dir) throws Exception {
        Npy.write(dir.resolve("x.npy"), TinyCnn.fashionImages(1));
        Files.writeString(dir.resolve("a.csv"), "image,label\nother,1\n");
        Path model = Files.writeString(dir.resolve("model.cnd"), "stand-in");
        StringWriter err = new StringWriter();
        Path out = dir.resolve("o");
        int code = run(dir, err, "--model", model.toString(), "--input", dir.resolve("x.npy").toString(), "--annotations", dir.resolve("a.csv").toString(),
                "--method", "grad-cam", "--metric", "deletion", "--out", out.toString());
        assertEquals(0, code, err.toString());
        assertTrue(err.toString().contains("warning: 1 input(s) have no row in") && err.toString().contains(": x"), err.toString());
        JsonNode notes = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("notes");
        assertTrue(notes.toString().contains("scored for their predicted class: x"), notes.toString());
    }

    @Test void isASubcommandOfMain() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new String[]{"evaluate", "--help"}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("--annotations") && out.toString().contains("--metric"), out.toString());
    }

    @Test void unknownModelFileIsExitTwo(@TempDir Path dir) throws Exception {
        Npy.write(dir.resolve("x.npy"), TinyCnn.fashionImages(1));
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new String[]{"evaluate", "--model", dir.resolve("missing.cnd").toString(), "--input", dir.resolve("x.npy").toString(),
                "--method", "grad-cam", "--out", dir.resolve("o").toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("missing.cnd"), err.toString());
    }

    /** --sanity-skip names a method with several options as --method labels it (its commas are not list commas), spaces allowed. */
    @Test void sanitySkipTakesLabelsWithOptions(@TempDir Path dir) throws Exception {
        Npy.write(dir.resolve("fashion.npy"), TinyCnn.fashionImages(1));
        Path model = Files.writeString(dir.resolve("model.cnd"), "stand-in");
        Path out = dir.resolve("out");
        StringWriter err = new StringWriter();
        String smooth = "smoothgrad(samples=2,noise=0.1)";
        int code = run(dir, err, "--model", model.toString(), "--input", dir.resolve("fashion.npy").toString(), "--method", "gradient,gradient-x-input," + smooth,
                "--metric", "sanity-spearman", "--sanity-layers", "1", "--sanity-skip", smooth + ", gradient-x-input", "--out", out.toString(), "--threads", "1");
        assertEquals(0, code, err.toString());
        JsonNode r = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("results");
        assertTrue(r.get("gradient").get("sanity-spearman") != null, r.toString());
        assertTrue(r.get(smooth) != null, "the label is " + r.fieldNames());
        assertTrue(r.get(smooth).get("sanity-spearman") == null, r.toString());
        assertTrue(r.get("gradient-x-input").get("sanity-spearman") == null, r.toString());
    }
}
