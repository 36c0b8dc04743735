package dev.candela.spark;

import dev.candela.graph.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Explains images in a DataFrame: a Spark ML {@link Transformer} over Spark's {@code binaryFile} source
 * ({@code path, content}) or its {@code image} source (the {@code image} struct).
 *
 * <pre>{@code
 * Dataset<Row> images = spark.read().format("binaryFile").option("pathGlobFilter", "*.png").load("photos/");
 * Dataset<Row> maps = new CandelaExplainer()
 *         .setModelPath("weights/fashion-vgg.cnd")
 *         .setMethods("grad-cam,score-cam,fg-cam(base=grad-cam,level=input)")
 *         .transform(images);
 * maps.selectExpr("path", "prediction", "inline(explanations)").show();
 * }</pre>
 *
 * Appended columns: {@code prediction} (class), {@code probability} (its softmax), {@code target} (the class
 * explained) and {@code target_probability}, {@code error} (null, or why the row could not be explained), and the
 * output column (default {@code explanations}): one struct per method, {@code method, layer, map (array<float>,
 * row-major), shape (array<int>, H x W), coefficients (array<float>, where the method has them), millis, error}.
 *
 * <p>Methods, method options, targets and layers are the CLI's own strings ({@code --method}, {@code --target},
 * {@code --layer}), parsed by the core's registry. The model file's bytes are read on the driver and broadcast
 * once; every partition builds one {@code Explainer} and reuses it for all its rows. Each method's noise is
 * seeded from the seed, the image's file stem and the method, so results are the same bits for any partitioning
 * and the same as the single-JVM {@code Explainer.explainSeeded}. A bad image gives a null map and an error, never a
 * failed job. Saveable with {@code write().save(path)}, read back with {@link #load(String)}.
 */
public final class CandelaExplainer extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> pathCol;
    private final Param<String> outputCol;
    private final Param<String> modelPath;
    private final Param<String> methods;
    private final Param<String> target;
    private final Param<String> targetCol;
    private final Param<String> layer;
    private final LongParam seed;
    private final IntParam batchSize;
    private final IntParam threads;

    public CandelaExplainer() { this("candelaExplainer_" + UUID.randomUUID().toString().substring(0, 12)); }

    public CandelaExplainer(String uid) {
        this.uid = uid;
        inputCol = new Param<>(this, "inputCol", "image column: binary (binaryFile's content) or the image source's struct");
        pathCol = new Param<>(this, "pathCol", "column naming each image's file (its stem seeds noisy methods); ignored if absent");
        outputCol = new Param<>(this, "outputCol", "column of per-method results (array of structs)");
        modelPath = new Param<>(this, "modelPath", "model file (.cnd or .onnx) read on the driver and broadcast");
        methods = new Param<>(this, "methods", "methods as candela explain --method takes them, e.g. grad-cam,fg-cam(base=score-cam,level=input)");
        target = new Param<>(this, "target", "class explained, as --target takes it (empty: the predicted class)");
        targetCol = new Param<>(this, "targetCol", "integer column giving each row's class (empty: none; wins over target)");
        layer = new Param<>(this, "layer", "layer(s) as --layer takes them, comma-separated (empty: auto)");
        seed = new LongParam(this, "seed", "run seed of noisy methods (each image and method gets its own seed from it)");
        batchSize = new IntParam(this, "batchSize", "masked forwards per batch of perturbation methods");
        threads = new IntParam(this, "threads", "Candela threads per Spark task (results are the same for any count)");
        setDefault(inputCol, "content");
        setDefault(pathCol, "path");
        setDefault(outputCol, "explanations");
        setDefault(modelPath, "");
        setDefault(methods, "grad-cam");
        setDefault(target, "");
        setDefault(targetCol, "");
        setDefault(layer, "");
        setDefault(seed, 0L);
        setDefault(batchSize, 32);
        setDefault(threads, 1);
    }

    @Override public String uid() { return uid; }

    public Param<String> inputCol() { return inputCol; }
    public Param<String> pathCol() { return pathCol; }
    public Param<String> outputCol() { return outputCol; }
    public Param<String> modelPath() { return modelPath; }
    public Param<String> methods() { return methods; }
    public Param<String> target() { return target; }
    public Param<String> targetCol() { return targetCol; }
    public Param<String> layer() { return layer; }
    public LongParam seed() { return seed; }
    public IntParam batchSize() { return batchSize; }
    public IntParam threads() { return threads; }

    public CandelaExplainer setInputCol(String v) { set(inputCol, v); return this; }
    public CandelaExplainer setPathCol(String v) { set(pathCol, v); return this; }
    public CandelaExplainer setOutputCol(String v) { set(outputCol, v); return this; }
    public CandelaExplainer setModelPath(String v) { set(modelPath, v); return this; }
    public CandelaExplainer setMethods(String v) { set(methods, v); return this; }
    public CandelaExplainer setTarget(String v) { set(target, v); return this; }
    public CandelaExplainer setTargetCol(String v) { set(targetCol, v); return this; }
    public CandelaExplainer setLayer(String v) { set(layer, v); return this; }
    public CandelaExplainer setSeed(long v) { set(seed, v); return this; }
    public CandelaExplainer setBatchSize(int v) { set(batchSize, v); return this; }
    public CandelaExplainer setThreads(int v) { set(threads, v); return this; }

    public String getInputCol() { return $(inputCol); }
    public String getPathCol() { return $(pathCol); }
    public String getOutputCol() { return $(outputCol); }
    public String getModelPath() { return $(modelPath); }
    public String getMethods() { return $(methods); }
    public String getTarget() { return $(target); }
    public String getTargetCol() { return $(targetCol); }
    public String getLayer() { return $(layer); }
    public long getSeed() { return (Long) $(seed); }
    public int getBatchSize() { return (Integer) $(batchSize); }
    public int getThreads() { return (Integer) $(threads); }

    @Override public StructType transformSchema(StructType schema) {
        StructField in = field(schema, getInputCol(), "inputCol");
        if (!(in.dataType() instanceof BinaryType) && !isImageStruct(in)) {
            throw new IllegalArgumentException("inputCol '" + getInputCol() + "' is " + in.dataType().simpleString()
                    + "; expected binary (format \"binaryFile\") or the image struct (format \"image\")");
        }
        if (!getTargetCol().isEmpty()) {
            StructField t = field(schema, getTargetCol(), "targetCol");
            if (!(t.dataType() instanceof IntegerType || t.dataType() instanceof LongType || t.dataType() instanceof ShortType)) {
                throw new IllegalArgumentException("targetCol '" + getTargetCol() + "' is " + t.dataType().simpleString() + "; expected an integer class");
            }
        }
        if (getBatchSize() < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + getBatchSize());
        if (getThreads() < 1) throw new IllegalArgumentException("threads must be >= 1, got " + getThreads());
        StructType out = schema;
        for (StructField f : ExplainPartition.rowFields().fields()) out = add(out, f.name(), f);
        return add(out, getOutputCol(), DataTypes.createStructField(getOutputCol(), DataTypes.createArrayType(ExplainPartition.methodStruct(), false), true));
    }

    @Override public Dataset<Row> transform(Dataset<?> dataset) {
        StructType schema = dataset.schema();
        StructType out = transformSchema(schema);
        byte[] bytes = modelBytes();
        String ext = extension(getModelPath());
        String sha = Models.sha256(bytes);
        ExplainSettings settings = settings(schema, sha, ext);
        // the options are checked here, once, on the driver: a typo fails the call, not every task
        Model m = Models.get(sha, ext, () -> bytes);
        settings.parseMethods(m);
        settings.request(null);
        try (dev.candela.explainer.Explainer ex = dev.candela.explainer.Explainer.of(m, 1)) {
            for (String l : settings.layerList()) ex.resolveLayer(l);
        }
        Broadcast<byte[]> bc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext()).broadcast(bytes);
        return dataset.toDF().mapPartitions(new ExplainPartition(settings, bc), Encoders.row(out));
    }

    ExplainSettings settings(StructType schema, String sha, String ext) {
        int input = schema.fieldIndex(getInputCol());
        boolean struct = isImageStruct(schema.fields()[input]);
        int path = java.util.Arrays.asList(schema.fieldNames()).indexOf(getPathCol());
        if (path >= 0 && !schema.fields()[path].dataType().equals(DataTypes.StringType)) path = -1;
        int tcol = getTargetCol().isEmpty() ? -1 : schema.fieldIndex(getTargetCol());
        return new ExplainSettings(getMethods(), getTarget(), getLayer(), getSeed(), getBatchSize(), getThreads(),
                input, struct, path, tcol, sha, ext);
    }

    byte[] modelBytes() {
        if (getModelPath().isEmpty()) throw new IllegalArgumentException("modelPath is not set: setModelPath(\"weights/fashion-vgg.cnd\")");
        Path p = Path.of(getModelPath());
        try {
            dev.candela.format.ModelFiles.requireRegular(p);
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model " + p + ": " + e.getMessage(), e);
        }
    }

    static String extension(String path) {
        String n = Path.of(path).getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(dot + 1).toLowerCase(java.util.Locale.ROOT) : "";
    }

    static boolean isImageStruct(StructField f) {
        if (!(f.dataType() instanceof StructType st)) return false;
        java.util.List<String> names = java.util.Arrays.asList(st.fieldNames());
        return names.containsAll(java.util.List.of("height", "width", "nChannels", "data"));
    }

    static StructField field(StructType schema, String name, String param) {
        if (!java.util.Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException(param + " '" + name + "' is not a column; columns: " + String.join(", ", schema.fieldNames()));
        }
        return schema.apply(name);
    }

    static StructType add(StructType schema, String name, StructField f) {
        if (java.util.Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("output column '" + name + "' already exists");
        }
        return schema.add(f);
    }

    @Override public CandelaExplainer copy(ParamMap extra) { return defaultCopy(extra); }

    /** Reads a transformer saved with {@code write().save(path)}. */
    public static MLReader<CandelaExplainer> read() { return new DefaultParamsReader<>(); }

    public static CandelaExplainer load(String path) { return read().load(path); }
}
