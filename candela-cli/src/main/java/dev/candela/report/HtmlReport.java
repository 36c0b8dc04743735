package dev.candela.report;

import dev.candela.image.PngWriter;
import dev.candela.io.AtomicFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One self-contained HTML page: a grid of images (rows) x methods (columns). Every picture is inlined
 * as a base64 PNG, there is no script and no external resource, so the file can be mailed or archived
 * alone. Each row shows the predicted and the explained class with their probabilities; each cell the
 * map, the layer, the method's time, the metric scores when present and, on demand (a
 * {@code <details>} element), the coefficients behind the map.
 *
 * <p>When an image has several maps per method ({@code --target all} or {@code topK}), the page becomes a
 * grid per image instead: rows = methods, columns = classes (label and probability in the column header,
 * in the order of the targets). At most {@link #MAX_CLASS_COLUMNS} columns are shown per image; beyond
 * that (e.g. {@code --target all} on a 1000-class model) the page shows the most probable classes, most
 * probable first, and says that every class's map is in the image's output folder.
 */
public final class HtmlReport {
    private HtmlReport() {}

    /**
     * Class columns shown per image in the grid: 20 keeps a page with a few methods within tens of megabytes
     * and one screen-scroll wide, and covers every {@code top20} and a 10- or 20-class {@code --target all}.
     */
    public static final int MAX_CLASS_COLUMNS = 20;

    /** The page for {@code rows}; {@code title} and {@code model} go in the heading. */
    public static String render(String title, String model, List<ReportRow> rows) {
        return render(title, model, rows, Map.of());
    }

    /**
     * The page for {@code rows} with, above the grid, a table of per-method means ({@code means}: method to
     * metric to mean, in display order; empty for none), as written by {@code candela evaluate --report}.
     */
    public static String render(String title, String model, List<ReportRow> rows, Map<String, Map<String, Double>> means) {
        List<String> methods = methods(rows);
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
         .append("<title>").append(esc(title)).append("</title>\n<style>\n")
         .append("body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}\n")
         .append("table{border-collapse:collapse}\n")
         .append("th,td{border:1px solid #ccc;padding:6px;vertical-align:top;text-align:left}\n")
         .append("th{background:#f4f4f4}\n")
         .append("img{display:block;width:192px;height:auto;image-rendering:pixelated}\n")
         .append(".meta{font-size:12px;color:#555;margin-top:4px}\n")
         .append(".ok{color:#1a7f37}.miss{color:#b42318}\n")
         .append("details{font-size:12px}\n")
         .append(".grid td img{width:128px}\n")
         .append("details pre{max-width:192px;max-height:240px;overflow:auto;font-size:11px;background:#fafafa}\n")
         .append("</style>\n</head>\n<body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n");
        h.append("<p class=\"meta\">model: ").append(esc(model)).append(" &middot; ")
         .append(rows.size()).append(" image(s) &middot; ").append(methods.size()).append(" method(s)</p>\n");
        if (means != null && !means.isEmpty()) h.append(meansTable(means));
        if (rows.stream().anyMatch(HtmlReport::severalTargets)) {
            for (ReportRow r : rows) h.append(classGrid(r, methods));
            return h.append(footer()).toString();
        }
        h.append("<table>\n<thead><tr><th>image</th>");
        for (String m : methods) h.append("<th>").append(esc(m)).append("</th>");
        h.append("</tr></thead>\n<tbody>\n");
        for (ReportRow r : rows) {
            h.append("<tr>\n<td><img alt=\"").append(esc(r.name())).append("\" src=\"")
             .append(PngWriter.dataUri(r.view().enlarge(displayFactor(r.view().width())))).append("\">");
            h.append("<div class=\"meta\"><b>").append(esc(r.name())).append("</b><br>");
            h.append("predicted: ").append(esc(r.label(r.predicted()))).append(" (").append(r.predicted()).append(") ")
             .append(pct(r.predictedProbability())).append("<br>");
            h.append("explained: <span class=\"").append(r.target() == r.predicted() ? "ok" : "miss").append("\">")
             .append(esc(r.label(r.target()))).append(" (").append(r.target()).append(")</span> ")
             .append(pct(r.targetProbability())).append("</div></td>\n");
            for (String m : methods) {
                ReportCell c = find(r, m);
                if (c == null) {
                    h.append("<td class=\"meta\">not run</td>\n");
                    continue;
                }
                h.append("<td>").append(cell(c, r.name())).append("</td>\n");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table>\n");
        return h.append(footer()).toString();
    }

    private static String footer() {
        StringBuilder h = new StringBuilder();
        h.append("<p class=\"meta\">Maps are min-max normalised per image (jet: blue = 0, red = 1 unless stated); ")
         .append("pixel attributions use the diverging map (red positive, blue negative, white zero). ")
         .append("Times exclude the shared forward pass. Generated by Candela.</p>\n</body>\n</html>\n");
        return h.toString();
    }

    /** True when some method has more than one map for this image (several targets). */
    private static boolean severalTargets(ReportRow r) {
        Set<String> seen = new java.util.HashSet<>();
        for (ReportCell c : r.cells()) if (!seen.add(c.method())) return true;
        return false;
    }

    /**
     * One image as a grid: rows = methods, columns = the targets of the method with the most maps
     * (class label and probability in the header). Capped at {@link #MAX_CLASS_COLUMNS} columns: then the
     * most probable classes, most probable first, and a line saying where every map is.
     */
    private static String classGrid(ReportRow r, List<String> methods) {
        Columns cols = columns(r, methods);
        List<Integer> order = cols.classes(), shown = cols.shown();
        List<Double> probability = cols.probability();
        int total = order.size();
        boolean capped = total > shown.size();
        StringBuilder h = new StringBuilder();
        h.append("<h2>").append(esc(r.name())).append("</h2>\n<table class=\"grid\">\n<thead><tr><th>");
        h.append("<img alt=\"").append(esc(r.name())).append("\" src=\"")
         .append(PngWriter.dataUri(r.view().enlarge(displayFactor(r.view().width())))).append("\">");
        h.append("<div class=\"meta\">predicted: ").append(esc(r.label(r.predicted()))).append(" (").append(r.predicted()).append(") ")
         .append(pct(r.predictedProbability())).append("</div></th>");
        for (int j : shown) {
            int c = order.get(j);
            h.append("<th class=\"class\">").append(c >= 0 ? esc(r.label(c)) + " (" + c + ")" : "target " + (j + 1))
             .append("<br>").append(pct(probability.get(j))).append("</th>");
        }
        h.append("</tr></thead>\n<tbody>\n");
        for (String m : methods) {
            List<ReportCell> cs = cells(r, m);
            h.append("<tr><th>").append(esc(m)).append("</th>\n");
            for (int j : shown) {
                ReportCell c = j < cs.size() ? cs.get(j) : null;
                if (c == null) h.append("<td class=\"meta\">not run</td>\n");
                else h.append("<td>").append(cell(c, r.name() + ", " + r.label(c.classIndex()))).append("</td>\n");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table>\n");
        if (capped) {
            h.append("<p class=\"meta\">Showing the ").append(MAX_CLASS_COLUMNS).append(" most probable of ").append(total)
             .append(" classes, most probable first (the page shows at most ").append(MAX_CLASS_COLUMNS)
             .append(" per image). Every class's map is in the output folder ").append(esc(r.name()))
             .append("/ as &lt;method&gt;.&lt;row&gt;.png and, all rows stacked, &lt;method&gt;.npy (row = position in the targets).</p>\n");
        }
        return h.toString();
    }

    /** The grid's columns: every target's class and probability, and the positions shown (capped). */
    private record Columns(List<Integer> classes, List<Double> probability, List<Integer> shown) {}

    private static Columns columns(ReportRow r, List<String> methods) {
        // the targets in the order the maps were made (class order for --target all, rank for topK),
        // taken from the method with the most maps
        List<Integer> order = new ArrayList<>();
        List<Double> probability = new ArrayList<>();
        for (String m : methods) {
            List<ReportCell> cs = cells(r, m);
            if (cs.size() <= order.size()) continue;
            order.clear();
            probability.clear();
            for (ReportCell c : cs) {
                order.add(c.classIndex());
                probability.add(c.probability());
            }
        }
        List<Integer> shown = new ArrayList<>(); // positions into a method's cells
        for (int j = 0; j < order.size(); j++) shown.add(j);
        if (shown.size() > MAX_CLASS_COLUMNS) {
            // stable sort: equal probabilities keep the target order
            shown.sort((a, b) -> Double.compare(nanLast(probability.get(b)), nanLast(probability.get(a))));
            shown = new ArrayList<>(shown.subList(0, MAX_CLASS_COLUMNS));
        }
        return new Columns(order, probability, shown);
    }

    private static double nanLast(double p) { return Double.isNaN(p) ? Double.NEGATIVE_INFINITY : p; }

    private static List<ReportCell> cells(ReportRow r, String method) {
        List<ReportCell> out = new ArrayList<>();
        for (ReportCell c : r.cells()) if (c.method().equals(method)) out.add(c);
        return out;
    }

    public static void write(Path file, String title, String model, List<ReportRow> rows) {
        write(file, title, model, rows, Map.of());
    }

    public static void write(Path file, String title, String model, List<ReportRow> rows, Map<String, Map<String, Double>> means) {
        AtomicFile.write(file, render(title, model, rows, means).getBytes(StandardCharsets.UTF_8));
    }

    /** Methods (rows) x metrics (columns) of means; a metric a method has no score for is left blank. */
    private static String meansTable(Map<String, Map<String, Double>> means) {
        Set<String> metrics = new LinkedHashSet<>();
        for (Map<String, Double> m : means.values()) metrics.addAll(m.keySet());
        StringBuilder h = new StringBuilder("<h2>Means per method</h2>\n<table class=\"means\">\n<thead><tr><th>method</th>");
        for (String k : metrics) h.append("<th>").append(esc(k)).append("</th>");
        h.append("</tr></thead>\n<tbody>\n");
        for (Map.Entry<String, Map<String, Double>> e : means.entrySet()) {
            h.append("<tr><td>").append(esc(e.getKey())).append("</td>");
            for (String k : metrics) {
                Double v = e.getValue().get(k);
                h.append("<td>").append(v == null ? "" : String.format(Locale.ROOT, "%.4f", v)).append("</td>");
            }
            h.append("</tr>\n");
        }
        return h.append("</tbody>\n</table>\n<h2>Per image</h2>\n").toString();
    }

    /** Number of {@code <img>} elements {@link #render} produces: one per row plus one per cell shown. */
    public static int imageCount(List<ReportRow> rows) {
        List<String> methods = methods(rows);
        boolean grid = rows.stream().anyMatch(HtmlReport::severalTargets);
        int n = 0;
        for (ReportRow r : rows) {
            n++;
            if (!grid) {
                n += r.cells().size();
                continue;
            }
            List<Integer> shown = columns(r, methods).shown();
            for (String m : methods) {
                int have = cells(r, m).size();
                for (int j : shown) if (j < have) n++;
            }
        }
        return n;
    }

    private static String cell(ReportCell c, String image) {
        StringBuilder h = new StringBuilder();
        h.append("<img alt=\"").append(esc(c.method() + " on " + image)).append("\" src=\"")
         .append(PngWriter.dataUri(c.picture().enlarge(displayFactor(c.picture().width())))).append("\">");
        h.append("<div class=\"meta\">");
        if (!c.layer().isEmpty()) h.append("layer ").append(esc(c.layer())).append("<br>");
        h.append(String.format(Locale.ROOT, "%.1f ms", c.millis()));
        for (Map.Entry<String, Double> e : c.metrics().entrySet()) {
            h.append("<br>").append(esc(e.getKey())).append(": ").append(String.format(Locale.ROOT, "%.4f", e.getValue()));
        }
        h.append("</div>");
        if (c.coefficients() != null) {
            float[] w = c.coefficients();
            h.append("<details><summary>").append(w.length).append(" coefficients</summary><pre>");
            for (int i = 0; i < w.length; i++) h.append(i).append('\t').append(String.format(Locale.ROOT, "%.6g", w[i])).append('\n');
            h.append("</pre></details>");
        }
        return h.toString();
    }

    /** Small inputs (28x28) are enlarged by an integer factor so they do not blur in the browser. */
    private static int displayFactor(int width) {
        return width >= 160 ? 1 : Math.max(1, 192 / width);
    }

    private static ReportCell find(ReportRow r, String method) {
        for (ReportCell c : r.cells()) if (c.method().equals(method)) return c;
        return null;
    }

    private static List<String> methods(List<ReportRow> rows) {
        Set<String> s = new LinkedHashSet<>();
        for (ReportRow r : rows) for (ReportCell c : r.cells()) s.add(c.method());
        return new ArrayList<>(s);
    }

    private static String pct(double p) {
        return Double.isNaN(p) ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * p);
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }
}
