package dev.candela.spark;

import dev.candela.cli.EvaluateCommand;
import dev.candela.graph.Model;
import dev.candela.metrics.MetricSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Faithfulness metrics over images in a DataFrame: every metric {@code candela evaluate} has, per image and
 * method, as one row per (image, method) with one double column per metric (hyphens become underscores), so an
 * evaluation is one transform and a {@code groupBy("method").agg(...)}:
 *
 * <pre>{@code
 * Dataset<Row> scores = new CandelaEvaluator().setModelPath("weights/fashion-vgg.cnd")
 *         .setMethods("grad-cam,score-cam").setMetrics("average-drop,deletion,insertion")
 *         .transform(spark.read().format("binaryFile").load("photos/"));
 * scores.groupBy("method").agg(avg("deletion"), avg("insertion")).show();
 * }</pre>
 *
 * Output columns: the path column, {@code image} (the file stem: the name that seeds ROAD noise, randomisation
 * and noisy methods, as in the CLI), {@code method}, {@code target} (the class explained and scored: the
 * target column, else the prediction), {@code error}, then the metrics. Each image is evaluated on its own, with
 * the seeds {@code candela evaluate} derives from (seed, image, method): the numbers do not depend on the
 * partitioning. Metrics that need annotation boxes (pointing game, localisation) are left null here; the run-level
 * metrics (sufficiency, sensitivity-n), which relate all images of a run, are refused.
 */
