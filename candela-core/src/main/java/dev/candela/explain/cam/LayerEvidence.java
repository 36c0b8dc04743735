package dev.candela.explain.cam;

import dev.candela.explain.Noise;
import dev.candela.explain.Progress;
import dev.candela.explain.ResolvedTarget;
import dev.candela.graph.Graph;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.run.GradientRule;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.IntUnaryOperator;

/**
 * What a CAM method may look at for one layer. Rows are targets: row r is target r, computed on image
 * {@code input().item(r)} (the pipeline repeats an image when it has several targets, e.g. top-k).
 * Gradients are computed on first use only. Perturbation helpers run masked forwards in batches of
 * {@link CamOptions#batchSize()}, so memory does not grow with the number of masks.
 */
public final class LayerEvidence {
    private final Executor executor;
    /** The clean pass keeping at least the layer's head tensors (what gradients at the layer read). */
    private final Activations head;
    /** The clean pass with every activation, run on first use when {@link #head} kept less. */
    private final Supplier<Activations> full;
    private final dev.candela.graph.Layer layer;
    private final Tensor input;
    private final List<ResolvedTarget> targets;
    private final CamOptions options;
    /** The gradients at the layer, computed on first use and shared with the copies {@link #withOptions} makes. */
    private final Tensor[] gradients;

    /** Evidence on a forward pass of {@code input} that kept every activation. */
    public LayerEvidence(Executor executor, Activations forward, dev.candela.graph.Layer layer, Tensor input, List<ResolvedTarget> targets, CamOptions options) {
        this(executor, forward, () -> forward, layer, input, targets, options, new Tensor[1]);
    }

    /**
     * Evidence on a forward pass of {@code input} that kept at least the layer's head tensors ({@link
     * Graph#headTensors}); {@code full} gives the pass with every activation (run once, when a method asks).
     */
    public LayerEvidence(Executor executor, Activations head, Supplier<Activations> full, dev.candela.graph.Layer layer, Tensor input,
                         List<ResolvedTarget> targets, CamOptions options) {
        this(executor, head, full, layer, input, targets, options, new Tensor[1]);
    }

    private LayerEvidence(Executor executor, Activations head, Supplier<Activations> full, dev.candela.graph.Layer layer, Tensor input,
                          List<ResolvedTarget> targets, CamOptions options, Tensor[] gradients) {
        if (input.dim(0) != targets.size()) throw new IllegalArgumentException("evidence needs one input row per target: " + input.dim(0) + " rows, " + targets.size() + " targets");
        this.executor = executor;
        this.head = head;
        this.full = full;
        this.layer = layer;
        this.input = input;
        this.targets = List.copyOf(targets);
        this.options = options;
        this.gradients = gradients;
    }

    /**
     * The same evidence with other options (e.g. a method's own batch size or noise seed); shares the forward pass
     * and the gradients (computed once, by whichever copy needs them first).
     */
    public LayerEvidence withOptions(CamOptions other) {
        return new LayerEvidence(executor, head, full, layer, input, targets, other, gradients);
    }

    /** The same evidence for another layer (shares the forward pass: the one with every activation). */
    public LayerEvidence atLayer(dev.candela.graph.Layer otherLayer) {
        return new LayerEvidence(executor, full.get(), otherLayer, input, targets, options);
    }

    public Executor executor() { return executor; }
    public Model model() { return executor.model(); }
    public Graph graph() { return executor.graph(); }
    /**
     * The clean forward pass of {@link #input()} with every activation kept (for methods that read layers before
     * this one: FG-CAM, FullGrad, LRP); run on first use when the session kept only the head.
     */
    public Activations forward() { return full.get(); }

    /** The clean forward pass keeping the layer, everything after it and the output: what gradients at the layer read. */
    public Activations head() { return head; }
    /** Tensor name of the layer explained (what the executor reads). */
    public String layer() { return layer.tensor(); }
    /** The layer explained, as resolved once: tensor, the name users see, shape. */
    public dev.candela.graph.Layer resolvedLayer() { return layer; }
    /** Model input, one row per target (R x C x H x W), as the model sees it (normalised). */
    public Tensor input() { return input; }
    public List<ResolvedTarget> targets() { return targets; }
    public int rows() { return targets.size(); }
    public CamOptions options() { return options; }
    public Noise noise() { return options.noise(); }
    public Progress progress() { return options.progress(); }

    /** Layer activations A, R x K x h x w. */
    public Tensor activations() { return head.get(layer.tensor()); }

    /** Model output of the clean pass, R x classes. */
    public Tensor logits() { return head.output(); }

    /** d score_r / d A for every row, R x K x h x w (computed once, on first use). */
    public Tensor gradients() {
        synchronized (gradients) {
            if (gradients[0] == null) gradients[0] = gradientsAt(head, Set.of(layer.tensor())).get(layer.tensor());
            return gradients[0];
        }
    }

