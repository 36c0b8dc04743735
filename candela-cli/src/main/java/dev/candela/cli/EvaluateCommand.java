package dev.candela.cli;

import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explain.shapley.ShapleyReference;
import dev.candela.explain.Target;
import dev.candela.explain.attribution.PixelAttribution;
import dev.candela.explain.attribution.TargetWeights;
import dev.candela.explainer.Method;
import dev.candela.explainer.Methods;
import dev.candela.explain.cam.CamOptions;
import dev.candela.graph.Model;
import dev.candela.image.Colormap;
import dev.candela.image.Overlay;
import dev.candela.image.Picture;
import dev.candela.metrics.Box;
import dev.candela.report.EvaluationPlots;
import dev.candela.metrics.EvaluationReport;
import dev.candela.metrics.Evaluation;
import dev.candela.metrics.MapFunction;
import dev.candela.metrics.MetricSet;
import dev.candela.metrics.ModelScorer;
import dev.candela.metrics.Road;
import dev.candela.metrics.Sample;
import dev.candela.report.HtmlReport;
import dev.candela.report.ReportCell;
import dev.candela.report.ReportRow;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Tensor;
import dev.candela.cli.args.CommandSpec;
import dev.candela.cli.args.ValueType;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * {@code candela evaluate}: every method x metric over a folder of inputs; writes per-image.csv,
 * summary.json (mean, 95% CI, n per method and metric), summary.md and PNG plots into --out; with --report also
 * the HTML page of {@code candela explain --report}, each cell holding that image's scores, plus the per-method means.
 */
public final class EvaluateCommand extends CliCommand {
    Path input;
    Path annotations;
    List<String> methods;
    int camBatchSize;
    ModelRunOptions shared = new ModelRunOptions();
    MethodOptions methodOptions = new MethodOptions();
    String metric;
    Path out;
    String score;
    String target;
    Integer step;
    int torchCamSteps;
    List<Double> roadPercentiles;
    int sanityLayers;
    List<String> sanitySkip = new ArrayList<>();
    int shapleyPairs;
    Integer limit;
    int batchSize;
    Path report;
    String spark;

    /** How model files are read (replaced in tests). */
    Function<Path, Model> loader = CliFiles::loadModel;

    /** What the report shows of one input: the picture the model saw and its prediction. */
    private record View(Picture picture, int predicted, double predictedProbability, double targetProbability) {}

    /** The first map of each method on each input with the unmodified model, kept for the report. */
    private record Captured(Tensor maps, String layer, Tensor coefficients, double millis) {}

    private final Map<String, View> views = new LinkedHashMap<>();

