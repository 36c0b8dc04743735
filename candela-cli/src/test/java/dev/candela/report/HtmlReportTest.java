package dev.candela.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.candela.image.Colormap;
import dev.candela.image.ImageLoader;
import dev.candela.image.Overlay;
import dev.candela.image.Picture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
    @TempDir
    Path dir;

    static final List<String> LABELS = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** 3 images x 4 methods, one method missing on one image, synthetic maps. */
    static List<ReportRow> rows() {
        List<ReportRow> rows = new ArrayList<>();
        String[] methods = {"grad-cam", "score-cam", "fg-cam", "deeplift"};
        for (int i = 0; i < 3; i++) {
            int w = i == 2 ? 224 : 28;
            float[] g = new float[w * w], map = new float[w * w];
            for (int k = 0; k < g.length; k++) {
                g[k] = (k * 7 + i * 31) % 256;
                map[k] = (float) (k % w) / w;
            }
            Picture view = Picture.gray(w, w, g);
            List<ReportCell> cells = new ArrayList<>();
            for (int m = 0; m < methods.length; m++) {
                if (i == 1 && m == 2) continue;
                Picture pic = methods[m].equals("deeplift") ? Overlay.signed(shift(map), w, w, 99)
                        : Overlay.overlay(view, map, w, w, Colormap.JET, 0.5f);
                Map<String, Double> metrics = new LinkedHashMap<>();
                if (m == 0) metrics.put("average-drop", 12.5);
                cells.add(new ReportCell(methods[m], m == 3 ? "" : "stage3", pic, 3.25 * (m + 1),
                        m == 0 ? new float[]{0.5f, -0.25f, 1e-3f} : null, metrics));
            }
            rows.add(new ReportRow("img<" + i + ">.png", view, i, 0.9 - 0.1 * i, i == 0 ? 3 : i, 0.05, LABELS, cells));
        }
        return rows;
    }

    static float[] shift(float[] m) {
        float[] s = m.clone();
        for (int i = 0; i < s.length; i++) s[i] -= 0.5f;
        return s;
    }

    @Test
    void pageIsSelfContainedWithOneImagePerCellAndRow() {
        List<ReportRow> rows = rows();
        String html = HtmlReport.render("Candela & co", "fashion-vgg.cnd", rows);
        assertEquals(3 + 11, HtmlReport.imageCount(rows));
        assertEquals(HtmlReport.imageCount(rows), count(html, "<img "));
        assertEquals(HtmlReport.imageCount(rows), count(html, "src=\"data:image/png;base64,"));
        assertFalse(Pattern.compile("(src|href)=\"(?!data:)").matcher(html).find(), "no external resources");
        assertFalse(html.contains("<script"), "no script");
        assertTrue(html.contains("img&lt;1&gt;.png"), "names are escaped");
        assertTrue(html.contains("<td class=\"meta\">not run</td>"), "missing method shown as such");
        assertTrue(html.contains("3 coefficients") && html.contains("-0.250000"), "coefficients on demand");
        assertTrue(html.contains("average-drop: 12.5000"), "metric shown");
        assertTrue(html.contains("predicted: T-shirt/top (0) 90.0%") && html.contains("explained: <span class=\"miss\">Dress (3)</span>"), "classes shown");
    }

    /** --target all on a 1000-class model: one grid row per method, the 20 most probable classes as columns, the cap stated. */
    @Test
    void aThousandClassGridShowsTheMostProbableColumnsAndStatesTheCap() {
        int classes = 1000, cap = HtmlReport.MAX_CLASS_COLUMNS;
        Picture view = Picture.gray(4, 4, new float[16]);
        List<String> labels = new ArrayList<>();
        for (int c = 0; c < classes; c++) labels.add("label-" + c);
        List<ReportCell> cells = new ArrayList<>();
        for (String m : new String[]{"grad-cam", "lift-cam"}) {
            for (int c = 0; c < classes; c++) {
                double p = ((c * 7919L) % classes) / 500500.0; // distinct, sums to 1; largest at class c with 7919c = 999 (mod 1000)
                cells.add(new ReportCell(m, "l", view, 1, null, Map.of(), c, p));
            }
        }
        List<ReportRow> rows = List.of(new ReportRow("photo", view, 0, 0.5, 0, 0.5, labels, cells));
        String html = HtmlReport.render("t", "m", rows);
        assertEquals(1 + 2 * cap, count(html, "<img "), "the image and methods x the capped columns");
        assertEquals(HtmlReport.imageCount(rows), count(html, "<img "));
        Matcher h = Pattern.compile("<th class=\"class\">label-(\\d+) \\((\\d+)\\)<br>").matcher(html);
        List<Integer> shown = new ArrayList<>();
        while (h.find()) shown.add(Integer.parseInt(h.group(1)));
        assertEquals(cap, shown.size());
        for (int j = 0; j < cap; j++) assertEquals(classes - 1 - j, (shown.get(j) * 7919L) % classes, "column " + j + " is the " + (j + 1) + "th most probable");
        assertTrue(html.contains("Showing the " + cap + " most probable of 1000 classes, most probable first"), "the cap is stated");
        assertTrue(html.length() < 2_000_000, "page size " + html.length());
    }

    @Test
    void writtenAtomically() throws IOException {
        Path f = dir.resolve("out/report.html");
        HtmlReport.write(f, "t", "m", rows());
        assertTrue(Files.readString(f).endsWith("</html>\n"));
        try (var s = Files.list(f.getParent())) {
            assertEquals(1, s.count());
        }
    }

    /** Renders the page in headless Chromium: the DOM it builds has every image, and a screenshot is taken. */
    @Test
    void rendersInHeadlessChromium() throws Exception {
        Path chromium = Chromium.find();
        assumeTrue(chromium != null, "chromium not installed (apt-get install chromium): skipping the browser rendering check");
        List<ReportRow> rows = rows();
        Path page = dir.resolve("report.html");
        HtmlReport.write(page, "Candela report test", "fashion-vgg.cnd", rows);
        Chromium.Result r = Chromium.render(chromium, page, dir.resolve("shot.png"));
        assertEquals(HtmlReport.imageCount(rows), count(r.dom(), "<img "), "images in the DOM Chromium built");
        Picture shot = ImageLoader.load(dir.resolve("shot.png"));
        assertTrue(shot.width() >= 800, "screenshot width " + shot.width());
        float min = Float.MAX_VALUE, max = -1;
        for (float v : shot.rgb()) { min = Math.min(min, v); max = Math.max(max, v); }
        assertTrue(max - min > 100, "screenshot is not blank");
        assertFalse(r.log().contains("Uncaught"), r.log());
    }

    static int count(String s, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(s);
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
