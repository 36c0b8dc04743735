package dev.candela.bench;

import dev.candela.explainer.Explainer;
import dev.candela.explain.Progress;
import dev.candela.explain.Target;
import dev.candela.explain.attribution.AttributionMethods;
import dev.candela.explainer.CamMethods;
import dev.candela.explain.cam.CamSession;
import dev.candela.format.ModelFiles;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Time per image of the explanation methods (issues 3 and 4) on real model files, printed as the
 * same JSON lines as {@link Timing} (median wall ms, mean process CPU ms per run). The peer scripts
 * are tools/bench_cam_torch.py and tools/bench_attr_torch.py; tools/bench_explain.sh runs both,
 * interleaved. Every timed call is a whole explanation of one 1x3x224x224 image for class 281:
 * forward pass, target resolution, the method, the map pipeline (as {@code candela explain} does it).
 *
 * <pre>java --add-modules jdk.incubator.vector -Xmx6g -cp ... dev.candela.bench.ExplainBench \
 *     MODEL THREADS METHODS [WARM_RUNS TIMED_RUNS]</pre>
 * MODEL: mobilenet (../shared/models/mobilenet_v1_0.25_224_imagenet.onnx, layer conv_pw_13_relu, the
 * chelsea input of the runtime goldens), resnet50 (layer4) or vgg16 (features.29), both from
 * tools/build/*_224.onnx (tools/export_bench_models.py) on tools/build/input_224.npy. METHODS: comma
 * separated CAM names or "deeplift" (DeepLIFT at the input, zero reference, Captum rules). Without
 * run counts each method warms up for at least 2 s / 3 runs and is timed for at least 4 s / 5 runs.
 */
public final class ExplainBench {
    private ExplainBench() {}

    record Bench(Path model, String layer, Path input) {}

    static Bench bench(String name) {
        return switch (name) {
            case "mobilenet" -> new Bench(Path.of("../shared/models/mobilenet_v1_0.25_224_imagenet.onnx"), "conv_pw_13_relu",
                    Path.of("testdata/golden/runtime/mobilenet_v1_chelsea/input.npy"));
            case "resnet50" -> new Bench(Path.of("tools/build/resnet50_224.onnx"), "layer4", Path.of("tools/build/input_224.npy"));
            case "vgg16" -> new Bench(Path.of("tools/build/vgg16_224.onnx"), "features.29", Path.of("tools/build/input_224.npy"));
            default -> throw new IllegalArgumentException("model must be mobilenet, resnet50 or vgg16, got " + name);
        };
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) throw new IllegalArgumentException("usage: ExplainBench MODEL THREADS METHODS [WARM_RUNS TIMED_RUNS]");
        String name = args[0];
        int threads = Integer.parseInt(args[1]);
        List<String> methods = List.of(args[2].split(","));
        int warm = args.length > 3 ? Integer.parseInt(args[3]) : -1, runs = args.length > 4 ? Integer.parseInt(args[4]) : -1;
        Bench b = bench(name);
        Model model = ModelFiles.load(b.model());
        Tensor x = input(b.input());
        System.out.printf("{\"model\": \"%s\", \"layer\": \"%s\", \"threads\": %d, \"load\": %.1f}%n", b.model(), b.layer(), threads, load());
        try (Explainer ex = Explainer.of(model, threads)) {
            Explainer.Request req = Explainer.Request.defaults().layers(b.layer()).targets(Target.classIndex(281));
            // The Vector API kernels run 100x slower before C2 compiles them: a few seconds of forward passes first.
            Timing.time(() -> ex.executor().forward(x, Set.of()), 3, 0.1);
            for (String m : methods) {
                Timing.Work w = work(ex, x, req, m);
                Timing.Result r = warm >= 0 ? Timing.timeRuns(w, warm, runs) : Timing.time(w, 2, 4, 3, 5);
                Timing.print(name + " " + m, threads, r);
            }
        }
    }

    /** Thrown by {@link #stopAfter} to end a perturbation method after a number of masked forwards. */
    static final class Stop extends RuntimeException {
        Stop() { super(null, null, false, false); }
    }

    /** A progress sink that stops the run once {@code units} masked inputs have been scored. */
    static Progress stopAfter(long units) {
        return (task, total) -> new Progress.Step() {
            long done;
            public void advance(long n) { if ((done += n) >= units) throw new Stop(); }
            public void close() {}
        };
    }

    /**
     * METHOD, METHOD@LAYER (another layer for this row), or METHOD:N = the method's real code path
     * stopped once N channels are scored (forward pass, masks and the first N masked forwards): on a
     * loaded machine Score-CAM on ResNet-50's 2048 channels takes longer than a session has, so its
     * time is measured for two values of N and extrapolated (tools/bench_explain.sh).
     */
    static Timing.Work work(Explainer ex, Tensor x, Explainer.Request req0, String spec) {
        Explainer.Request req = req0;
        String method = spec;
        if (spec.contains("@")) {
            method = spec.substring(0, spec.indexOf('@'));
            req = req.layers(spec.substring(spec.indexOf('@') + 1));
        }
        if (method.contains(":")) {
            long n = Long.parseLong(method.substring(method.indexOf(':') + 1));
            var cam = CamMethods.byName(method.substring(0, method.indexOf(':')));
            Explainer.Request partial = req.options(req.options().withProgress(stopAfter(n)));
            return () -> {
                try {
                    ex.explain(x, cam, partial);
                    throw new IllegalStateException(spec + ": the method finished before " + n + " masked forwards");
                } catch (Stop done) {
                    // the first n channels are scored: that is the work timed
                }
            };
        }
        if (method.equals("forward")) return () -> ex.executor().forward(x, Set.of());
        if (AttributionMethods.has(method)) {
            var a = AttributionMethods.byName(method, req.layers().get(0));
            Explainer.Request r = req;
            return () -> {
                CamSession s = ex.session(x, r);
                AttributionMethods.explain(a, s.evidence().get(0), s.targetScores());
            };
        }
        var cam = CamMethods.byName(method);
        Explainer.Request r = req;
        return () -> ex.explain(x, cam, r);
    }

    static Tensor input(Path p) throws IOException {
        if (Files.exists(p)) return Npy.read(p);
        throw new IOException(p + " is missing: run /usr/bin/python3 tools/export_bench_models.py (or tools/make_runtime_goldens.py for the MobileNet input)");
    }

    static double load() { return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(); }
}
