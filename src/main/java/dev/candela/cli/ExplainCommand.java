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
import dev.candela.explain.fgcam.FgCam;
import dev.candela.explain.fgcam.FgCamMethod;
import dev.candela.explain.fgcam.RaisingRule;
import dev.candela.explain.lrp.Composite;
import dev.candela.explain.lrp.LrpMethod;
import dev.candela.format.ModelFiles;
import dev.candela.graph.LayerNames;
import dev.candela.graph.Model;
import dev.candela.image.Colormap;
import dev.candela.image.Overlay;
import dev.candela.image.Picture;
import dev.candela.image.PngWriter;
import dev.candela.io.AtomicFile;
import dev.candela.report.HtmlReport;
import dev.candela.report.ReportCell;
import dev.candela.report.ReportRow;
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
import picocli.CommandLine.Parameters;

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

    @Parameters(paramLabel = "IMAGE", arity = "0..*", description = "images (.png, .jpg), .npy tensors or directories of them (the same as --input)")
    List<Path> images = new ArrayList<>();

    @Option(names = "--input", description = "an image, a .npy float32 NCHW tensor (used as given), or a directory of them; may be repeated")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--method", split = ",", defaultValue = "grad-cam", description = "method name(s), comma-separated, or 'all' (every CAM method); default ${DEFAULT-VALUE}")
    List<String> methods;

    @Option(names = "--layer", split = ",", description = "layer(s) to explain: node name, tensor name, module path, or 'auto' (default). Several are fused.")
    List<String> layers = new ArrayList<>();

    @Option(names = "--target", description = "class index, label, topK, softmax:C, or C1*w1+C2*w2; repeat once per image of a batch; default: the predicted class")
    List<String> targets = new ArrayList<>();

    @Option(names = "--out", defaultValue = "candela-out", description = "output directory (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--colormap", defaultValue = "jet", description = "overlay colours: jet, turbo, viridis, inferno (default ${DEFAULT-VALUE})")
    String colormap;

    @Option(names = "--opacity", defaultValue = "0.5", description = "weight of the map over the image in overlays, 0..1 (default ${DEFAULT-VALUE})")
    float opacity;

    @Option(names = "--report", paramLabel = "FILE.html", description = "also write one self-contained HTML page: every image x every method")
    Path report;

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

    @Option(names = "--base", defaultValue = "grad-cam", description = "fg-cam: base CAM method whose components are raised (any method with per-channel or element-wise weights; score-cam-fg = the FG-CAM code's Score-CAM) (default ${DEFAULT-VALUE})")
    String fgBase;

    @Option(names = "--fg-layer", defaultValue = "input", description = "fg-cam: layer the components are raised to, or 'input' (default ${DEFAULT-VALUE})")
    String fgLayer;

    @Option(names = "--denoise", arity = "0..1", fallbackValue = "official", description = "fg-cam: denoise the components (official: row-centred SVD, top 10%%, means not added back; means-back: add each channel's mean back)")
    String denoise;

    @Option(names = "--fg-zero", defaultValue = "drop", description = "fg-cam: values of units with a zero denominator: drop (official) or spread (conserving) (default ${DEFAULT-VALUE})")
    String fgZero;

    @Option(names = "--rule", description = "lrp: one rule on every conv and linear layer: epsilon, gamma, z-plus, alpha-beta, z-box, flat, w-square")
    String lrpRule;

    @Option(names = "--composite", description = "lrp: epsilon-plus (default), epsilon-gamma-box, epsilon-alpha2-beta1, captum")
    String lrpComposite;

    @Option(names = "--lrp-bn", defaultValue = "merge", description = "lrp: batch norm merged into the preceding conv (merge, zennit's canonizer) or passed through (pass) (default ${DEFAULT-VALUE})")
    String lrpBn;

    /** How a model path becomes a model (the format package's loader; tests may substitute). */
    Function<Path, Model> loader = ExplainCommand::loadModel;

    private final PrintWriter err;
    private final PrintWriter stdout;

    public ExplainCommand() { this(new PrintWriter(System.err, true)); }

    ExplainCommand(PrintWriter err) { this(err, new PrintWriter(System.out, true)); }

    ExplainCommand(PrintWriter err, PrintWriter stdout) {
        this.err = err;
        this.stdout = stdout;
    }

    /** Rows of the HTML report, filled while explaining when --report is given. */
    private final List<ReportRow> reportRows = new ArrayList<>();

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
        boolean lrp = methods.stream().anyMatch(x -> x.trim().equalsIgnoreCase("lrp"));
        List<String> camNames = methods.stream().filter(x -> !AttributionMethods.has(x) && !x.trim().equalsIgnoreCase("lrp")).toList();
        List<CamMethod> ms = camNames.isEmpty() && (!attributionMethods.isEmpty() || lrp) ? List.of() : resolveMethods(camNames);
        ms = ms.stream().map(c -> c.name().equals("fg-cam") ? fgCam() : c).toList();
        lrpMethod = lrp ? lrpMethod(m) : null;
        List<Target> ts = targets.stream().map(Target::parse).toList();
        CamOptions options = CamOptions.defaults()
                .withBatchSize(batchSize)
                .withSeed(seed)
                .withAugSmooth(augSmooth)
                .withEigenSmooth(eigenSmooth)
                .withResize(alignCorners ? Resize.Mode.ALIGN_CORNERS : Resize.Mode.HALF_PIXEL)
                .withFusion(parseFusion(fusion))
                .withProgress(Progress.console());
        Colormap cm = Colormap.parse(colormap);
        if (cm == Colormap.DIVERGING) throw new IllegalArgumentException("--colormap diverging is for signed attributions; choose jet, turbo, viridis or inferno");
        if (!(opacity >= 0 && opacity <= 1)) throw new IllegalArgumentException("--opacity must be between 0 and 1, got " + opacity);
        List<Path> given = new ArrayList<>(images);
        given.addAll(inputs);
        if (given.isEmpty()) throw new IllegalArgumentException("no input: give an image, e.g. 'candela explain testdata/images/fashion-9-ankle-boot.png'");
        List<Path> files = new ArrayList<>();
        for (Path g : given) files.addAll(inputFiles(g));
        Files.createDirectories(out);
        try (Explainer ex = threads != null ? Explainer.of(m, threads) : Explainer.of(m)) {
            Explainer.Request request = Explainer.Request.defaults().layers(layers.toArray(String[]::new)).targets(ts).options(options);
            for (Path file : files) explainOne(ex, m, modelPath, file, ms, attributionMethods, request, cm);
        }
        if (report != null) {
            HtmlReport.write(report, "Candela: " + String.join(", ", methods), modelPath.getFileName().toString(), reportRows);
            stdout.println("report: " + report);
        }
    }

    private void explainOne(Explainer ex, Model m, Path modelPath, Path file, List<CamMethod> ms, List<String> attributionMethods,
                            Explainer.Request request, Colormap cm) throws IOException {
        InputBatch in = InputBatch.read(file, m);
        String stem = stem(file);
        Path dir = out.resolve(stem);
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        CamSession session = ex.session(in.tensor(), request);
        long forwardNanos = System.nanoTime() - t0;
        if (layers.isEmpty() || layers.contains("auto")) err.println("candela explain: layer auto -> " + session.evidence().get(0).layer());
        int n = in.tensor().dim(0);
        Tensor logits = session.logits();
        String layerNames = String.join(" + ", session.evidence().stream().map(ev -> shortLayer(m, ev.layer())).toList());
        for (int i = 0; i < n; i++) {
            int top = argmax(logits.item(i).data());
            stdout.printf(Locale.ROOT, "%s%s: %s (class %d) p=%.3f, layer %s%s%n", file, n > 1 ? "[" + i + "]" : "",
                    m.label(top), top, softmax(logits.item(i).data(), top), layerNames,
                    layers.isEmpty() || layers.contains("auto") ? " (auto)" : "");
            for (TargetScore ts : session.targetScores()) {
                if (ts.image() == i && ts.classIndex() >= 0 && ts.classIndex() != top) {
                    stdout.printf(Locale.ROOT, "  explaining %s (class %d) p=%.3f%n", m.label(ts.classIndex()), ts.classIndex(), softmax(logits.item(i).data(), ts.classIndex()));
                }
            }
        }
        List<List<ReportCell>> cells = new ArrayList<>();
        for (int i = 0; i < n; i++) cells.add(new ArrayList<>());
        List<Map<String, Object>> results = new ArrayList<>();
        for (CamMethod method : ms) {
            Explanation e = session.explain(method);
            Map<String, Object> res = writeResult(dir, in, m, n, e, cm, layerNames, cells);
            if (method instanceof LiftCamMethod lift) res.put("lift_cam", lift.manifest(session.evidence().get(0)));
            if (method instanceof FgCamMethod fg) res.put("fg_cam", fg.manifest(session.evidence().get(0)));
            res.put("options", methodOptions(method, request.options()));
            res.put("millis", e.millis());
            results.add(res);
        }
        for (String name : attributionMethods) {
            var evidence = session.evidence().get(0);
            PixelAttribution method = AttributionMethods.byName(name, evidence.layer(), attributionSettings());
            Explanation e = AttributionMethods.explain(method, evidence, session.targetScores());
            Map<String, Object> res = writeResult(dir, in, m, n, e, cm, layerNames, cells);
            res.put("options", method.toString());
            double[] delta = AttributionMethods.convergenceDelta(method, evidence, e.attributions());
            if (delta != null) res.put("convergence_delta", delta);
            res.put("millis", e.millis());
            results.add(res);
        }
        if (lrpMethod != null) {
            Explanation e = lrpMethod.explain(session.evidence().get(0), session.targetScores());
            Map<String, Object> res = writeResult(dir, in, m, n, e, cm, layerNames, cells);
            res.put("lrp", lrpMethod.manifest());
            res.put("millis", e.millis());
            results.add(res);
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("candela", version());
        manifest.put("model", Map.of("file", modelPath.toString(), "sha256", sha256(modelPath)));
        manifest.put("input", Map.of("file", file.toString(), "sha256", sha256(file), "shape", shapeOf(in.tensor()), "kind", in.kind()));
        if (in.kind().equals("image")) manifest.put("preprocessing", m.preprocessing().describe());
        manifest.put("forward_millis", forwardNanos / 1e6);
        manifest.put("threads", threads != null ? threads : Runtime.getRuntime().availableProcessors());
        manifest.put("methods", results);
        AtomicFile.write(dir.resolve("manifest.json"), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(manifest));
        if (report != null) {
            for (int i = 0; i < n; i++) {
                int top = argmax(logits.item(i).data());
                TargetScore t = null;
                for (TargetScore ts : session.targetScores()) {
                    if (ts.image() == i) {
                        t = ts;
                        break;
                    }
                }
                int target = t != null && t.classIndex() >= 0 ? t.classIndex() : top;
                reportRows.add(new ReportRow(stem + (n > 1 ? "[" + i + "]" : ""), in.views().get(i), top,
                        softmax(logits.item(i).data(), top), target, softmax(logits.item(i).data(), target), m.labels(), cells.get(i)));
            }
        }
    }

    /** Writes one method's files (map, raw, weights, attributions, overlays) and returns its manifest entry. */
    private Map<String, Object> writeResult(Path dir, InputBatch in, Model m, int n, Explanation e, Colormap cm,
                                            String layerNames, List<List<ReportCell>> cells) throws IOException {
        String name = e.method();
        int perImage = e.maps().dim(0) / n;
        Npy.write(dir.resolve(name + ".npy"), stacked(e.maps(), n, perImage));
        if (e.rawMaps() != null) Npy.write(dir.resolve(name + ".raw.npy"), stacked(e.rawMaps(), n, perImage));
        if (e.coefficients() != null) Npy.write(dir.resolve(name + ".weights.npy"), stacked(e.coefficients(), n, perImage));
        if (e.attributions() != null) Npy.write(dir.resolve(name + ".attr.npy"), stacked(e.attributions(), n, perImage));
        for (int r = 0; r < e.maps().dim(0); r++) {
            String suffix = e.maps().dim(0) == 1 ? "" : "." + r;
            int image = e.targets().get(r).image();
            Picture view = in.views().get(image);
            int factor = Math.max(1, DISPLAY / Math.max(view.width(), view.height()));
            Tensor map = e.maps().item(r);
            Picture overlay = Overlay.overlay(view.enlarge(factor), map.data(), map.dim(0), map.dim(1), cm, opacity);
            PngWriter.write(dir.resolve(name + suffix + ".png"), overlay);
            PngWriter.write(dir.resolve(name + suffix + ".heatmap.png"),
                    Overlay.heatmap(map.data(), map.dim(0), map.dim(1), cm).resize(map.dim(1) * factor, map.dim(0) * factor));
            Picture shown = overlay;
            if (e.attributions() != null) {
                // Pixel attributions also get the signed picture: red positive, blue negative, white zero.
                Tensor attr = e.attributions().item(r);
                int c = attr.dim(0), h = attr.dim(1), w = attr.dim(2);
                shown = Overlay.signed(Overlay.channelSum(attr.data(), c, h, w), h, w, SIGNED_PERCENTILE).enlarge(factor);
                PngWriter.write(dir.resolve(name + suffix + ".signed.png"), shown);
            }
            float[] coefficients = e.coefficients() == null ? null : e.coefficients().item(r).data();
            cells.get(image).add(new ReportCell(name, e.layers().isEmpty() ? "" : layerNames, shown, e.millis() / n, coefficients, Map.of()));
        }
        stdout.printf(Locale.ROOT, "  %-22s %8.1f ms -> %s%n", name, e.millis(), dir.resolve(name + (e.maps().dim(0) == 1 ? "" : ".<row>") + ".png"));
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("method", name);
        res.put("layers", e.layers());
        res.put("map", name + ".npy");
        res.put("map_shape", shapeOf(stacked(e.maps(), n, perImage)));
        if (e.rawMaps() != null) res.put("raw", name + ".raw.npy");
        if (e.coefficients() != null) res.put("weights", name + ".weights.npy");
        if (e.attributions() != null) {
            res.put("attributions", name + ".attr.npy");
            res.put("signed", e.maps().dim(0) == 1 ? name + ".signed.png" : name + ".<row>.signed.png");
            res.put("signed_scale", "channel sum, symmetric at the " + SIGNED_PERCENTILE + "th percentile of |a|");
        }
        res.put("overlay", e.maps().dim(0) == 1 ? name + ".png" : name + ".<row>.png");
        res.put("heatmap", e.maps().dim(0) == 1 ? name + ".heatmap.png" : name + ".<row>.heatmap.png");
        res.put("colormap", cm.cliName());
        res.put("opacity", opacity);
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

    private LrpMethod lrpMethod;

    /** fg-cam with the command's --base, --fg-layer, --denoise and --fg-zero. */
    FgCamMethod fgCam() {
        FgCam.Denoise d = denoise == null ? FgCam.Denoise.NONE : switch (denoise.trim().toLowerCase(Locale.ROOT)) {
            case "official", "true" -> FgCam.Denoise.OFFICIAL;
            case "means-back" -> FgCam.Denoise.MEANS_BACK;
            case "none", "false" -> FgCam.Denoise.NONE;
            default -> throw new IllegalArgumentException("--denoise must be official or means-back, got '" + denoise + "'");
        };
        RaisingRule.ZeroDenominators z = switch (fgZero.trim().toLowerCase(Locale.ROOT)) {
            case "drop" -> RaisingRule.ZeroDenominators.DROP;
            case "spread" -> RaisingRule.ZeroDenominators.SPREAD;
            default -> throw new IllegalArgumentException("--fg-zero must be drop or spread, got '" + fgZero + "'");
        };
        String b = fgBase.trim().toLowerCase(Locale.ROOT);
        if (!b.equals("score-cam-fg") && !CamMethods.has(b)) throw new IllegalArgumentException("--base: unknown CAM method '" + fgBase + "'; known: score-cam-fg, " + String.join(", ", CamMethods.names()));
        return new FgCamMethod(b, fgLayer.trim(), d, z);
    }

    /** lrp with the command's --rule or --composite (z-box bounds: the model's preprocessing range) and --lrp-bn. */
    LrpMethod lrpMethod(Model m) {
        if (lrpRule != null && lrpComposite != null) throw new IllegalArgumentException("lrp: give --rule or --composite, not both");
        float[][] bounds = inputBounds(m.preprocessing());
        Composite c = lrpRule != null ? Composite.single(Composite.rule(lrpRule.trim().toLowerCase(Locale.ROOT), bounds[0], bounds[1]))
                : Composite.named(lrpComposite == null ? "epsilon-plus" : lrpComposite.trim().toLowerCase(Locale.ROOT), bounds[0], bounds[1]);
        boolean merge = switch (lrpBn.trim().toLowerCase(Locale.ROOT)) {
            case "merge" -> true;
            case "pass" -> false;
            default -> throw new IllegalArgumentException("--lrp-bn must be merge or pass, got '" + lrpBn + "'");
        };
        return new LrpMethod(c, merge);
    }

    /** Lowest and highest input value per channel that preprocessing can produce from pixels 0..255. */
    static float[][] inputBounds(dev.candela.graph.Preprocessing p) {
        if (p.mean() != null) {
            float[] lo = new float[p.mean().length], hi = new float[p.mean().length];
            for (int c = 0; c < lo.length; c++) {
                lo[c] = (0f - p.mean()[c]) / p.std()[c];
                hi[c] = (1f - p.mean()[c]) / p.std()[c];
            }
            return new float[][]{lo, hi};
        }
        float a = p.offset(), b = 255f * p.scale() + p.offset();
        return new float[][]{{Math.min(a, b)}, {Math.max(a, b)}};
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
            } else if (CamMethods.has(n.trim().toLowerCase(Locale.ROOT))) {
                ms.add(CamMethods.byName(n));
            } else {
                List<String> valid = new ArrayList<>(CamMethods.names());
                valid.add("all");
                throw Choices.unknown("CAM method", n.trim(), valid);
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
        if (!Files.exists(p)) throw new IllegalArgumentException("cannot read " + p + ": no such file or directory");
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

    /** The model used when --model is omitted (weights/README.md is its model card). */
    static final String DEFAULT_MODEL = "fashion-vgg.cnd";

    static Path shippedModel() throws IOException {
        Path home = Path.of(System.getProperty("candela.home", "."));
        Path weights = home.resolve("weights");
        if (Files.isRegularFile(weights.resolve(DEFAULT_MODEL))) return weights.resolve(DEFAULT_MODEL);
        if (Files.isDirectory(weights)) {
            try (Stream<Path> s = Files.list(weights)) {
                List<Path> cnd = s.filter(f -> f.toString().endsWith(".cnd")).sorted().toList();
                if (!cnd.isEmpty()) return cnd.get(0);
            }
        }
        throw new IllegalArgumentException("no --model given and no shipped model (*.cnd) in " + weights.toAbsolutePath());
    }

    static Model loadModel(Path p) {
        try {
            return ModelFiles.load(p);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read model " + p + ": no such file");
        } catch (IOException e) {
            // ModelFormatException names the file and the field already
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new IllegalArgumentException(m.contains(p.toString()) ? m : "cannot read model " + p + ": " + m, e);
        }
    }

    /**
     * The shortest name a user could type for a layer tensor: the outermost module path when it
     * resolves to the same tensor ("stage3" for /stage3/relu2/Relu_output_0), else the node name.
     */
    static String shortLayer(Model m, String tensor) {
        var producer = m.graph().producer(tensor);
        if (producer == null) return tensor;
        LayerNames names = new LayerNames(m.graph());
        String node = producer.name();
        for (String part : node.split("/")) {
            if (part.isEmpty() || part.equals(node)) continue;
            try {
                if (names.resolve(part).equals(tensor)) return part;
            } catch (IllegalArgumentException e) {
                // not a name on its own: try the next part
            }
        }
        return node;
    }

    /** Signed attribution pictures saturate at this percentile of |a| (a few extreme pixels would wash out the rest). */
    static final double SIGNED_PERCENTILE = 99.5;

    /** Overlay and heatmap PNGs are at least this many pixels wide: small inputs are enlarged. */
    static final int DISPLAY = 224;

    static int argmax(float[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
        return b;
    }

    static double softmax(float[] v, int c) {
        double max = Double.NEGATIVE_INFINITY, z = 0;
        for (float x : v) max = Math.max(max, x);
        for (float x : v) z += Math.exp(x - max);
        return Math.exp(v[c] - max) / z;
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
