package dev.candela.cli;

import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explainer.Method;
import dev.candela.explainer.Methods;
import dev.candela.explain.Objective;
import dev.candela.explain.Progress;
import dev.candela.explain.Target;
import dev.candela.explain.TargetScore;
import dev.candela.explain.cam.CamSession;
import dev.candela.graph.Model;
import dev.candela.image.Colormap;
import dev.candela.report.HtmlReport;
import dev.candela.report.ReportCell;
import dev.candela.report.ReportRow;
import dev.candela.tensor.Tensor;
import dev.candela.cli.args.CommandSpec;
import dev.candela.cli.args.ValueType;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code candela explain}: maps for every input and method, written as DESIGN.md's command-line contract
 * says. Several methods on one input share one forward pass (and one gradient pass per layer). Methods and
 * their options are parsed by {@link Methods}; each method's map is made by its own display policy; files
 * are written by {@link ResultWriter}. A broken input is reported and skipped; the run then ends with exit 2.
 */
public final class ExplainCommand extends CliCommand {
    List<Path> images = new ArrayList<>();
    List<Path> inputs = new ArrayList<>();
    List<String> methods;
    List<String> targets = new ArrayList<>();
    Path annotations;
    Path out;
    boolean force;
    String colormap;
    float opacity;
    Path report;
    int batchSize;
    ModelRunOptions shared = new ModelRunOptions();
    MethodOptions methodOptions = new MethodOptions();

    /** How a model path becomes a model (the format package's loader; tests may substitute). */
    Function<Path, Model> loader = CliFiles::loadModel;

    public ExplainCommand() {}

    ExplainCommand(PrintWriter err) { this(err, new PrintWriter(System.out, true)); }

    ExplainCommand(PrintWriter err, PrintWriter stdout) { writeTo(err, stdout); }

    /** Rows of the HTML report, filled while explaining when --report is given. */
    private final List<ReportRow> reportRows = new ArrayList<>();

    @Override CommandSpec declare() {
        CommandSpec.Builder o = CommandSpec.builder("explain", "Explain a model's decision: writes DIR/<stem>/<method>.npy (final map in [0,1] at input resolution), "
                + "<method>.raw.npy, <method>.weights.npy, <method>.png (overlay) and manifest.json.");
        o.operands("IMAGE", "images (.png, .jpg), .npy tensors or directories of them (the same as --input)", ValueType.PATH, v -> images = v);
        o.list("--input", null, null, null, "an image, a .npy float32 NCHW tensor (used as given), or a directory of them; may be repeated", ValueType.PATH, v -> inputs = v);
        o.list("--method", null, null, "grad-cam", "method name(s), comma-separated, or 'all' (every CAM method); "
            + "options per method in parentheses, e.g. \"fg-cam(base=score-cam,level=input),lrp(composite=epsilon-plus)\"; default ${DEFAULT-VALUE}", ValueType.STRING, v -> methods = v);
        o.list("--target", null, null, null, "class index, label, topK, softmax:C, C1*w1+C2*w2, or for a segmentation output seg:C (where C is predicted), seg:C:box=x0,y0,x1,y1, seg:C:mask=FILE.png; one per image of a batch as 3,7,1 or by repeating the option; default: the predicted class", ValueType.STRING, v -> targets = v);
        o.value("--annotations", null, null, "CSV 'image,label[,...]': each input of a folder is explained for its label (inputs without a row: the predicted class)", ValueType.PATH, v -> annotations = v);
        o.value("--out", null, "candela-out", "output directory (default ${DEFAULT-VALUE})", ValueType.PATH, v -> out = v);
        o.flag("--force", "replace output folders that hold files candela did not write", v -> force = v);
        o.value("--colormap", null, "jet", "overlay colours: jet, turbo, viridis, inferno (default ${DEFAULT-VALUE})", ValueType.STRING, v -> colormap = v);
        o.value("--opacity", null, "0.5", "weight of the map over the image in overlays, 0..1 (default ${DEFAULT-VALUE})", ValueType.FLOAT, v -> opacity = v);
        o.value("--report", "FILE.html", null, "also write one self-contained HTML page: every image x every method; with --target all or topK, per image a grid of methods x classes (at most 20 class columns, the most probable)", ValueType.PATH, v -> report = v);
        o.value("--cam-batch-size|--batch-size", null, "32", "masked forwards per batch inside perturbation methods (score-cam, occlusion, rise, ...); default ${DEFAULT-VALUE}", ValueType.INT, v -> batchSize = v);
        shared.declare(o);
        methodOptions.declare(o);
        return o.build();
    }