    @Override CommandSpec declare() {
        CommandSpec.Builder o = CommandSpec.builder("evaluate", "Score explanation methods with faithfulness metrics over a folder of inputs: writes per-image.csv, "
                + "summary.json (mean, 95% CI, n), summary.md and plots (deletion/insertion curves, one bar chart per metric).");
        o.value("--input", null, null, "a directory of images / .npy tensors (N x C x H x W), or one such file", ValueType.PATH, v -> input = v).required();
        o.value("--annotations", null, null, "CSV 'image,label[,x0,y0,x1,y1]' (labels and optional boxes in input pixels)", ValueType.PATH, v -> annotations = v);
        o.list("--method", null, null, null, "method name(s), comma-separated; 'all' = every CAM method; options per method "
            + "in parentheses, e.g. \"fg-cam(base=score-cam,level=input),lrp(composite=epsilon-plus),lrp(rule=epsilon)\"", ValueType.STRING, v -> methods = v).required();
        o.value("--cam-batch-size", null, "32", "masked forwards per batch inside perturbation methods (score-cam, occlusion, rise, ...); default ${DEFAULT-VALUE}", ValueType.INT, v -> camBatchSize = v);
        shared.declare(o);
        methodOptions.declare(o);
        o.value("--metric", null, "all", "metric name(s), comma-separated, or 'all' (default). Known: "
            + "average-drop, increase-in-confidence, average-drop-in-deletion, drop-in-confidence, deletion, insertion, deletion-torchcam, "
            + "insertion-torchcam, road-morf, road-lerf, road-combined, pointing-game, sanity-spearman, sanity-ssim, shapley-spearman, shapley-cosine, shapley-rel-error, shapley-ref-se, time-ms; "
            + "and the Quantus metrics (docs/quantus-metrics.md): " + "faithfulness-correlation, faithfulness-estimate, monotonicity-nguyen, monotonicity-arya, irof, region-perturbation, "
            + "selectivity, infidelity, completeness, non-sensitivity, random-logit, max-sensitivity, avg-sensitivity, local-lipschitz-estimate, continuity, "
            + "relative-input-stability, relative-output-stability, efficient-mprt, smooth-mprt, input-invariance, attribution-localisation, top-k-intersection, "
            + "relevance-rank-accuracy, relevance-mass-accuracy, sparseness, complexity, effective-complexity, sufficiency, sensitivity-n (these two over the whole run)", ValueType.STRING, v -> metric = v);
        o.value("--out", null, null, "output directory", ValueType.PATH, v -> out = v).required();
        o.value("--score", null, "softmax", "score read by the metrics: softmax (default) or logit", ValueType.STRING, v -> score = v);
        o.value("--target", null, "label", "class explained and scored: 'label' (from --annotations, else the prediction; default) or 'predicted'", ValueType.STRING, v -> target = v);
        o.value("--step", null, null, "deletion/insertion pixels per step (RISE); default: the input width", ValueType.INT, v -> step = v);
        o.value("--torchcam-steps", null, "20", "intervals of the TorchCAM deletion/insertion variant (default ${DEFAULT-VALUE})", ValueType.INT, v -> torchCamSteps = v);
        o.list("--road-percentiles", null, ",", null, "ROAD sweep (default 10,20,...,90)", ValueType.DOUBLE, v -> roadPercentiles = v);
        o.value("--sanity-layers", null, "3", "layers randomised, top first, by the sanity check (default ${DEFAULT-VALUE})", ValueType.INT, v -> sanityLayers = v);
        // split on the commas outside parentheses: a label with options ("fg-cam(base=score-cam,level=input)") is one name
        o.list("--sanity-skip", null, ",(?![^(]*\\))", null, "methods left out of the sanity check (e.g. the slow perturbation CAMs), as --method labels them", ValueType.STRING, v -> sanitySkip = v);
        o.value("--shapley-pairs", null, "32", "permutation pairs of the sampled Shapley reference (exact up to 12 maps; default ${DEFAULT-VALUE})", ValueType.INT, v -> shapleyPairs = v);
        o.value("--limit", null, null, "evaluate only the first N inputs (in name order)", ValueType.INT, v -> limit = v);
        o.value("--metric-batch-size|--batch-size", null, "64", "perturbed inputs per forward batch inside the metrics; default ${DEFAULT-VALUE}", ValueType.INT, v -> batchSize = v);
        o.value("--report", "FILE.html", null, "also write the self-contained HTML page of candela explain --report: "
            + "every image x every method, each cell with its metric scores, and the per-method means", ValueType.PATH, v -> report = v);
        o.value("--spark", "MASTER", null, "run the per-image work on Apache Spark (local[N], spark://host:port): "
            + "the same files, the same numbers; needs candela-spark and Spark on the class path (the launcher adds them once "
            + "candela-spark is built); not with --report or the run-level metrics sufficiency and sensitivity-n", ValueType.STRING, v -> spark = v);
        return o.build();
    }

    @Override int run() throws IOException {
        evaluate();
        if (skippedInputs > 0) {
            err().println("candela evaluate: " + skippedInputs + " input(s) could not be read and were skipped (see above); the others were evaluated");
            return 2;
        }
        return 0;
    }