public final class CandelaEvaluator extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> pathCol;
    private final Param<String> targetCol;
    private final Param<String> modelPath;
    private final Param<String> methods;
    private final Param<String> metrics;
    private final Param<String> layer;
    private final Param<String> score;
    private final LongParam seed;
    private final IntParam batchSize;
    private final IntParam camBatchSize;
    private final IntParam sanityLayers;
    private final IntParam shapleyPairs;
    private final IntParam threads;
    private final IntParam step;
    private final Param<String> sanitySkip;

    public CandelaEvaluator() { this("candelaEvaluator_" + UUID.randomUUID().toString().substring(0, 12)); }

    public CandelaEvaluator(String uid) {
        this.uid = uid;
        inputCol = new Param<>(this, "inputCol", "image column: binary (binaryFile's content) or the image source's struct");
        pathCol = new Param<>(this, "pathCol", "column naming each image's file (its stem names the image and seeds it)");
        targetCol = new Param<>(this, "targetCol", "integer column with each image's class (empty: the predicted class)");
        modelPath = new Param<>(this, "modelPath", "model file (.cnd or .onnx) read on the driver and broadcast");
        methods = new Param<>(this, "methods", "methods as candela evaluate --method takes them");
        metrics = new Param<>(this, "metrics", "metrics as candela evaluate --metric takes them ('all' = its default set)");
        layer = new Param<>(this, "layer", "CAM layer(s), comma-separated (empty: auto)");
        score = new Param<>(this, "score", "score read by the metrics: softmax or logit");
        seed = new LongParam(this, "seed", "seed of ROAD noise, randomisation and noisy methods");
        batchSize = new IntParam(this, "batchSize", "perturbed inputs per forward batch of the metrics");
        camBatchSize = new IntParam(this, "camBatchSize", "masked forwards per batch inside perturbation CAM methods");
        sanityLayers = new IntParam(this, "sanityLayers", "layers randomised, top first, by the sanity check");
        shapleyPairs = new IntParam(this, "shapleyPairs", "permutation pairs of the sampled Shapley reference");
        threads = new IntParam(this, "threads", "Candela threads per Spark task");
        step = new IntParam(this, "step", "deletion/insertion pixels per step (0: the input width, as candela evaluate --step)");
        sanitySkip = new Param<>(this, "sanitySkip", "methods left out of the sanity check, comma-separated");
        setDefault(inputCol, "content");
        setDefault(pathCol, "path");
        setDefault(targetCol, "");
        setDefault(modelPath, "");
        setDefault(methods, "grad-cam");
        setDefault(metrics, "average-drop,increase-in-confidence,deletion,insertion,time-ms");
        setDefault(layer, "");
        setDefault(score, "softmax");
        setDefault(seed, 0L);
        setDefault(batchSize, 64);
        setDefault(camBatchSize, 32);
        setDefault(sanityLayers, 3);
        setDefault(shapleyPairs, 32);
        setDefault(threads, 1);
        setDefault(step, 0);
        setDefault(sanitySkip, "");
    }

    @Override public String uid() { return uid; }

    public Param<String> inputCol() { return inputCol; }
    public Param<String> pathCol() { return pathCol; }
    public Param<String> targetCol() { return targetCol; }
    public Param<String> modelPath() { return modelPath; }
    public Param<String> methods() { return methods; }
    public Param<String> metrics() { return metrics; }
    public Param<String> layer() { return layer; }
    public Param<String> score() { return score; }
    public LongParam seed() { return seed; }
    public IntParam batchSize() { return batchSize; }
    public IntParam camBatchSize() { return camBatchSize; }
    public IntParam sanityLayers() { return sanityLayers; }
    public IntParam shapleyPairs() { return shapleyPairs; }
    public IntParam threads() { return threads; }
    public IntParam step() { return step; }
    public Param<String> sanitySkip() { return sanitySkip; }

    public CandelaEvaluator setInputCol(String v) { set(inputCol, v); return this; }
    public CandelaEvaluator setPathCol(String v) { set(pathCol, v); return this; }
    public CandelaEvaluator setTargetCol(String v) { set(targetCol, v); return this; }
    public CandelaEvaluator setModelPath(String v) { set(modelPath, v); return this; }
    public CandelaEvaluator setMethods(String v) { set(methods, v); return this; }
    public CandelaEvaluator setMetrics(String v) { set(metrics, v); return this; }
    public CandelaEvaluator setLayer(String v) { set(layer, v); return this; }
    public CandelaEvaluator setScore(String v) { set(score, v); return this; }
    public CandelaEvaluator setSeed(long v) { set(seed, v); return this; }
    public CandelaEvaluator setBatchSize(int v) { set(batchSize, v); return this; }
    public CandelaEvaluator setCamBatchSize(int v) { set(camBatchSize, v); return this; }
    public CandelaEvaluator setSanityLayers(int v) { set(sanityLayers, v); return this; }
    public CandelaEvaluator setShapleyPairs(int v) { set(shapleyPairs, v); return this; }
    public CandelaEvaluator setThreads(int v) { set(threads, v); return this; }
    public CandelaEvaluator setStep(int v) { set(step, v); return this; }
    public CandelaEvaluator setSanitySkip(String v) { set(sanitySkip, v); return this; }

    public String getMetrics() { return $(metrics); }
    public String getMethods() { return $(methods); }
    public long getSeed() { return (Long) $(seed); }

    /** The explainer these params describe (the same input, model, method, layer, seed and batch options). */
    private CandelaExplainer explainer() {
        return new CandelaExplainer().setInputCol($(inputCol)).setPathCol($(pathCol)).setTargetCol($(targetCol)).setModelPath($(modelPath))
                .setMethods($(methods)).setLayer($(layer)).setSeed(getSeed()).setBatchSize((Integer) $(camBatchSize)).setThreads((Integer) $(threads));
    }

    @Override public StructType transformSchema(StructType schema) {
        checkParams(); // before the explainer's checks, which would call camBatchSize its own "batchSize"
        explainer().transformSchema(schema); // the same checks of the input, target and sizes
        String path = java.util.Arrays.asList(schema.fieldNames()).contains($(pathCol)) ? $(pathCol) : "path";
        return EvaluatePartition.schema(path, MetricSet.parse(getMetrics()));
    }

    /**
     * Param mistakes, each named by its param: the CLI would name its own flag (--metric-batch-size, ...), which a
     * Spark user never typed.
     */
    private void checkParams() {
        String s = $(score).trim().toLowerCase(Locale.ROOT);
        if (!s.equals("softmax") && !s.equals("logit")) throw new IllegalArgumentException("score must be softmax or logit, got '" + $(score) + "'");
        if ((Integer) $(batchSize) < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + $(batchSize));
        if ((Integer) $(camBatchSize) < 1) throw new IllegalArgumentException("camBatchSize must be >= 1, got " + $(camBatchSize));
        if ((Integer) $(threads) < 1) throw new IllegalArgumentException("threads must be >= 1, got " + $(threads));
        if ((Integer) $(step) < 0) throw new IllegalArgumentException("step must be >= 0 (0: the input width), got " + $(step));
        if ((Integer) $(sanityLayers) < 1) throw new IllegalArgumentException("sanityLayers must be >= 1, got " + $(sanityLayers));
        // the sampled reference needs two pairs for its standard error; found here, not as an error row per image
        if ((Integer) $(shapleyPairs) < 2) throw new IllegalArgumentException("shapleyPairs must be >= 2, got " + $(shapleyPairs));
        for (String runLevel : List.of("sufficiency", "sensitivity-n")) {
            // each image is evaluated on its own here, so a metric that relates the images of a run would score one-image runs
            if (MetricSet.parse(getMetrics()).contains(runLevel)) {
                throw new IllegalArgumentException("metrics: " + runLevel + " relates all images of a run and CandelaEvaluator scores each image on its own; "
                        + "leave it out (candela evaluate without --spark computes it)");
            }
        }
    }

    /** A comma-separated param as the CLI's comma-split list, each entry trimmed (as the explainer's layer param is read). */
    private static String trimmedList(String csv) {
        return String.join(",", java.util.Arrays.stream(csv.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList());
    }

    /**
     * The {@code candela evaluate} arguments these params stand for: each executor sets its evaluation up from them
     * with the CLI's own code, so the two cannot differ. --input and --out are required by the command and not read.
     */
    List<String> evaluateArgs() {
        // --flag=value: a value is never read as an @argument-file or split off as a flag of its own
        List<String> a = new ArrayList<>(List.of("--input=(DataFrame)", "--out=(DataFrame)",
                "--method=" + getMethods(), "--metric=" + getMetrics(), "--score=" + $(score).trim(), "--seed=" + getSeed(),
                "--metric-batch-size=" + $(batchSize), "--cam-batch-size=" + $(camBatchSize),
                "--sanity-layers=" + $(sanityLayers), "--shapley-pairs=" + $(shapleyPairs), "--threads=" + $(threads)));
        String layers = trimmedList($(layer)), skip = trimmedList($(sanitySkip));
        if (!layers.isEmpty()) a.add("--layer=" + layers);
        if ((Integer) $(step) > 0) a.add("--step=" + $(step));
        if (!skip.isEmpty()) a.add("--sanity-skip=" + skip);
        return a;
    }

    @Override public Dataset<Row> transform(Dataset<?> dataset) {
        StructType schema = dataset.schema();
        StructType out = transformSchema(schema);
        CandelaExplainer ex = explainer();
        byte[] bytes = ex.modelBytes();
        String ext = CandelaExplainer.extension($(modelPath));
        String sha = Models.sha256(bytes);
        ExplainSettings settings = ex.settings(schema, sha, ext);
        Model m = Models.get(sha, ext, () -> bytes);
        List<String> labels = settings.parseMethods(m).stream().map(dev.candela.explainer.Method::label).toList();
        try (dev.candela.explainer.Explainer e = dev.candela.explainer.Explainer.of(m, 1)) { // a layer typo fails here, not as an error row per image
            for (String l : settings.layerList()) e.resolveLayer(l);
        }
        List<String> args = evaluateArgs();
        try (EvaluateCommand.PerImage checked = EvaluateCommand.perImage(args, m, 1)) { // option mistakes here, not on an executor
            checked.evaluation();
        } catch (dev.candela.cli.args.UsageException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Integer riseStep = (Integer) $(step) > 0 ? (Integer) $(step) : null;
        EvaluatePartition.Options options = new EvaluatePartition.Options(MetricSet.parse(getMetrics()), args, riseStep);
        Broadcast<byte[]> bc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext()).broadcast(bytes);
        return dataset.toDF().mapPartitions(new EvaluatePartition(settings, options, bc, labels), Encoders.row(out));
    }

    @Override public CandelaEvaluator copy(ParamMap extra) { return defaultCopy(extra); }

    public static MLReader<CandelaEvaluator> read() { return new DefaultParamsReader<>(); }

    public static CandelaEvaluator load(String path) { return read().load(path); }
}
