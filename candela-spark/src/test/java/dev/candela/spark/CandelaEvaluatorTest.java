package dev.candela.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.count;

import dev.candela.explainer.Explainer;
import dev.candela.explainer.Method;
import dev.candela.explain.Target;
import dev.candela.format.ModelFiles;
import dev.candela.graph.Model;
import dev.candela.image.Preprocessor;
import dev.candela.metrics.Evaluation;
import dev.candela.metrics.MapFunction;
import dev.candela.metrics.MetricSet;
import dev.candela.metrics.ModelScorer;
import dev.candela.metrics.Road;
import dev.candela.metrics.Sample;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics transformer against the single-JVM evaluation as {@code candela evaluate} runs it (one Evaluation
 * over all images in order, each method through a session and {@link Method#explain}): every metric value equal,
 * bit for bit, for the deterministic methods, whatever the partitioning; the groupBy means equal the summary's.
 */
class CandelaEvaluatorTest {
    static final String METHODS = "grad-cam,gradient";
    static final String METRICS = "average-drop,increase-in-confidence,deletion,insertion,sanity-spearman,sparseness,time-ms";

    static CandelaEvaluator evaluator() {
        return new CandelaEvaluator().setModelPath(SparkTests.MODEL).setMethods(METHODS).setMetrics(METRICS).setTargetCol("label").setSeed(5);
    }

    @Test void sameNumbersAsTheSingleJvmEvaluation() throws Exception {
        Dataset<Row> scores = evaluator().transform(SparkTests.labelled().repartition(3)).cache();
        List<Row> rows = scores.collectAsList();
        assertEquals(11 * 2, rows.size());
        List<String> metrics = MetricSet.parse(METRICS);

        // the CLI's evaluation in one JVM: all samples in name order, one Evaluation
        Model model = ModelFiles.load(Path.of(SparkTests.MODEL));
        Preprocessor pre = new Preprocessor(model);
        List<Sample> samples = new ArrayList<>();
        try (var files = java.nio.file.Files.list(SparkTests.images())) {
            for (Path f : files.sorted().toList()) {
                String stem = ImageRows.stem(f.toString());
                if (stem.equals("broken")) continue;
                int label = Integer.parseInt(stem.split("-")[1]);
                samples.add(new Sample(stem, pre.prepare(pre.load(f)).input(), label, List.of()));
            }
        }
        List<Method> methods = ExplainSettingsTestAccess.methods(METHODS, model);
        Evaluation.Result want;
        try (Parallel parallel = new Parallel(2)) {
            Executor ex = Executor.fast(model, parallel);
            Map<String, MapFunction> fns = new LinkedHashMap<>();
            for (Method m : methods) {
                fns.put(m.label(), new MapFunction() {
                    @Override public Tensor maps(Executor e, Tensor x, int[] t) { return explain(e, x, t).maps(); }

                    @Override public Output explain(Executor e, Tensor x, int[] t) {
                        List<Target> ts = new ArrayList<>();
                        for (int c : t) ts.add(Target.classIndex(c));
                        var r = Explainer.Request.defaults().targets(ts).options(dev.candela.explain.cam.CamOptions.defaults().withSeed(5));
                        var out = m.explain(Explainer.of(e).session(x, r));
                        return new Output(out.maps(), out.layers().isEmpty() ? null : out.layers().get(0), out.coefficients());
                    }
                });
            }
            MetricSet set = new MetricSet(28, 20, Road.DEFAULT_PERCENTILES, 3, 5);
            want = new Evaluation(ex, new ModelScorer(ex, ModelScorer.Output.SOFTMAX, 64), set, metrics, fns).run(samples, null);
        }
        Map<String, Double> expected = new HashMap<>();
        for (Evaluation.Row r : want.rows()) expected.put(r.image() + "|" + r.method() + "|" + r.metric(), r.value());
        int compared = 0;
        for (Row r : rows) {
            String image = r.getAs("image");
            if (image.equals("broken")) {
                assertNotNull(r.getAs("error"));
                assertNull(r.getAs("deletion"));
                continue;
            }
            assertNull(r.getAs("error"), image);
            for (String metric : metrics) {
                if (metric.equals("time-ms")) continue;
                Double got = r.getAs(EvaluatePartition.column(metric));
                Double exp = expected.get(image + "|" + r.getAs("method") + "|" + metric);
                assertNotNull(exp, image + " " + metric);
                assertEquals(Double.doubleToLongBits(exp), Double.doubleToLongBits(got), image + " " + r.getAs("method") + " " + metric + ": " + exp + " vs " + got);
                compared++;
            }
        }
        assertEquals(10 * 2 * (metrics.size() - 1), compared);

        // an evaluation is one transform and a groupBy
        List<Row> means = scores.filter("error is null").groupBy("method").agg(avg("deletion").as("deletion"), avg("insertion").as("insertion"), count("*").as("n"))
                .collectAsList();
        assertEquals(2, means.size());
        for (Row r : means) {
            Evaluation.Stat d = want.summary().get((String) r.getAs("method")).get("deletion");
            assertEquals(d.mean(), (double) r.getAs("deletion"), 1e-12);
            assertEquals(10L, (long) r.getAs("n"));
        }
        scores.unpersist();
    }

    @Test void savesAndLoads(@TempDir Path saved) throws Exception {
        CandelaEvaluator a = evaluator();
        a.write().overwrite().save(saved.resolve("evaluator").toString());
        CandelaEvaluator b = CandelaEvaluator.load(saved.resolve("evaluator").toString());
        assertEquals(METRICS, b.getMetrics());
        assertEquals(METHODS, b.getMethods());
        assertEquals(5L, b.getSeed());
        assertTrue(b.transformSchema(SparkTests.labelled().schema()).fieldNames().length == 5 + 7);
    }

    /**
     * The evaluator's params become {@code candela evaluate} arguments set up by the CLI's own code: with a seeded
     * perturbation method, ROAD noise, a sanity check with a skip list and a deletion step, every value equals the
     * CLI's per-image.csv for the same image (the CLI run is on the labelled images, as the target column gives).
     */
    @Test void paramsGiveTheCliEvaluationOfEachImage(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        List<String> names = List.of("fashion-0-t-shirt-top.png", "fashion-7-sneaker.png");
        for (String f : names) Files.copy(SparkTests.images().resolve(f), in.resolve(f));
        Path ann = dir.resolve("labels.csv");
        Files.writeString(ann, "image,label\nfashion-0-t-shirt-top,0\nfashion-7-sneaker,7\n");
        String methods = "score-cam,gradient", metrics = "deletion,road-morf,sanity-spearman";
        StringWriter err = new StringWriter();
        int code = dev.candela.cli.Main.run(new String[]{"evaluate", "--model", SparkTests.MODEL, "--input", in.toString(), "--annotations", ann.toString(),
                "--method", methods, "--metric", metrics, "--seed", "3", "--step", "112", "--sanity-skip", "score-cam", "--cam-batch-size", "7",
                "--threads", "1", "--out", dir.resolve("cli").toString()}, new PrintWriter(System.out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        Map<String, Double> cli = new HashMap<>();
        List<String> lines = Files.readAllLines(dir.resolve("cli").resolve("per-image.csv"));
        List<String> header = List.of(lines.get(0).split(","));
        int im = header.indexOf("image"), me = header.indexOf("method"), mt = header.indexOf("metric"), va = header.indexOf("value");
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",");
            cli.put(c[im] + "|" + c[me] + "|" + c[mt], Double.parseDouble(c[va]));
        }
        List<Row> rows = new CandelaEvaluator().setModelPath(SparkTests.MODEL).setMethods(methods).setMetrics(metrics).setTargetCol("label")
                .setSeed(3).setStep(112).setSanitySkip(" score-cam, ").setCamBatchSize(7) // spaces as a Spark user types them
                .transform(SparkTests.labelled().filter("label in (0, 7)").repartition(2)).collectAsList();
        assertEquals(4, rows.size());
        int compared = 0;
        for (Row r : rows) {
            for (String metric : MetricSet.parse(metrics)) {
                Double got = r.getAs(EvaluatePartition.column(metric));
                Double want = cli.get(r.getAs("image") + "|" + r.getAs("method") + "|" + metric);
                if (want == null) {
                    assertNull(got, r.getAs("image") + " " + r.getAs("method") + " " + metric + " (not in the CLI's rows)");
                    continue;
                }
                assertEquals(want, got, Math.ulp(want) * 4, r.getAs("image") + " " + r.getAs("method") + " " + metric);
                compared++;
            }
        }
        assertEquals(2 * 2 * 3 - 2, compared); // score-cam's sanity values are skipped in both
    }

    /** A bad param value fails on the driver, before any task, with an IllegalArgumentException that names the param. */
    @Test void badParamsAreNamedByTheirParam() {
        var schema = SparkTests.labelled().schema();
        Map<String, CandelaEvaluator> bad = new LinkedHashMap<>();
        bad.put("score", evaluator().setScore("probit"));
        bad.put("batchSize", evaluator().setBatchSize(0));
        bad.put("camBatchSize", evaluator().setCamBatchSize(0));
        bad.put("threads", evaluator().setThreads(0));
        bad.put("step", evaluator().setStep(-1));
        bad.put("metrics", evaluator().setMetrics("deletion,sufficiency"));
        bad.put("sanityLayers", evaluator().setSanityLayers(0));
        bad.put("shapleyPairs", evaluator().setShapleyPairs(1));
        for (Map.Entry<String, CandelaEvaluator> e : bad.entrySet()) {
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> e.getValue().transformSchema(schema), e.getKey());
            assertTrue(x.getMessage().startsWith(e.getKey() + ":") || x.getMessage().startsWith(e.getKey() + " "), e.getKey() + ": " + x.getMessage());
        }
        // a layer that is not in the model fails the transform call on the driver (not one error row per image)
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> evaluator().setLayer("nope").transform(SparkTests.labelled()));
        assertTrue(x.getMessage().contains("'nope'"), x.getMessage());
    }

    /** List params reach the CLI trimmed, as --flag=value (a value starting with @ is not read as an argument file). */
    @Test void listParamsBecomeTrimmedArguments() {
        List<String> args = evaluator().setLayer(" features.1 , features.3,").setSanitySkip("score-cam, gradient ").setMethods("@grad-cam").evaluateArgs();
        assertTrue(args.contains("--layer=features.1,features.3"), args.toString());
        assertTrue(args.contains("--sanity-skip=score-cam,gradient"), args.toString());
        assertTrue(args.contains("--method=@grad-cam"), args.toString());
        List<String> none = evaluator().setLayer(" , ").setSanitySkip(" ").evaluateArgs();
        assertTrue(none.stream().noneMatch(a -> a.startsWith("--layer") || a.startsWith("--sanity-skip")), none.toString());
    }
}