    private void evaluate() throws IOException {
        long t0 = System.nanoTime();
        checkOptions();
        if (out != null) {
            CliChecks.outputDirectory("--out", out);
            CliChecks.createOutputDirectory("--out", out);
        }
        shared.model = shared.modelFile(); // resolved once: the Spark run and the report read it too
        Model m = loader.apply(shared.model);
        List<String> metrics = MetricSet.parse(metric);
        ModelScorer.Output output = scoreOutput();
        if (!target.equals("label") && !target.equals("predicted")) throw new IllegalArgumentException("--target must be label or predicted, got '" + target + "'");
        Annotations ann = annotations != null ? Annotations.read(annotations, m) : Annotations.none();
        try (Parallel parallel = shared.threads != null ? new Parallel(shared.threads) : Parallel.ofAvailable()) {
            Executor ex = executor(m, parallel);
            List<Sample> samples = samples(ex, m, ann);
            if (samples.isEmpty()) throw new IllegalArgumentException(input + ": no inputs found");
            String unannotatedNote = unannotated.isEmpty() ? null : unannotated.size() + " input(s) have no row in " + annotations
                    + " and were scored for their predicted class: " + String.join(", ", unannotated.subList(0, Math.min(5, unannotated.size())))
                    + (unannotated.size() > 5 ? ", ..." : "");
            if (unannotatedNote != null) err().println("candela evaluate: warning: " + unannotatedNote);
            int width = samples.get(0).input().dim(3);
            int riseStep = step != null ? step : width;
            Map<Tensor, Map<String, Captured>> captured = new java.util.IdentityHashMap<>();
            Setup setup = setup(ex, m, riseStep, report != null ? captured : null);
            MetricSet options = setup.options();
            double[] pct = options.roadPercentiles();
            List<Method> parsed = setup.parsed();
            Map<String, MapFunction> fns = setup.functions();
            Evaluation evaluation = setup.evaluation();
            Evaluation.Result result;
            int total = samples.size() * fns.size();
            Files.createDirectories(out);
            long tRun = System.nanoTime();
            try (dev.candela.metrics.PerImageCsv rowsOut = new dev.candela.metrics.PerImageCsv(out.resolve("per-image.csv"))) {
                evaluation.withRowListener(rowsOut); // rows reach the file as they are computed
                if (spark != null) {
                    result = onSpark(evaluation, m, samples, riseStep, rowsOut);
                } else if (System.console() != null && System.console().isTerminal()) {
                    // JDK 22+ gives a Console also when the streams are redirected: only a terminal gets the bar
                    try (ProgressBar pb = new ProgressBarBuilder().setTaskName("evaluate").setInitialMax(total).setStyle(ProgressBarStyle.ASCII).build()) {
                        result = evaluation.run(samples, (done, all, image, method) -> { pb.stepTo(done); pb.setExtraMessage(image + " " + method); });
                    }
                } else {
                    int every = Math.max(1, total / 20);
                    result = evaluation.run(samples, (done, all, image, method) -> {
                        if (done % every == 0 || done == all) {
                            err().printf("candela evaluate: %d/%d (%s, %s)%n", done, all, image, method);
                            err().flush(); // a log file sees each line when it happens
                        }
                    });
                }
            }
            double evalSeconds = (System.nanoTime() - tRun) / 1e9;
            if (unannotatedNote != null) result.notes().add(unannotatedNote);
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("model", shared.model.toString());
            settings.put("model_sha256", CliFiles.sha256(shared.model));
            settings.put("input", input.toString());
            settings.put("preprocessing", m.preprocessing().describe()); // geometry, interpolation, ICC handling of image inputs
            settings.put("annotations", annotations == null ? null : annotations.toString());
            settings.put("images", samples.size());
            settings.put("methods", new ArrayList<>(fns.keySet()));
            Map<String, String> display = new LinkedHashMap<>();
            for (Method pm : parsed) display.put(pm.label(), pm.display().describe());
            settings.put("display_maps", display);
            settings.put("metrics", metrics);
            settings.put("score", output.name().toLowerCase(Locale.ROOT));
            settings.put("target", target);
            settings.put("rise_step", options.riseStep());
            settings.put("torchcam_steps", torchCamSteps);
            settings.put("road_percentiles", pct);
            settings.put("sanity_layers", sanityLayers);
            settings.put("sanity_skip", sanitySkip);
            settings.put("shapley_reference", "exact up to 12 maps, else " + shapleyPairs + " antithetic permutation pairs (seed " + shared.seed + ")");
            settings.put("seed", shared.seed);
            if (spark != null) settings.put("spark", spark); // where the per-image work ran (the numbers are the plain run's)
            double seconds = (System.nanoTime() - t0) / 1e9;
            settings.put("run_time_seconds", Math.round(seconds * 10) / 10.0);
            settings.put("images_per_second", evalSeconds > 0 ? samples.size() / evalSeconds : null); // explanations and metrics, all methods
            EvaluationReport.writeSummary(result, settings, out.resolve("summary.json"));
            Files.writeString(out.resolve("summary.md"), EvaluationReport.markdown(result, metrics));
            EvaluationPlots.write(result, metrics, out);
            if (report != null) {
                writeReport(m, samples, fns.keySet(), captured, result);
                err().println("candela evaluate: report " + report);
            }
            err().printf(Locale.ROOT, "candela evaluate: %d images x %d methods x %d metrics in %.1f s -> %s%n", samples.size(), fns.size(), metrics.size(), seconds, out);
        }
    }

