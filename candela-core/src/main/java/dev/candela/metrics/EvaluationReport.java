package dev.candela.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.candela.metrics.Evaluation.Result;
import dev.candela.metrics.Evaluation.Row;
import dev.candela.metrics.Evaluation.Stat;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes an evaluation's per-image CSV, summary.json and a Markdown table. */
public final class EvaluationReport {
    private EvaluationReport() {}

    /** {@code per-image.csv}: image,method,metric,value (one row per value, full precision). */
    public static void writeCsv(Result r, Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(CSV_HEADER);
            for (Row row : r.rows()) w.write(csvLine(row));
        }
    }

    static final String CSV_HEADER = "image,method,metric,value\n";

    static String csvLine(Row row) {
        return csv(row.image()) + "," + csv(row.method()) + "," + row.metric() + "," + row.value() + "\n";
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** {@code summary.json}: per method and metric, mean, 95% CI, n, std; plus the run's settings. */
    public static void writeSummary(Result r, Map<String, Object> settings, Path file) throws IOException {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = om.createObjectNode();
        root.set("settings", om.valueToTree(settings));
        ObjectNode results = root.putObject("results");
        r.summary().forEach((method, per) -> {
            ObjectNode m = results.putObject(method);
            per.forEach((metric, st) -> {
                ObjectNode o = m.putObject(metric);
                o.put("mean", st.mean());
                ArrayNode ci = o.putArray("ci95");
                if (Double.isNaN(st.ciLow())) { ci.addNull(); ci.addNull(); } else { ci.add(st.ciLow()); ci.add(st.ciHigh()); }
                o.put("n", st.n());
                if (!Double.isNaN(st.std())) o.put("std", st.std());
                o.put("higher_is_better", MetricSet.higherIsBetter(metric));
            });
        });
        ArrayNode notes = root.putArray("notes");
        r.notes().forEach(notes::add);
        Files.writeString(file, om.writeValueAsString(root) + "\n");
    }

    /** A Markdown table: methods as rows, metrics as columns, "mean ± CI half-width". */
    public static String markdown(Result r, List<String> metrics) {
        StringBuilder sb = new StringBuilder("| method |");
        for (String m : metrics) sb.append(' ').append(m).append(MetricSet.higherIsBetter(m) ? " ↑" : " ↓").append(" |");
        sb.append("\n|---|");
        sb.append("---|".repeat(metrics.size()));
        sb.append('\n');
        r.summary().forEach((method, per) -> {
            sb.append("| ").append(method).append(" |");
            for (String m : metrics) {
                Stat s = per.get(m);
                if (s == null) sb.append(" – |");
                else if (Double.isNaN(s.ciLow())) sb.append(String.format(Locale.ROOT, " %.4f |", s.mean()));
                else sb.append(String.format(Locale.ROOT, " %.4f ± %.4f |", s.mean(), s.ciHigh() - s.mean()));
            }
            sb.append('\n');
        });
        return sb.toString();
    }
}
