package dev.candela.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.candela.explain.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explain.Progress;
import dev.candela.explain.Target;
import dev.candela.explain.TargetScore;
import dev.candela.explain.attribution.AttributionMethods;
import dev.candela.explain.attribution.AttributionSettings;
import dev.candela.explain.attribution.PixelAttribution;
import dev.candela.explain.attribution.Quadrature;
import dev.candela.explain.attribution.LiftCamMethod;
import dev.candela.explain.cam.CamMethod;
import dev.candela.explain.cam.CamMethods;
import dev.candela.explain.cam.CamOptions;
import dev.candela.explain.cam.CamSession;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.image.Resize;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code candela explain}: CAM maps for every input and method, written as DESIGN.md's command-line
 * contract says. Several methods on one input share one forward pass (and one gradient pass per layer).
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Explain a model's decision: writes DIR/<stem>/<method>.npy (final map in [0,1] at input resolution), "
                + "<method>.raw.npy, <method>.weights.npy, <method>.png (overlay) and manifest.json.")
public final class ExplainCommand implements Callable<Integer> {

    @Option(names = "--model", description = "model file (.cnd or .onnx); default: the shipped model in weights/")
    Path model;

    @Option(names = "--input", required = true, description = "an image, a .npy float32 NCHW tensor (used as given), or a directory of them")
    Path input;

    @Option(names = "--method", required = true, split = ",", description = "method name(s), comma-separated, or 'all' (every CAM method)")
    List<String> methods;

    @Option(names = "--layer", split = ",", description = "layer(s) to explain: node name, tensor name, module path, or 'auto' (default). Several are fused.")
    List<String> layers = new ArrayList<>();

    @Option(names = "--target", description = "class index, label, topK, softmax:C, or C1*w1+C2*w2; repeat once per image of a batch; default: the predicted class")
    List<String> targets = new ArrayList<>();

    @Option(names = "--out", required = true, description = "output directory")
    Path out;

    @Option(names = "--batch-size", defaultValue = "32", description = "masked forwards per batch for perturbation methods (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--threads", description = "worker threads (default: available processors)")
    Integer threads;

    @Option(names = "--seed", defaultValue = "0", description = "seed of noisy methods (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--aug-smooth", description = "test-time augmentation smoothing (h-flip x 0.9/1/1.1)")
    boolean augSmooth;

    @Option(names = "--eigen-smooth", description = "first principal component instead of the channel sum")
    boolean eigenSmooth;

    @Option(names = "--align-corners", description = "resize maps with align_corners=True instead of half-pixel centres")
    boolean alignCorners;

    @Option(names = "--fusion", defaultValue = "mean", description = "fusion of several layers: mean, max, product (default ${DEFAULT-VALUE})")
    String fusion;

    @Option(names = "--reference", defaultValue = "zeros", description = "reference of deeplift / baseline of integrated-gradients: zeros, blur, blur:SIZE:SIGMA, constant:V or a .npy file (default ${DEFAULT-VALUE})")
    String reference;

    @Option(names = "--deeplift-rules", defaultValue = "captum", description = "DeepLIFT conventions: captum (eps 1e-10, gradient at the input, Captum's max-pool rule accumulated) or deeplift (eps 1e-7, gradient at the reference, gradient max-pool rule) (default ${DEFAULT-VALUE})")
    String deepliftRules;

    @Option(names = "--steps", defaultValue = "50", description = "integrated-gradients steps (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--quadrature", defaultValue = "gausslegendre", description = "integrated-gradients nodes: riemann_left, riemann_right, riemann_middle, riemann_trapezoid, gausslegendre (default ${DEFAULT-VALUE})")
    String quadrature;

    @Option(names = "--samples", defaultValue = "20", description = "smoothgrad noisy samples (default ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--noise-level", defaultValue = "0.1", description = "smoothgrad sigma as a fraction of each input's value range (default ${DEFAULT-VALUE})")
    double noiseLevel;

    /** How a model path becomes a model (the format package's loader; tests may substitute). */
    Function<Path, Model> loader = ExplainCommand::loadModel;

    private final PrintWriter err;

    public ExplainCommand() { this(new PrintWriter(System.err, true)); }

    ExplainCommand(PrintWriter err) { this.err = err; }