    /** Option mistakes found before a model or an image is read. */
    private void checkOptions() {
        shared.check();
        CliChecks.atLeast("--metric-batch-size (--batch-size)", batchSize, 1);
        CliChecks.atLeast("--cam-batch-size", camBatchSize, 1);
        methodOptions.check();
    }

    /** What one evaluation is made of: the same for the plain run and for each image on a Spark executor. */
    record Setup(Evaluation evaluation, MetricSet options, List<Method> parsed, Map<String, MapFunction> functions) {}

    /** The evaluation these options describe on {@code ex}; {@code captured} (non-null with --report) keeps the maps. */
    Setup setup(Executor ex, Model m, int riseStep, Map<Tensor, Map<String, Captured>> captured) {
        List<String> metrics = MetricSet.parse(metric);
        ModelScorer.Output output = scoreOutput();
        double[] pct = roadPercentiles != null ? roadPercentiles.stream().mapToDouble(Double::doubleValue).toArray() : Road.DEFAULT_PERCENTILES;
        MetricSet options = new MetricSet(riseStep, torchCamSteps, pct, sanityLayers, shared.seed);
        List<Method> parsed = Methods.parse(methods, methodOptions.defaults(shared.seed), m);
        Map<String, MapFunction> fns = methodFunctions(parsed, shared.layers,
                methodOptions.camOptions(camBatchSize, shared.seed, dev.candela.explain.Progress.none()), shared.seed);
        if (captured != null) fns = capturing(fns, ex, captured);
        Evaluation evaluation = new Evaluation(ex, new ModelScorer(ex, output, batchSize), options, metrics, fns)
                .withSanitySkip(sanitySkip.stream().map(String::trim).toList())
                .withShapley(ShapleyReference.source(12, shapleyPairs, shared.seed, batchSize));
        return new Setup(evaluation, options, parsed, fns);
    }

    /** What the metrics read of the model's output (--score). */
    private ModelScorer.Output scoreOutput() {
        return switch (score.toLowerCase(Locale.ROOT)) {
            case "softmax" -> ModelScorer.Output.SOFTMAX;
            case "logit" -> ModelScorer.Output.LOGIT;
            default -> throw new IllegalArgumentException("--score must be softmax or logit, got '" + score + "'");
        };
    }

    /** The executor of a run: these threads, and the --allow-non-finite policy. */
    Executor executor(Model m, Parallel parallel) {
        Executor ex = Executor.fast(m, parallel);
        if (shared.allowNonFinite) {
            java.util.Set<String> seen = java.util.Collections.synchronizedSet(new java.util.HashSet<>());
            ex = ex.withNonFinite(dev.candela.run.ForwardChecks.NonFinite.WARN, w -> { if (seen.add(w)) err().println("candela: warning: " + w); });
        }
        return ex;
    }

