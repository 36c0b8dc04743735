package dev.candela.metrics;

import dev.candela.report.EvaluationPlots;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationTest {
    static final Executor EX = new Executor(TinyCnn.fashion(), ReferenceKernels.INSTANCE);

    static List<Sample> samples(int n) {
        Tensor x = TinyCnn.fashionImages(n);
        int[] labels = TinyCnn.fashionLabels(n);
        List<Sample> s = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Box> boxes = i % 2 == 0 ? List.of(new Box(4, 4, 24, 24)) : List.of();
            s.add(new Sample("img" + i, x.slice(i, i + 1), labels[i], boxes));
        }
        return s;
    }

    static Evaluation.Result run(long seed, int images) {
        return run(seed, images, MetricSet.ALL);
    }

    static Evaluation.Result run(long seed, int images, List<String> names) {
        Map<String, MapFunction> methods = new LinkedHashMap<>();
        methods.put("gradient-x-input", TinyCnn.gradientTimesInput());
        methods.put("grad-cam", TinyCnn.registered("grad-cam", "relu2", 0));
        methods.put("random", TinyCnn.randomMap(3));
        List<String> metrics = new ArrayList<>(names);
        metrics.remove("time-ms"); // wall time differs run to run by nature
        Evaluation e = new Evaluation(EX, new ModelScorer(EX, ModelScorer.Output.SOFTMAX, 64),
                new MetricSet(112, 10, new double[]{30, 70}, 2, seed), metrics, methods);
        return e.run(samples(images), null);
    }

    @Test void quantusMetricsWithRandomDrawsReplayWithTheSeed() {
        List<String> random = List.of("faithfulness-correlation", "monotonicity-nguyen", "max-sensitivity", "avg-sensitivity", "random-logit",
                "local-lipschitz-estimate", "relative-input-stability", "relative-output-stability", "efficient-mprt");
        Evaluation.Result a = run(1, 1, random), b = run(1, 1, random), c = run(2, 1, random);
        assertEquals(a.rows().size(), b.rows().size());
        for (int i = 0; i < a.rows().size(); i++) {
            Evaluation.Row ra = a.rows().get(i), rb = b.rows().get(i);
            assertEquals(ra.metric(), rb.metric());
            assertEquals(Double.doubleToLongBits(ra.value()), Double.doubleToLongBits(rb.value()), "same seed, same value: " + ra);
        }
        long differ = java.util.stream.IntStream.range(0, a.rows().size())
                .filter(i -> Double.compare(a.rows().get(i).value(), c.rows().get(i).value()) != 0).count();
        assertTrue(differ > a.rows().size() / 2, "another seed changes the random draws: " + differ + " of " + a.rows().size());
    }

    /** Sufficiency is scored over the run's images as one batch: the rows equal QuantusMetrics.sufficiency of the maps and predictions. */
    @Test void sufficiencyRelatesTheImagesOfTheRun() {
        int n = 6;
        Evaluation.Result r = run(0, n, List.of("sufficiency", "average-drop"));
        List<Sample> s = samples(n);
        MapFunction gc = TinyCnn.registered("grad-cam", "relu2", 0);
        List<float[]> maps = new ArrayList<>();
        int[] predicted = new int[n];
        for (int i = 0; i < n; i++) {
            int[] t = {s.get(i).target()};
            maps.add(new MapBatch(s.get(i).input(), gc.explain(EX, s.get(i).input(), t).maps(), t).map(0));
            predicted[i] = QuantusMetrics.argmax(EX.forward(s.get(i).input(), java.util.Set.of()).output().data());
        }
        double[] want = QuantusMetrics.sufficiency(maps, predicted, QuantusMetrics.SUFFICIENCY_THRESHOLD);
        List<Evaluation.Row> got = r.rows().stream().filter(x -> x.metric().equals("sufficiency") && x.method().equals("grad-cam")).toList();
        assertEquals(n, got.size());
        for (int i = 0; i < n; i++) {
            assertEquals("img" + i, got.get(i).image());
            assertEquals(want[i], got.get(i).value(), 0.0, "img" + i);
        }
        assertEquals(3 * n, r.rows().stream().filter(x -> x.metric().equals("sufficiency")).count(), "one row per image and method");
        assertTrue(r.notes().stream().anyMatch(x -> x.startsWith("sufficiency:")), "the note says it is a batch metric");
    }

    /** Sensitivity-n is one value per method for the run: QuantusMetrics.sensitivityN over all its images, no per-image rows. */
    @Test void sensitivityNIsOneValuePerRun() {
        int n = 5;
        Evaluation.Result r = run(0, n, List.of("sensitivity-n"));
        assertEquals(0, r.rows().stream().filter(x -> x.metric().equals("sensitivity-n")).count(), "no per-image rows");
        List<Sample> s = samples(n);
        MapFunction gc = TinyCnn.registered("grad-cam", "relu2", 0);
        float[] x = new float[n * 28 * 28], mp = new float[n * 28 * 28];
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = s.get(i).target();
            System.arraycopy(s.get(i).input().data(), 0, x, i * 784, 784);
            System.arraycopy(new MapBatch(s.get(i).input(), gc.explain(EX, s.get(i).input(), new int[]{t[i]}).maps(), new int[]{t[i]}).map(0), 0, mp, i * 784, 784);
        }
        MapBatch all = new MapBatch(new Tensor(dev.candela.tensor.Shape.of(n, 1, 28, 28), x), new Tensor(dev.candela.tensor.Shape.of(n, 28, 28), mp), t);
        double want = QuantusMetrics.mean(QuantusMetrics.sensitivityN(new ModelScorer(EX, ModelScorer.Output.SOFTMAX, 64), all, 112,
                QuantusMetrics.SENSITIVITY_N_MAX, 32));
        Evaluation.Stat got = r.summary().get("grad-cam").get("sensitivity-n");
        assertEquals(want, got.mean(), 0.0);
        assertEquals(n, got.n());
        assertTrue(r.notes().stream().anyMatch(z -> z.startsWith("sensitivity-n (grad-cam)")), "per-step values in the notes");
    }

    @Test void sameSeedSameNumbersAndADifferentSeedChangesOnlySeededMetrics() {
        List<String> some = List.of("average-drop", "deletion-torchcam", "road-combined", "sanity-spearman", "sanity-ssim");
        Evaluation.Result a = run(1, 2, some), b = run(1, 2, some), c = run(2, 2, some);
        assertEquals(a.rows(), b.rows());
        boolean roadDiffers = false;
        for (int i = 0; i < a.rows().size(); i++) {
            Evaluation.Row ra = a.rows().get(i), rc = c.rows().get(i);
            if (ra.metric().startsWith("road") || ra.metric().startsWith("sanity")) roadDiffers |= ra.value() != rc.value();
            else assertEquals(ra, rc, "unseeded metrics must not depend on the seed");
        }
        assertTrue(roadDiffers, "the seed reaches ROAD noise and the randomisation");
    }

    @Test void writesCsvSummaryAndPlots(@TempDir Path dir) throws Exception {
        long t0 = System.nanoTime();
        Evaluation.Result r = run(1, 2);
        long t1 = System.nanoTime();
        EvaluationReport.writeCsv(r, dir.resolve("per-image.csv"));
        EvaluationReport.writeSummary(r, Map.of("seed", 1), dir.resolve("summary.json"));
        List<Path> plots = EvaluationPlots.write(r, List.of("average-drop", "road-combined"), dir);
        System.out.printf("evaluation %.1f s, reports and plots %.1f s%n", (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
        List<String> lines = Files.readAllLines(dir.resolve("per-image.csv"));
        // 2 images x 3 methods x (13 metrics + the Quantus metrics without boxes); the pointing game and the Quantus
        // localisation metrics only on the image with boxes; no method here has coefficients; sensitivity-n has no
        // per-image rows (one value per run, in the summary)
        int quantusLoc = QuantusMetrics.LOCALISATION.size(), quantusOther = QuantusMetrics.NAMES.size() - quantusLoc - 1;
        assertEquals(1 + 2 * 3 * (13 + quantusOther) + 3 * (1 + quantusLoc), lines.size());
        JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        JsonNode del = s.get("results").get("grad-cam").get("deletion");
        assertEquals(2, del.get("n").asInt());
        assertTrue(del.get("ci95").get(0).asDouble() <= del.get("mean").asDouble());
        assertEquals(1, s.get("results").get("random").get("pointing-game").get("n").asInt());
        assertEquals(2, s.get("results").get("grad-cam").get("sensitivity-n").get("n").asInt());
        assertTrue(plots.contains(dir.resolve("deletion-curves.png")) && plots.contains(dir.resolve("bar-road-combined.png")), plots.toString());
        for (Path p : plots) assertTrue(Files.size(p) > 1000, p + " is a real PNG");
        String md = EvaluationReport.markdown(r, MetricSet.DEFAULT);
        assertTrue(md.startsWith("| method |") && md.contains("| grad-cam |"), md);
    }

    @Test void statHasTheStudentTInterval() {
        Evaluation.Stat s = Evaluation.Stat.of(new double[]{1, 2, 3, 4});
        assertEquals(2.5, s.mean(), 1e-12);
        // t_{0.975,3} = 3.182446, sd = 1.290994
        assertEquals(2.5 - 3.182446 * 1.290994 / 2, s.ciLow(), 1e-5);
        assertTrue(Double.isNaN(Evaluation.Stat.of(new double[]{1}).ciLow()));
    }
}