    /** Gradients of each row's target score at the given tensors of a forward pass of R rows. */
    public Map<String, Tensor> gradientsAt(Activations fwd, Set<String> tensors) {
        return executor.backward(fwd, graph().output(), seed(fwd.output()), tensors, GradientRule.INSTANCE);
    }

    /** d score_r / d logits_r stacked, R x classes. */
    public Tensor seed(Tensor logits) {
        int classes = logits.shape().itemSize();
        float[] s = new float[logits.size()];
        for (int r = 0; r < rows(); r++) {
            float[] row = java.util.Arrays.copyOfRange(logits.data(), r * classes, (r + 1) * classes);
            System.arraycopy(targets.get(r).objective().seed(row), 0, s, r * classes, classes);
        }
        return new Tensor(logits.shape(), s);
    }

    /** Each row's target score on the clean pass. */
    public double[] scores() {
        return scoresOf(logits(), r -> r);
    }

    /** Activations and gradients at the layer for another input of R rows (noisy copies, augmentations). */
    public LayerPass pass(Tensor otherInput, boolean withGradients) {
        Activations fwd = CamSession.headPass(executor, otherInput, List.of(layer));
        Tensor g = withGradients ? gradientsAt(fwd, Set.of(layer.tensor())).get(layer.tensor()) : null;
        return new LayerPass(fwd.get(layer.tensor()), g, fwd.output());
    }

    /** The layer's activations, gradients (null if not asked for) and logits of one pass. */
    public record LayerPass(Tensor activations, Tensor gradients, Tensor logits) {}

    /** Writes item j of a batch of perturbed tensors into {@code item} (zeroed before each call). */
    @FunctionalInterface
    public interface ItemFiller {
        void fill(int j, float[] item);
    }

    /**
     * An {@link ItemFiller} whose item j depends on j alone (no random stream, no shared scratch), so each thread
     * fills the items of its own share of a batch beside the other threads instead of the caller filling them all first.
     */
    @FunctionalInterface
    public interface IndependentFiller extends ItemFiller {}

    /** The score of perturbed item j given its row of logits. */
    @FunctionalInterface
    public interface Scorer {
        double score(int j, float[] logits);
    }

    /** Scores item j with the objective of target {@code rowOf(j)}. */
    public Scorer targetScore(IntUnaryOperator rowOf) {
        return (j, logits) -> targets.get(rowOf.applyAsInt(j)).objective().score(logits);
    }

    /**
     * Scores of {@code count} perturbed model inputs, each written by {@code fill}. Runs in batches of
     * {@link CamOptions#batchSize()}: memory is bounded by the batch size, not by {@code count}.
     */
    public double[] scoreInputs(String task, int count, ItemFiller fill, Scorer scorer) {
        Shape item = graph().inputItemShape();
        return scoreBatched(task, count, fill, scorer, item, (ex, batch, from, to) -> ex.forward(batch, Set.of()).output());
    }

    /**
     * Scores of {@code count} perturbed layer activations (K x h x w each, item j belongs to target
     * {@code rowOf(j)}): only the part of the network after the layer runs. Tensors that bypass the layer
     * (skip connections from before it) are taken from the clean pass of that row.
     */
    public double[] scoreFromLayer(String task, int count, IntUnaryOperator rowOf, ItemFiller fill, Scorer scorer) {
        Shape item = layer.shape();
        Set<String> bypass = bypassTensors();
        return scoreBatched(task, count, fill, scorer, item, (ex, batch, from, to) -> {
            Map<String, Tensor> given = new HashMap<>();
            given.put(layer.tensor(), batch);
            for (String t : bypass) given.put(t, gatherRows(head.get(t), from, to, rowOf));
            return ex.forwardFrom(given, Set.of()).output();
        });
    }

    private interface BatchRunner {
        Tensor logits(Executor executor, Tensor batch, int from, int to);
    }