    /**
     * --spark: each image evaluated on its own by {@link #evaluateOne} on the cluster (an image's numbers depend only
     * on it and its seeds), the partials added in image order and finished here: the rows, summary, curves and notes
     * of the plain run, bit for bit.
     */
    private Evaluation.Result onSpark(Evaluation evaluation, Model m, List<Sample> samples, int riseStep, Evaluation.RowListener rowsOut) throws IOException {
        if (report != null) throw new IllegalArgumentException("--report is not available with --spark (run without --spark for the HTML page)");
        for (String runLevel : List.of("sufficiency", "sensitivity-n")) {
            if (MetricSet.parse(metric).contains(runLevel)) throw new IllegalArgumentException("--spark: " + runLevel + " relates all images of the run; leave it out (--metric) or run without --spark");
        }
        SparkEvaluate backend = SparkEvaluate.find();
        List<String> args = ownArgs();
        List<SparkEvaluate.Item> items = new ArrayList<>();
        for (Sample s : samples) items.add(SparkEvaluate.Item.of(s));
        Path modelFile = shared.model;
        SparkEvaluate.Job job = new SparkEvaluate.Job(args, Files.readAllBytes(modelFile), modelFile.getFileName().toString(), riseStep);
        err().println("candela evaluate: " + samples.size() + " images on Spark " + spark);
        err().flush();
        List<Evaluation.Partial> partials = backend.evaluate(spark, job, items);
        if (partials.size() != samples.size()) throw new IllegalStateException("Spark returned " + partials.size() + " results for " + samples.size() + " images");
        Evaluation.Partial all = new Evaluation.Partial();
        for (Evaluation.Partial p : partials) {
            rowsOut.rows(p.rows());
            all.add(p);
        }
        return evaluation.finish(all);
    }

    /** This command's own arguments: what follows its name when it ran as {@code candela evaluate ...}. */
    private List<String> ownArgs() {
        if (args.isEmpty()) throw new IllegalStateException("--spark needs the parsed command line");
        return args;
    }

    /**
     * The work of one image on a Spark executor: the command parsed from the driver's arguments, its evaluation set
     * up as the plain run sets it up (one thread unless --threads says otherwise), run on this image alone.
     */
    public static Evaluation.Partial evaluateOne(SparkEvaluate.Job job, Model m, SparkEvaluate.Item item) {
        try (PerImage one = perImage(job.args(), m, job.riseStep())) {
            return one.evaluate(item.sample());
        }
    }

    /**
     * {@code candela evaluate ARGS} set up once for images given one at a time (a Spark partition, {@link
     * #evaluateOne}): the plain run's methods, metrics, seeds and sizes, on its own threads (--threads, default 1).
     * {@code --input} and {@code --out} must be present (the command requires them) but are not read.
     */
    public static PerImage perImage(List<String> args, Model m, int riseStep) {
        EvaluateCommand c = new EvaluateCommand();
        Main.parse(c, args);
        c.checkOptions();
        Parallel parallel = new Parallel(c.shared.threads != null ? c.shared.threads : 1);
        try {
            Executor ex = c.executor(m, parallel);
            return new PerImage(c.setup(ex, m, riseStep, null).evaluation(), ex, parallel);
        } catch (RuntimeException e) {
            parallel.close();
            throw e;
        }
    }

    /** One evaluation set-up, its executor and threads; {@link #evaluate} an image at a time, then close. */
    public record PerImage(Evaluation evaluation, Executor executor, Parallel parallel) implements AutoCloseable {
        /** The image's rows, curves and notes, as the plain run computes them for it. */
        public Evaluation.Partial evaluate(Sample s) { return evaluation.partial(List.of(s), null); }

        @Override public void close() { parallel.close(); }
    }

    /** Inputs of a folder that could not be read (reported, skipped; exit 2 at the end). */
    private int skippedInputs;

    /** Inputs that have no row in --annotations (explained and scored for their predicted class). */
    private final List<String> unannotated = new ArrayList<>();