    @Override public Integer call() {
        try {
            run();
            return 0;
        } catch (IllegalArgumentException | UncheckedIOException e) {
            err.println("candela explain: " + oneLine(e));
            return 2;
        } catch (IOException e) {
            err.println("candela explain: " + oneLine(e));
            return 2;
        } catch (RuntimeException | OutOfMemoryError e) {
            err.println("candela explain: internal error: " + e);
            return 1;
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() != null ? e.getMessage() : e.toString();
        return m.replace('\n', ' ');
    }

    void run() throws IOException {
        Path modelPath = model != null ? model : shippedModel();
        Model m = loader.apply(modelPath);
        // pixel attribution methods (gradient, deeplift, ...) run on the same session as the CAM methods
        List<String> attributionMethods = methods.stream().filter(AttributionMethods::has).map(x -> x.trim().toLowerCase(Locale.ROOT)).toList();
        List<String> camNames = methods.stream().filter(x -> !AttributionMethods.has(x)).toList();
        List<CamMethod> ms = camNames.isEmpty() && !attributionMethods.isEmpty() ? List.of() : resolveMethods(camNames);
        List<Target> ts = targets.stream().map(Target::parse).toList();
        CamOptions options = CamOptions.defaults()
                .withBatchSize(batchSize)
                .withSeed(seed)
                .withAugSmooth(augSmooth)
                .withEigenSmooth(eigenSmooth)
                .withResize(alignCorners ? Resize.Mode.ALIGN_CORNERS : Resize.Mode.HALF_PIXEL)
                .withFusion(parseFusion(fusion))
                .withProgress(Progress.console());
        List<Path> inputs = inputFiles(input);
        Files.createDirectories(out);
        try (Explainer ex = threads != null ? Explainer.of(m, threads) : Explainer.of(m)) {
            Explainer.Request request = Explainer.Request.defaults().layers(layers.toArray(String[]::new)).targets(ts).options(options);
            for (Path file : inputs) explainOne(ex, m, modelPath, file, ms, attributionMethods, request);
        }
    }

    private void explainOne(Explainer ex, Model m, Path modelPath, Path file, List<CamMethod> ms, List<String> attributionMethods, Explainer.Request request) throws IOException {
        InputBatch in = InputBatch.read(file, m);
        String stem = stem(file);
        Path dir = out.resolve(stem);
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        CamSession session = ex.session(in.tensor(), request);
        long forwardNanos = System.nanoTime() - t0;
        if (layers.isEmpty() || layers.contains("auto")) err.println("candela explain: layer auto -> " + session.evidence().get(0).layer());
        List<Map<String, Object>> results = new ArrayList<>();
        int n = in.tensor().dim(0);
        for (CamMethod method : ms) {
            Explanation e = session.explain(method);
            Map<String, Object> res = writeResult(dir, in, m, n, e);
            if (method instanceof LiftCamMethod lift) res.put("lift_cam", lift.manifest(session.evidence().get(0)));
            res.put("options", methodOptions(method, request.options()));
            res.put("millis", e.millis());
            results.add(res);
        }
        for (String name : attributionMethods) {
            var evidence = session.evidence().get(0);
            PixelAttribution method = AttributionMethods.byName(name, evidence.layer(), attributionSettings());
            Explanation e = AttributionMethods.explain(method, evidence, session.targetScores());
            Map<String, Object> res = writeResult(dir, in, m, n, e);
            res.put("options", method.toString());
            double[] delta = AttributionMethods.convergenceDelta(method, evidence, e.attributions());
            if (delta != null) res.put("convergence_delta", delta);
            res.put("millis", e.millis());
            results.add(res);
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("candela", version());
        manifest.put("model", Map.of("file", modelPath.toString(), "sha256", sha256(modelPath)));
        manifest.put("input", Map.of("file", file.toString(), "sha256", sha256(file), "shape", shapeOf(in.tensor()), "kind", in.kind()));
        manifest.put("forward_millis", forwardNanos / 1e6);
        manifest.put("threads", threads != null ? threads : Runtime.getRuntime().availableProcessors());
        manifest.put("methods", results);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("manifest.json").toFile(), manifest);
    }

    /** Writes one method's files (map, raw, weights, attributions, overlays) and returns its manifest entry. */
    private static Map<String, Object> writeResult(Path dir, InputBatch in, Model m, int n, Explanation e) throws IOException {
        String name = e.method();
        int perImage = e.maps().dim(0) / n;
        Npy.write(dir.resolve(name + ".npy"), stacked(e.maps(), n, perImage));
        if (e.rawMaps() != null) Npy.write(dir.resolve(name + ".raw.npy"), stacked(e.rawMaps(), n, perImage));
        if (e.coefficients() != null) Npy.write(dir.resolve(name + ".weights.npy"), stacked(e.coefficients(), n, perImage));
        if (e.attributions() != null) Npy.write(dir.resolve(name + ".attr.npy"), stacked(e.attributions(), n, perImage));
        for (int r = 0; r < e.maps().dim(0); r++) {
            String png = e.maps().dim(0) == 1 ? name + ".png" : name + "." + r + ".png";
            Overlay.write(dir.resolve(png), in.view(e.targets().get(r).image(), m.preprocessing()), e.maps().item(r));
        }
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("method", name);
        res.put("layers", e.layers());
        res.put("map", name + ".npy");
        res.put("map_shape", shapeOf(stacked(e.maps(), n, perImage)));
        if (e.rawMaps() != null) res.put("raw", name + ".raw.npy");
        if (e.coefficients() != null) res.put("weights", name + ".weights.npy");
        if (e.attributions() != null) res.put("attributions", name + ".attr.npy");
        res.put("overlay", e.maps().dim(0) == 1 ? name + ".png" : name + ".<row>.png");
        List<Map<String, Object>> tlist = new ArrayList<>();
        for (TargetScore t : e.targets()) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("image", t.image());
            tm.put("class", t.classIndex());
            tm.put("target", t.description());
            if (t.classIndex() >= 0) tm.put("label", m.label(t.classIndex()));
            tm.put("score", t.score());
            if (!Double.isNaN(t.probability())) tm.put("probability", t.probability());
            tlist.add(tm);
        }
        res.put("targets", tlist);
        return res;
    }