    /** Explains every input; returns 0, or 2 when some inputs were bad (each reported and skipped). */
    @Override int run() throws IOException {
        List<Path> given = new ArrayList<>(images);
        given.addAll(inputs);
        KernelPolicy.forExplain(shared.model, given, methods); // before any kernel runs
        // option mistakes are found before the model is read or run
        shared.check();
        CliChecks.atLeast("--cam-batch-size (--batch-size)", batchSize, 1);
        methodOptions.check();
        CliChecks.outputDirectory("--out", out);
        CliChecks.createOutputDirectory("--out", out);
        if (report != null) CliChecks.outputDirectory("--report's folder", report.toAbsolutePath().getParent());
        Path modelPath = shared.modelFile();
        Model m = loader.apply(modelPath);
        List<Method> ms = Methods.parse(methods, methodOptions.defaults(shared.seed), m);
        List<Target> ts = Target.parseAll(targets);
        Annotations ann = annotations != null ? Annotations.read(annotations, m) : Annotations.none();
        Colormap cm = Colormap.parse(colormap);
        if (cm == Colormap.DIVERGING) throw new IllegalArgumentException("--colormap diverging is for signed attributions; choose jet, turbo, viridis or inferno");
        if (!(opacity >= 0 && opacity <= 1)) throw new IllegalArgumentException("--opacity must be between 0 and 1, got " + opacity);
        if (given.isEmpty()) throw new IllegalArgumentException("no input: give an image, e.g. 'candela explain testdata/images/fashion-9-ankle-boot.png'");
        List<Path> files = new ArrayList<>();
        for (Path g : given) files.addAll(CliFiles.inputFiles(g));
        Map<Path, String> folders = CliFiles.folderNames(files);
        ResultWriter writer = new ResultWriter(cm, opacity, out());
        int failed = 0;
        try (Explainer ex = CliChecks.nonFinite(shared.threads != null ? Explainer.of(m, shared.threads) : Explainer.of(m), shared.allowNonFinite, err())) {
            for (String l : shared.layers) ex.resolveLayer(l); // a bad --layer is one error, not one per input
            Explainer.Request request = Explainer.Request.defaults().layers(shared.layers.toArray(String[]::new)).targets(ts)
                    .options(methodOptions.camOptions(batchSize, shared.seed, ConsoleProgress.console()));
            for (Path file : files) {
                try {
                    explainOne(ex, m, modelPath, file, folders.get(file), ms, request, ann, writer);
                } catch (IllegalArgumentException | IOException | UncheckedIOException e) {
                    if (files.size() == 1) throw e;
                    failed++;
                    err().println("candela explain: skipped " + file + ": " + CliCommand.oneLine(e));
                }
            }
        }
        if (report != null) {
            HtmlReport.write(report, "Candela: " + String.join(", ", ms.stream().map(Method::label).toList()), modelPath.getFileName().toString(), reportRows);
            out().println("report: " + report);
        }
        if (failed > 0) {
            err().println("candela explain: " + failed + " of " + files.size() + " inputs could not be explained (see above); the others were written to " + out);
            return 2;
        }
        return 0;
    }