    private List<Sample> samples(Executor ex, Model m, Annotations ann) throws IOException {
        List<Path> files = Files.isDirectory(input) ? CliFiles.inputFiles(input) : List.of(input);
        List<Sample> samples = new ArrayList<>();
        for (Path f : files) {
            if (limit != null && samples.size() >= limit) break;
            Tensor batch;
            try {
                batch = InputBatch.read(f, m).tensor();
            } catch (IllegalArgumentException | IOException | java.io.UncheckedIOException e) {
                if (files.size() == 1) throw e;
                skippedInputs++;
                err().println("candela evaluate: skipped " + f + ": " + CliCommand.oneLine(e));
                continue;
            }
            String stem = CliFiles.stem(f);
            int n = batch.dim(0);
            Tensor logits = ex.forward(batch, java.util.Set.of()).output();
            int[] predicted = TargetWeights.argmax(logits);
            InputBatch read = report != null ? InputBatch.read(f, m) : null;
            for (int i = 0; i < n && (limit == null || samples.size() < limit); i++) {
                String name = n == 1 ? stem : stem + "-" + i;
                String key = ann.key(name, f.getFileName().toString());
                if (key == null && n == 1) key = ann.key(stem, f.getFileName().toString());
                int t = predicted[i];
                if (target.equals("label") && key != null) t = ann.labels().get(key);
                List<Box> boxes = key != null ? ann.boxes().getOrDefault(key, List.of()) : List.of();
                if (key == null && annotations != null) unannotated.add(name);
                for (Box b : boxes) {
                    if (b.x1() > batch.dim(3) || b.y1() > batch.dim(2)) {
                        throw new IllegalArgumentException(annotations + ": box " + b.x0() + "," + b.y0() + "," + b.x1() + "," + b.y1() + " of '" + key
                                + "' does not fit the model input (" + batch.dim(3) + " x " + batch.dim(2) + " pixels; boxes are in model-input pixels)");
                    }
                }
                samples.add(new Sample(name, batch.slice(i, i + 1), t, boxes));
                if (read != null) {
                    float[] l = logits.item(i).data();
                    Picture view = i < read.views().size() ? read.views().get(i)
                            : Picture.gray(batch.dim(3), batch.dim(2), new float[batch.dim(2) * batch.dim(3)]);
                    views.put(name, new View(view, predicted[i], ExplainCommand.softmax(l, predicted[i]), ExplainCommand.softmax(l, t)));
                }
            }
        }
        return samples;
    }

    /**
     * Wraps each method so that its first explanation of each input with the unmodified model (the one the
     * metrics score; the sanity check's calls on randomised models use another executor) is kept for the report.
     */
    private static Map<String, MapFunction> capturing(Map<String, MapFunction> fns, Executor main, Map<Tensor, Map<String, Captured>> captured) {
        Map<String, MapFunction> wrapped = new LinkedHashMap<>();
        for (Map.Entry<String, MapFunction> e : fns.entrySet()) wrapped.put(e.getKey(), capturing(e.getKey(), e.getValue(), main, captured));
        return wrapped;
    }

    private static MapFunction capturing(String name, MapFunction f, Executor main, Map<Tensor, Map<String, Captured>> captured) {
        return new MapFunction() {
            @Override public Tensor maps(Executor ex, Tensor x, int[] t) { return f.maps(ex, x, t); }

            @Override public MapFunction forImage(String image) { return capturing(name, f.forImage(image), main, captured); }

            @Override public Output explain(Executor ex, Tensor x, int[] t) {
                long t0 = System.nanoTime();
                Output o = f.explain(ex, x, t);
                double millis = (System.nanoTime() - t0) / 1e6;
                if (ex == main) {
                    synchronized (captured) {
                        captured.computeIfAbsent(x, k -> new LinkedHashMap<>()).putIfAbsent(name, new Captured(o.maps(), o.layer(), o.coefficients(), millis));
                    }
                }
                return o;
            }
        };
    }