    private double[] scoreBatched(String task, int count, ItemFiller fill, Scorer scorer, Shape item, BatchRunner run) {
        double[] out = new double[count];
        // The batch is also sized from the memory budget (activations of a whole forward per item), so a
        // large model or input never multiplies its activations by the batch size beyond the budget.
        int bs = Math.min(options.batchSize(), dev.candela.run.ForwardChecks.itemsWithin(graph(), dev.candela.io.Limits.batchMemoryBytes())), size = item.size();
        int[] dims = new int[item.rank() + 1];
        System.arraycopy(item.dims(), 0, dims, 1, item.rank());
        // Each batch is split across the threads, each running whole forward passes of its share with serial
        // kernels: small ops split across cores cost more in hand-offs and cache traffic than they gain.
        List<Executor> workers = executor.perThread();
        // Equal shares: the budget allows the MobileNet batches of 3, which two threads split 1 + 2, so one thread
        // waited for the other's second forward in every batch (Score-CAM 1.2x faster on two threads than on one).
        if (bs > workers.size()) bs -= bs % workers.size();
        try (Progress.Step step = options.progress().start(task, count)) {
            // Masks of a Score-CAM batch took the caller a sixth of the MobileNet's time while the other thread waited.
            boolean fillInParts = fill instanceof IndependentFiller;
            for (int from = 0; from < count; from += bs) {
                int to = Math.min(count, from + bs), parts = Math.min(workers.size(), to - from);
                int[] bounds = new int[parts + 1];
                for (int k = 0; k <= parts; k++) bounds[k] = from + (int) ((long) (to - from) * k / parts);
                Tensor[] batches = new Tensor[parts];
                java.util.function.IntConsumer makePart = k -> {
                    int[] d = dims.clone();
                    d[0] = bounds[k + 1] - bounds[k];
                    float[] data = new float[d[0] * size], one = new float[size];
                    for (int j = bounds[k]; j < bounds[k + 1]; j++) {
                        java.util.Arrays.fill(one, 0f);
                        fill.fill(j, one);
                        System.arraycopy(one, 0, data, (j - bounds[k]) * size, size);
                    }
                    batches[k] = new Tensor(Shape.of(d), data);
                };
                if (!fillInParts || parts == 1) for (int k = 0; k < parts; k++) makePart.accept(k);
                Tensor[] logits = new Tensor[parts];
                try {
                    // One part (one thread, or one item a batch: the budget allows one ResNet-50 or VGG-16 input): this
                    // executor, whose kernels split each op across its threads (a serial worker left the second core
                    // idle: ResNet-50 Score-CAM ran at one-thread speed).
                    if (parts == 1) logits[0] = run.logits(executor, batches[0], from, to);
                    else executor.parallel().forEach(parts, k -> {
                        if (fillInParts) makePart.accept(k);
                        logits[k] = run.logits(workers.get(k), batches[k], bounds[k], bounds[k + 1]);
                    });
                } catch (dev.candela.run.NonFiniteException failed) {
                    for (int k = 0; k < parts; k++) if (batches[k] == null) makePart.accept(k);
                    throw firstNonFinite(failed, batches, bounds, run, dims, size);
                }
                for (int k = 0; k < parts; k++) {
                    int classes = logits[k].shape().itemSize();
                    for (int j = bounds[k]; j < bounds[k + 1]; j++) {
                        float[] row = java.util.Arrays.copyOfRange(logits[k].data(), (j - bounds[k]) * classes, (j - bounds[k] + 1) * classes);
                        out[j] = scorer.score(j, row);
                    }
                }
                step.advance(to - from);
            }
        }
        return out;
    }

    /**
     * The failure of the first item of the batch that fails alone, run on this executor: which part of a split batch
     * fails first is a matter of timing, and the batch's size and cut depend on the thread count, so a batch's own
     * message (an index into it) would name the same value differently; a one-item pass names it the same way for any
     * thread count and batch size. Items before this batch were finite, so this is the first non-finite item of all.
     */
    private dev.candela.run.NonFiniteException firstNonFinite(dev.candela.run.NonFiniteException failed, Tensor[] batches,
                                                              int[] bounds, BatchRunner run, int[] dims, int size) {
        int[] d = dims.clone();
        d[0] = 1;
        for (int k = 0; k < batches.length; k++)
            for (int j = bounds[k]; j < bounds[k + 1]; j++) {
                float[] one = java.util.Arrays.copyOfRange(batches[k].data(), (j - bounds[k]) * size, (j - bounds[k] + 1) * size);
                try {
                    run.logits(executor, new Tensor(Shape.of(d), one), j, j + 1);
                } catch (dev.candela.run.NonFiniteException alone) {
                    return alone;
                }
            }
        return failed; // not reproduced by any item alone: items do not depend on their batch, so this is not expected
    }

    private double[] scoresOf(Tensor logits, IntUnaryOperator rowOf) {
        int n = logits.dim(0), classes = logits.shape().itemSize();
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            float[] row = java.util.Arrays.copyOfRange(logits.data(), i * classes, (i + 1) * classes);
            s[i] = targets.get(rowOf.applyAsInt(i)).objective().score(row);
        }
        return s;
    }

    /** Tensors not downstream of the layer that nodes downstream of it read. */
    private Set<String> bypassTensors() {
        Set<String> down = graph().descendants(Set.of(layer.tensor()));
        Set<String> out = new LinkedHashSet<>();
        for (Node n : graph().nodes()) {
            if (!down.contains(n.output()) || n.output().equals(layer.tensor())) continue;
            for (String t : n.inputs()) if (!down.contains(t)) out.add(t);
        }
        return out;
    }

    private static Tensor gatherRows(Tensor t, int from, int to, IntUnaryOperator rowOf) {
        int sz = t.shape().itemSize();
        float[] d = new float[(to - from) * sz];
        for (int j = from; j < to; j++) System.arraycopy(t.data(), rowOf.applyAsInt(j) * sz, d, (j - from) * sz, sz);
        return new Tensor(t.shape().withDim(0, to - from), d);
    }
}