    private void explainOne(Explainer ex, Model m, Path modelPath, Path file, String folder, List<Method> ms, Explainer.Request request,
                            Annotations ann, ResultWriter writer) throws IOException {
        InputBatch in = InputBatch.read(file, m);
        int n = in.tensor().dim(0);
        if (request.targets().isEmpty() && annotations != null) request = request.targets(annotated(ann, file, n));
        CliFiles.OutputFolder dir = CliFiles.OutputFolder.begin(out, folder, force);
        try {
            long t0 = System.nanoTime();
            CamSession session = ex.session(in.tensor(), request);
            long forwardNanos = System.nanoTime() - t0;
            boolean auto = shared.layers.isEmpty() || shared.layers.contains("auto");
            if (auto) err().println("candela explain: layer auto -> " + session.evidence().get(0).layer());
            Tensor logits = session.logits();
            String layerNames = String.join(" + ", session.evidence().stream().map(ev -> ev.resolvedLayer().name()).toList());
            for (int i = 0; i < n; i++) {
                float[] row = logits.item(i).data();
                final int image = i;
                if (logits.rank() > 2) {
                    // a segmentation output [N, C, H, W]: no single class; name the targets instead
                    out().printf(Locale.ROOT, "%s%s: segmentation output %s, target %s, layer %s%s%n", file, n > 1 ? "[" + i + "]" : "",
                            logits.item(i).shape(), String.join("; ", session.targetScores().stream().filter(t -> t.image() == image).map(TargetScore::description).toList()),
                            layerNames, auto ? " (auto)" : "");
                    continue;
                }
                int top = argmax(row);
                out().printf(Locale.ROOT, "%s%s: %s (class %d) p=%.3f, layer %s%s%n", file, n > 1 ? "[" + i + "]" : "",
                        m.label(top), top, softmax(row, top), layerNames, auto ? " (auto)" : "");
                for (TargetScore t : session.targetScores()) {
                    if (t.image() == i && t.classIndex() >= 0 && t.classIndex() != top) {
                        out().printf(Locale.ROOT, "  explaining %s (class %d) p=%.3f%n", m.label(t.classIndex()), t.classIndex(), softmax(row, t.classIndex()));
                    }
                }
            }
            List<List<ReportCell>> cells = new ArrayList<>();
            for (int i = 0; i < n; i++) cells.add(new ArrayList<>());
            List<Map<String, Object>> results = new ArrayList<>();
            for (Method method : ms) {
                // noise seeded per (input stem, method): the same bits as the API's explainSeeded and candela-spark
                Explanation e = Explainer.explainSeeded(session, method, CliFiles.stem(file), shared.seed);
                CliChecks.finiteResult(e.method(), e, shared.allowNonFinite, err()); // a NaN map or attribution is never written silently
                Map<String, Object> res = writer.write(dir.staging(), dir.target(), in, m, e, layerNames, cells);
                res.put("display_map", method.display().describe());
                res.putAll(method.manifest(session, e));
                res.put("millis", e.millis());
                results.add(res);
            }
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("candela", version());
            manifest.put("model", Map.of("file", modelPath.toString(), "sha256", CliFiles.sha256(modelPath)));
            manifest.put("input", Map.of("file", file.toString(), "sha256", CliFiles.sha256(file), "shape", ResultWriter.shapeOf(in.tensor()), "kind", in.kind()));
            if (in.kind().equals("image")) manifest.put("preprocessing", m.preprocessing().describe());
            manifest.put("forward_millis", forwardNanos / 1e6);
            manifest.put("threads", shared.threads != null ? shared.threads : Runtime.getRuntime().availableProcessors());
            manifest.put("methods", results);
            ResultWriter.manifest(dir.staging(), manifest);
            dir.commit();
            if (report != null) addReportRows(m, folder, in, session, cells);
        } catch (IOException | RuntimeException e) {
            dir.abort();
            throw e;
        }
    }

    /** One target per image from the annotations (the predicted class where an image has no row). */
    private static List<Target> annotated(Annotations ann, Path file, int n) {
        String stem = CliFiles.stem(file);
        List<Target> ts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String key = ann.key(n == 1 ? stem : stem + "-" + i, file.getFileName().toString());
            ts.add(key != null ? Target.classIndex(ann.labels().get(key)) : Target.argmax());
        }
        return ts;
    }

    private void addReportRows(Model m, String folder, InputBatch in, CamSession session, List<List<ReportCell>> cells) {
        Tensor logits = session.logits();
        int n = in.tensor().dim(0);
        for (int i = 0; i < n; i++) {
            float[] row = logits.item(i).data();
            int top = argmax(row), target = top;
            for (TargetScore t : session.targetScores()) {
                if (t.image() == i) {
                    if (t.classIndex() >= 0) target = t.classIndex();
                    break;
                }
            }
            reportRows.add(new ReportRow(folder + (n > 1 ? "[" + i + "]" : ""), in.views().get(i), top, softmax(row, top), target, softmax(row, target), m.labels(), cells.get(i)));
        }
    }

    static int argmax(float[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
        return b;
    }

    /** The softmax probability of class c (the one definition: {@link Objective.Probability}). */
    static double softmax(float[] v, int c) { return new Objective.Probability(c).score(v); }

    private static String version() {
        String v = ExplainCommand.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