    /** One row per input, one cell per method: the overlay, its metric scores on this input; the means above. */
    private void writeReport(Model m, List<Sample> samples, java.util.Collection<String> methodNames,
                             Map<Tensor, Map<String, Captured>> captured, Evaluation.Result result) throws IOException {
        Map<String, Map<String, Map<String, Double>>> scores = new LinkedHashMap<>(); // image -> method -> metric -> value
        for (Evaluation.Row r : result.rows()) {
            scores.computeIfAbsent(r.image(), k -> new LinkedHashMap<>()).computeIfAbsent(r.method(), k -> new LinkedHashMap<>()).put(r.metric(), r.value());
        }
        Colormap cm = Colormap.parse("jet");
        List<ReportRow> rows = new ArrayList<>();
        for (Sample s : samples) {
            View v = views.get(s.name());
            Map<String, Captured> maps = captured.getOrDefault(s.input(), Map.of());
            Map<String, Map<String, Double>> perMethod = scores.getOrDefault(s.name(), Map.of());
            List<ReportCell> cells = new ArrayList<>();
            for (String method : methodNames) {
                Captured c = maps.get(method);
                if (c == null) continue;
                Picture view = v.picture();
                int factor = Math.max(1, ResultWriter.DISPLAY / Math.max(view.width(), view.height()));
                Tensor map = c.maps().item(0);
                Picture overlay = Overlay.overlay(view.enlarge(factor), map.data(), map.dim(0), map.dim(1), cm, 0.5f);
                Map<String, Double> metricScores = perMethod.getOrDefault(method, Map.of());
                float[] coefficients = c.coefficients() == null ? null : c.coefficients().item(0).data();
                cells.add(new ReportCell(method, c.layer() == null ? "" : c.layer(), overlay, c.millis(), coefficients, metricScores));
            }
            rows.add(new ReportRow(s.name(), v.picture(), v.predicted(), v.predictedProbability(), s.target(), v.targetProbability(), m.labels(), cells));
        }
        Map<String, Map<String, Double>> means = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Evaluation.Stat>> e : result.summary().entrySet()) {
            Map<String, Double> per = new LinkedHashMap<>();
            for (Map.Entry<String, Evaluation.Stat> st : e.getValue().entrySet()) per.put(st.getKey(), st.getValue().mean());
            means.put(e.getKey(), per);
        }
        Path parent = report.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        HtmlReport.write(report, "Candela evaluate: " + String.join(", ", methodNames), shared.model.getFileName().toString(), rows, means);
    }

    /**
     * Maps by method label, every method through the same path as {@code explain}: a session on the batch
     * (targets = the scored classes), the method's {@link Method#explain}, its display policy.
     */
    static Map<String, MapFunction> methodFunctions(List<Method> methods, List<String> layers, CamOptions options, long seed) {
        Map<String, MapFunction> fns = new LinkedHashMap<>();
        for (Method method : methods) fns.put(method.label(), new MethodFunction(method, layers, options, seed, null));
        return fns;
    }

    /**
     * One method as a map function; for a named image ({@link MapFunction#forImage}) its noise is seeded from (seed,
     * image, method) as {@code explain} seeds it, so evaluate scores the very map explain writes.
     */
    record MethodFunction(Method method, List<String> layers, CamOptions options, long seed, String image) implements MapFunction {
        @Override public Tensor maps(Executor ex, Tensor x, int[] t) { return explain(ex, x, t).maps(); }

        @Override public Output explain(Executor ex, Tensor x, int[] t) {
            Explanation e = explanation(method, ex, x, t, layers, options, image, seed);
            return new Output(e.maps(), e.layers().isEmpty() ? null : e.layers().get(0), e.coefficients());
        }

        @Override public MapFunction forImage(String name) { return new MethodFunction(method, layers, options, seed, name); }
    }

    /** One method on a batch with one class target per image, as {@code explain} runs it. */
    static Explanation explanation(Method method, Executor ex, Tensor x, int[] t, List<String> layers, CamOptions options, String image, long seed) {
        List<Target> ts = new ArrayList<>();
        for (int c : t) ts.add(Target.classIndex(c));
        Explainer.Request r = Explainer.Request.defaults().layers(layers.toArray(String[]::new)).targets(ts).options(options);
        dev.candela.explain.cam.CamSession s = Explainer.of(ex).session(x, r);
        return image == null ? method.explain(s) : Explainer.explainSeeded(s, method, image, seed);
    }

    /** A pixel attribution (N x C x H x W) as the method's display map in [0, 1] (its {@link PixelAttribution#display()}). */
    static Tensor attributionMap(String method, Tensor attr) {
        return PixelAttribution.byName(method, null).display().apply(attr);
    }
}