    private AttributionSettings attributionSettings() {
        return AttributionSettings.defaults()
                .withReference(AttributionSettings.parseReference(reference))
                .withDeepLift(AttributionSettings.parseDeepLiftRules(deepliftRules))
                .withIntegration(steps, Quadrature.parse(quadrature))
                .withNoise(samples, noiseLevel, seed);
    }

    private static Map<String, Object> methodOptions(CamMethod m, CamOptions o) {
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("definition", m.toString());
        opts.put("resize", o.resize().name().toLowerCase(Locale.ROOT));
        opts.put("fusion", o.fusion().name().toLowerCase(Locale.ROOT));
        opts.put("aug_smooth", o.augSmooth());
        opts.put("eigen_smooth", o.eigenSmooth());
        opts.put("batch_size", o.batchSize());
        return opts;
    }

    /** N results of `perImage` rows each: first axis N (dropped when N = 1), then perImage (dropped when 1). */
    static Tensor stacked(Tensor rows, int n, int perImage) {
        int[] d = rows.shape().dims();
        List<Integer> dims = new ArrayList<>();
        if (n > 1) dims.add(n);
        if (perImage > 1) dims.add(perImage);
        for (int i = 1; i < d.length; i++) dims.add(d[i]);
        return rows.reshape(dims.stream().mapToInt(Integer::intValue).toArray());
    }

    private static List<Integer> shapeOf(Tensor t) {
        List<Integer> s = new ArrayList<>();
        for (int d : t.shape().dims()) s.add(d);
        return s;
    }

    static List<CamMethod> resolveMethods(List<String> names) {
        List<CamMethod> ms = new ArrayList<>();
        for (String n : names) {
            if (n.trim().equalsIgnoreCase("all")) {
                for (String k : CamMethods.names()) ms.add(CamMethods.byName(k));
            } else {
                ms.add(CamMethods.byName(n));
            }
        }
        if (ms.isEmpty()) throw new IllegalArgumentException("--method: no method given");
        return ms;
    }

    private static CamOptions.Fusion parseFusion(String s) {
        try {
            return CamOptions.Fusion.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--fusion must be mean, max or product, got '" + s + "'");
        }
    }

    static List<Path> inputFiles(Path p) throws IOException {
        if (!Files.exists(p)) throw new IllegalArgumentException("--input " + p + " does not exist");
        if (!Files.isDirectory(p)) return List.of(p);
        try (Stream<Path> s = Files.list(p)) {
            List<Path> files = s.filter(f -> InputBatch.isSupported(f)).sorted().toList();
            if (files.isEmpty()) throw new IllegalArgumentException("--input directory " + p + " holds no image or .npy file");
            return files;
        }
    }

    static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private static Path shippedModel() throws IOException {
        Path home = Path.of(System.getProperty("candela.home", "."));
        Path weights = home.resolve("weights");
        if (Files.isDirectory(weights)) {
            try (Stream<Path> s = Files.list(weights)) {
                List<Path> cnd = s.filter(f -> f.toString().endsWith(".cnd")).sorted().toList();
                if (!cnd.isEmpty()) return cnd.get(0);
            }
        }
        throw new IllegalArgumentException("no --model given and no shipped model (*.cnd) in " + weights.toAbsolutePath());
    }

    static Model loadModel(Path p) {
        throw new IllegalArgumentException("cannot load " + p + ": model files are read by the format package (not in this build yet)");
    }

    static String sha256(Path p) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(p)) {
                byte[] buf = new byte[1 << 16];
                int r;
                while ((r = in.read(buf)) > 0) md.update(buf, 0, r);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String version() {
        String v = ExplainCommand.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

}
