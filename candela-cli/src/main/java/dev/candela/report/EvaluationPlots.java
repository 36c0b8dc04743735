package dev.candela.report;

import dev.candela.metrics.DeletionInsertion;
import dev.candela.metrics.Evaluation;
import dev.candela.metrics.MetricSet;
import dev.candela.metrics.Evaluation.MeanCurve;
import dev.candela.metrics.Evaluation.Result;
import dev.candela.metrics.Evaluation.Stat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG plots of an evaluation (XChart): mean deletion/insertion curves per method, one bar chart per metric. */
public final class EvaluationPlots {
    private EvaluationPlots() {}

    /** Writes {@code deletion-curves.png}, {@code insertion-curves.png} and {@code bar-<metric>.png}; returns the files. */
    public static List<Path> write(Result r, List<String> metrics, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Path> files = new ArrayList<>();
        for (DeletionInsertion.Kind kind : DeletionInsertion.Kind.values()) {
            String name = kind == DeletionInsertion.Kind.DELETION ? "deletion" : "insertion";
            XYChart chart = new XYChartBuilder().width(800).height(500).title(name + " curves (mean over images)")
                    .xAxisTitle("fraction of pixels " + (kind == DeletionInsertion.Kind.DELETION ? "deleted" : "inserted")).yAxisTitle("target score").build();
            int series = 0;
            for (Map.Entry<String, Map<DeletionInsertion.Kind, MeanCurve>> e : r.curves().entrySet()) {
                MeanCurve c = e.getValue().get(kind);
                if (c == null || c.n() == 0) continue;
                chart.addSeries(e.getKey() + String.format(java.util.Locale.ROOT, " (AUC %.3f)", auc(c)), c.fractions(), c.scores()).setMarker(SeriesMarkers.NONE);
                series++;
            }
            if (series == 0) continue;
            Path f = dir.resolve(name + "-curves.png");
            BitmapEncoder.saveBitmap(chart, f.toString(), BitmapEncoder.BitmapFormat.PNG);
            files.add(f);
        }
        for (String metric : metrics) {
            List<String> names = new ArrayList<>();
            List<Double> means = new ArrayList<>(), errors = new ArrayList<>();
            r.summary().forEach((method, per) -> {
                Stat s = per.get(metric);
                if (s == null) return;
                names.add(method);
                means.add(s.mean());
                errors.add(Double.isNaN(s.ciHigh()) ? 0.0 : s.ciHigh() - s.mean());
            });
            if (names.isEmpty()) continue;
            CategoryChart chart = new CategoryChartBuilder().width(900).height(500)
                    .title(metric + (MetricSet.higherIsBetter(metric) ? " (higher is better)" : " (lower is better)") + ", mean and 95% CI")
                    .xAxisTitle("method").yAxisTitle(metric).build();
            chart.getStyler().setLegendVisible(false);
            chart.getStyler().setXAxisLabelRotation(45);
            chart.addSeries(metric, names, means, errors);
            Path f = dir.resolve("bar-" + metric + ".png");
            BitmapEncoder.saveBitmap(chart, f.toString(), BitmapEncoder.BitmapFormat.PNG);
            files.add(f);
        }
        return files;
    }

    private static double auc(MeanCurve c) {
        double a = 0;
        for (int i = 1; i < c.fractions().length; i++) a += (c.fractions()[i] - c.fractions()[i - 1]) * (c.scores()[i] + c.scores()[i - 1]) / 2;
        return a;
    }
}
