package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.graph.GraphBuilder;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code explain --target all|topK --report}: per image a grid of methods (rows) x classes (columns). */
class ExplainReportGridTest {
    @TempDir Path tmp;
    private final StringWriter err = new StringWriter();

    static final List<String> LABELS = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** A 10-class CNN with labels (conv, ReLU, global average pool, linear). */
    private static Model model(int classes, List<String> labels) {
        GraphBuilder b = new GraphBuilder("input", Shape.of(3, 12, 10), 3);
        String x = b.conv("conv1", "input", 6, 3, 1, 1);
        x = b.relu("feat", x);
        x = b.globalAvgPool("gap", x);
        x = b.flatten("flat", x);
        b.linear("logits", x, classes);
        Model m = b.build("logits");
        return new Model(m.graph(), m.preprocessing(), labels, m.source());
    }

    private String report(Model m, String target, String methods) throws Exception {
        Random r = new Random(3);
        float[] d = new float[3 * 12 * 10];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        Path in = tmp.resolve("img.npy"), out = tmp.resolve("out-" + target), page = tmp.resolve("report-" + target + ".html");
        Npy.write(in, Tensor.of(d, 1, 3, 12, 10));
        ExplainCommand c = new ExplainCommand(new PrintWriter(err, true), new PrintWriter(new StringWriter(), true));
        c.loader = p -> m;
        assertEquals(0, Main.execute(c, "--model", in.toString(), "--input", in.toString(), "--method", methods, "--layer", "feat",
                "--target", target, "--threads", "1", "--out", out.toString(), "--report", page.toString()), err.toString());
        return Files.readString(page);
    }

    /** The class headers of the grid, in page order. */
    private static List<String> headers(String html) {
        List<String> out = new ArrayList<>();
        Matcher h = Pattern.compile("<th class=\"class\">(.*?)<br>([0-9.]+)%</th>").matcher(html);
        while (h.find()) out.add(h.group(1));
        return out;
    }

    private static List<Double> probabilities(String html) {
        List<Double> out = new ArrayList<>();
        Matcher h = Pattern.compile("<th class=\"class\">(.*?)<br>([0-9.]+)%</th>").matcher(html);
        while (h.find()) out.add(Double.parseDouble(h.group(2)));
        return out;
    }

    private static int count(String s, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(s);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    @Test
    void targetAllOnTenClassesIsAGridOfMethodsTimesClassesWithLabelsInClassOrder() throws Exception {
        String html = report(model(10, LABELS), "all", "grad-cam,score-cam,lift-cam");
        // cells = methods x classes, each an inline overlay; plus the image itself
        assertEquals(3 * 10, count(html, "<td><img "), "one cell per method and class");
        assertEquals(3 * 10 + 1, count(html, "<img "));
        assertEquals(count(html, "<img "), count(html, "src=\"data:image/png;base64,"), "every picture inline");
        assertFalse(html.contains("<script"), "no script");
        assertFalse(Pattern.compile("(src|href)=\"(?!data:)").matcher(html).find(), "no external resources");
        List<String> expected = new ArrayList<>();
        for (int c = 0; c < 10; c++) expected.add(LABELS.get(c) + " (" + c + ")");
        assertEquals(expected, headers(html), "column headers: labels in class order (the order of --target all)");
        double sum = probabilities(html).stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(100, sum, 0.5, "the column probabilities are the softmax over the 10 classes (rounded to 0.1%)");
        for (String m : List.of("grad-cam", "score-cam", "lift-cam")) assertTrue(html.contains("<tr><th>" + m + "</th>"), m + " is a row");
        assertFalse(html.contains("most probable of"), "no cap for 10 classes");
    }

    @Test
    void topKColumnsFollowTheRankOfTheTargets() throws Exception {
        String html = report(model(10, LABELS), "top3", "grad-cam,cam");
        assertEquals(2 * 3, count(html, "<td><img "));
        List<Double> p = probabilities(html);
        assertEquals(3, p.size());
        assertTrue(p.get(0) >= p.get(1) && p.get(1) >= p.get(2), "top-k columns most probable first: " + p);
    }

    /** Beyond the cap (60 classes here; the 1000-class page is HtmlReportTest's) the page shows the most probable, says so, and the folder has every map. */
    @Test
    void moreClassesThanTheCapShowTheMostProbableAndThePageSaysSo() throws Exception {
        String html = report(model(60, List.of()), "all", "grad-cam");
        int cap = dev.candela.report.HtmlReport.MAX_CLASS_COLUMNS;
        assertEquals(cap, count(html, "<td><img "), "the page shows the capped number of columns");
        List<Double> p = probabilities(html);
        for (int j = 1; j < p.size(); j++) assertTrue(p.get(j - 1) >= p.get(j), "most probable first: " + p);
        assertTrue(html.contains("Showing the " + cap + " most probable of 60 classes"), "the cap is stated");
        assertTrue(html.contains("Every class's map is in the output folder img/"), "the page says where every map is");
        assertEquals(60, Npy.read(tmp.resolve("out-all").resolve("img").resolve("grad-cam.npy")).dim(0), "the folder holds every class's map");
    }
}
