package dev.candela.explainer;

import dev.candela.explain.Explanation;
import dev.candela.explain.Noise;
import dev.candela.explain.ResolvedTarget;
import dev.candela.explain.Target;

import dev.candela.explain.cam.CamMethod;
import dev.candela.explainer.CamMethods;
import dev.candela.explain.cam.CamOptions;
import dev.candela.explain.cam.CamSession;
import dev.candela.graph.Graph;
import dev.candela.graph.Layer;
import dev.candela.graph.LayerNames;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The front door of the Java API: wraps a model once, explains batches many times.
 *
 * <pre>{@code
 * try (Explainer ex = Explainer.of(model)) {
 *     Explanation e = ex.explain(input, "grad-cam");              // argmax target, auto layer
 *     Explanation f = ex.explain(input, "fg-cam(level=input)");   // any method of the registry, with options
 *     Explanation s = ex.explain(input, CamMethods.byName("score-cam"),
 *             Explainer.Request.defaults().layers("layer4").targets(Target.classIndex(281)));
 *     float[] map0 = e.map(0).data();                             // H x W in [0,1]
 * }
 * }</pre>
 * An Explainer is safe to share between threads: the model is immutable and every call has its own state.
 * Errors in what the caller passed are {@link IllegalArgumentException}s with a one-line reason.
 */
public final class Explainer implements AutoCloseable {
    private final Model model;
    private final Parallel parallel;
    private final Executor executor;

    private Explainer(Model model, Parallel parallel) {
        this.model = model;
        this.parallel = parallel;
        this.executor = Executor.fast(model, parallel);
    }

    /** An explainer using every available processor. */
    public static Explainer of(Model model) { return new Explainer(model, Parallel.ofAvailable()); }

    /** An explainer with a fixed thread count (results are bit-identical for any count). */
    public static Explainer of(Model model, int threads) { return new Explainer(model, new Parallel(threads)); }

    /** Loads a model file (.cnd or .onnx) and wraps it; read errors are unchecked {@link java.io.UncheckedIOException}s. */
    public static Explainer load(java.nio.file.Path file) {
        return of(readModel(file));
    }

    public static Explainer load(java.nio.file.Path file, int threads) {
        return of(readModel(file), threads);
    }

    private static Model readModel(java.nio.file.Path file) {
        try {
            return dev.candela.format.ModelFiles.load(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** An explainer on a given executor's kernels (e.g. reference kernels in tests). */
    public static Explainer of(Executor executor) { return new Explainer(executor); }

    private Explainer(Executor executor) {
        this(executor, null);
    }

    private Explainer(Executor executor, Parallel parallel) {
        this.model = executor.model();
        this.parallel = parallel;
        this.executor = executor;
    }

    /**
     * This explainer, but a NaN or infinity in a forward pass is passed to {@code warnings} (once per
     * pass, naming the tensor and layer where it first appeared) instead of failing. The returned
     * explainer owns this one's thread pool: close only the returned one.
     */
    public Explainer allowingNonFinite(java.util.function.Consumer<String> warnings) {
        return new Explainer(executor.withNonFinite(dev.candela.run.ForwardChecks.NonFinite.WARN, warnings), parallel);
    }

    public Model model() { return model; }
    public Executor executor() { return executor; }

    /** What to explain and how. Immutable; the withers return copies. */
    public record Request(List<String> layers, List<Target> targets, CamOptions options) {
        public Request {
            layers = List.copyOf(layers);
            targets = List.copyOf(targets);
        }

        /** Auto layer, argmax targets, pytorch-grad-cam defaults. */
        public static Request defaults() { return new Request(List.of(), List.of(), CamOptions.defaults()); }

        public Request layers(String... names) { return new Request(List.of(names), targets, options); }
        public Request targets(Target... ts) { return new Request(layers, List.of(ts), options); }
        public Request targets(List<Target> ts) { return new Request(layers, ts, options); }
        public Request options(CamOptions o) { return new Request(layers, targets, o); }
    }

    /**
     * Any registered method, with its own options if given ("grad-cam", "deeplift",
     * "fg-cam(base=score-cam,level=input)", "lrp(composite=epsilon-plus)"), auto layer, argmax target.
     */
    public Explanation explain(Tensor input, String method) {
        return explain(input, Methods.byName(method, model), Request.defaults());
    }

    /** One method of the registry ({@link Methods#parse}) on a batch: the same path as the CLI's explain and evaluate. */
    public Explanation explain(Tensor input, Method method, Request request) {
        return method.explain(session(input, request));
    }

    public Explanation explain(Tensor input, CamMethod method, Request request) {
        return explain(input, List.of(method), request).get(0);
    }

    /** Several methods on one batch: one forward pass and one gradient computation per layer, shared. */
    public List<Explanation> explain(Tensor input, List<CamMethod> methods, Request request) {
        CamSession s = session(input, request);
        List<Explanation> out = new ArrayList<>();
        for (CamMethod m : methods) out.add(s.explain(m));
        return out;
    }

    /**
     * Several registry methods on one input with one shared forward pass (and gradients), each method's noise
     * seeded by {@link Noise#seedFor}(seed, image, method label): a method's result depends neither on the other
     * methods nor on which images came before, so a distributed run (candela-spark) gives the same bits as a
     * single JVM for any partitioning. Pixel attributions keep their own fixed seed ({@code smoothgrad(seed=...)}).
     */
    public List<Explanation> explainSeeded(Tensor input, List<Method> methods, Request request, String image, long seed) {
        CamSession base = session(input, request);
        List<Explanation> out = new ArrayList<>();
        for (Method m : methods) out.add(explainSeeded(base, m, image, seed));
        return out;
    }

    /** One method on a prepared session with its noise seeded by {@link Noise#seedFor}(seed, image, method label). */
    public static Explanation explainSeeded(CamSession base, Method method, String image, long seed) {
        return method.explain(base.withOptions(base.options().withSeed(Noise.seedFor(seed, image, method.label()))));
    }

    /** Prepares a batch: forward pass, targets resolved, layers resolved (for callers that run methods one by one). */
    public CamSession session(Tensor input, Request request) {
        List<Layer> layers = new ArrayList<>();
        if (request.layers().isEmpty()) layers.add(autoLayer());
        else for (String l : request.layers()) layers.add(resolveLayer(l));
        Activations fwd = CamSession.headPass(executor, input, layers);
        List<ResolvedTarget> targets = Target.resolve(request.targets(), model, fwd.output());
        return new CamSession(executor, input, fwd, targets, layers, request.options());
    }

    /** A CAM layer by node name, tensor name, module path, or "auto", resolved once for every method that runs on it. */
    public Layer resolveLayer(String name) {
        if (name.equals("auto")) return autoLayer();
        Layer l = new LayerNames(model.graph()).layer(name);
        if (!l.isSpatial()) throw new IllegalArgumentException("layer '" + name + "' has shape " + l.shape() + "; a CAM layer must be C x h x w");
        return l;
    }

    /** The last tensor (in graph order) with shape C x h x w and h*w > 1, as TorchCAM picks it. */
    public Layer autoLayer() {
        Graph g = model.graph();
        String best = null;
        for (Node n : g.nodes()) {
            Shape s = g.itemShape(n.output());
            if (s.rank() == 3 && s.dim(1) * s.dim(2) > 1) best = n.output();
        }
        if (best == null) throw new IllegalArgumentException("no layer with a spatial map (C x h x w, h*w > 1) in the model");
        return new LayerNames(g).ofTensor(best);
    }

    @Override public void close() {
        if (parallel != null) parallel.close();
    }
}
