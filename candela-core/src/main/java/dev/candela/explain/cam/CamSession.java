package dev.candela.explain.cam;

import dev.candela.explain.Explanation;
import dev.candela.explain.Objective;
import dev.candela.explain.ResolvedTarget;
import dev.candela.explain.TargetScore;
import dev.candela.explain.display.DisplayMap;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * One batch prepared for explanation: a single forward pass (shared by every method run on it),
 * resolved targets, and one {@link LayerEvidence} per layer (gradients computed once and shared).
 * Not thread-safe; create one per batch (cheap compared to the forward pass).
 */
public final class CamSession {
    private final Executor executor;
    private final Tensor input;
    private final Tensor logits;
    private final List<ResolvedTarget> targets;
    private final List<dev.candela.graph.Layer> layers;
    private final CamOptions options;
    private final Tensor rows;
    private final Activations forward;
    private final List<LayerEvidence> evidence = new ArrayList<>();

    /**
     * @param input   N x C x H x W as the model sees it
     * @param targets resolved targets (see {@link dev.candela.explain.Target#resolve}); row r explains image targets.get(r).image()
     * @param layers  the layers to explain, resolved (at least one)
     * @param clean   a forward pass of {@code input} keeping every activation, or at least every layer's head
     *                tensors ({@link dev.candela.graph.Graph#headTensors}); null to run one that keeps the heads
     */
    public CamSession(Executor executor, Tensor input, Activations clean, List<ResolvedTarget> targets, List<dev.candela.graph.Layer> layers, CamOptions options) {
        if (layers.isEmpty()) throw new IllegalArgumentException("no layer to explain");
        this.executor = executor;
        this.input = input;
        this.targets = List.copyOf(targets);
        this.layers = List.copyOf(layers);
        this.options = options;
        Activations fwd = clean != null ? clean : headPass(executor, input, layers);
        this.logits = fwd.output();
        boolean identity = targets.size() == input.dim(0);
        for (int r = 0; identity && r < targets.size(); r++) identity = targets.get(r).image() == r;
        if (identity) {
            this.rows = input;
            this.forward = fwd;
        } else {
            int sz = input.shape().itemSize();
            float[] d = new float[targets.size() * sz];
            for (int r = 0; r < targets.size(); r++) System.arraycopy(input.data(), targets.get(r).image() * sz, d, r * sz, sz);
            this.rows = new Tensor(input.shape().withDim(0, targets.size()), d);
            this.forward = headPass(executor, rows, layers);
        }
        Activations head = forward;
        Supplier<Activations> full = new Supplier<>() {
            private Activations all = head.complete() ? head : null;

            @Override public synchronized Activations get() {
                if (all == null) all = executor.forward(rows);
                return all;
            }
        };
        for (dev.candela.graph.Layer l : layers) evidence.add(new LayerEvidence(executor, head, full, l, rows, targets, options));
    }

    /**
     * The forward pass a session needs: the layers and what follows them ({@link dev.candela.graph.Graph#headTensors},
     * what gradients at the layers read), the rest of the network fused in reused buffers. A method that reads earlier
     * layers gets the pass with every activation from {@link LayerEvidence#forward()}, on demand.
     */
    public static Activations headPass(Executor executor, Tensor input, List<dev.candela.graph.Layer> layers) {
        return executor.forward(input, executor.graph().headTensors(layers.stream().map(dev.candela.graph.Layer::tensor).collect(Collectors.toSet())));
    }

    /** A copy sharing this session's forward pass and gradients, with other options (e.g. its own noise seed). */
    public CamSession withOptions(CamOptions other) {
        return new CamSession(this, other);
    }

    private CamSession(CamSession s, CamOptions other) {
        this.executor = s.executor;
        this.input = s.input;
        this.logits = s.logits;
        this.targets = s.targets;
        this.layers = s.layers;
        this.options = other;
        this.rows = s.rows;
        this.forward = s.forward;
        for (LayerEvidence e : s.evidence) evidence.add(e.withOptions(other));
    }

    public List<LayerEvidence> evidence() { return evidence; }
    public Tensor logits() { return logits; }
    public List<ResolvedTarget> targets() { return targets; }
    public CamOptions options() { return options; }

    /** Runs one method through the shared pipeline. */
    public Explanation explain(CamMethod method) { return explain(method, options); }

    /** Runs one method with its own options (e.g. its batch size) on this session's forward pass. */
    public Explanation explain(CamMethod method, CamOptions options) {
        List<LayerEvidence> evidence = options == this.options ? this.evidence : this.evidence.stream().map(e -> e.withOptions(options)).toList();
        long t0 = System.nanoTime();
        int outH = input.dim(2), outW = input.dim(3);
        Tensor maps;
        Tensor raw = null, coef = null;
        java.util.Map<String, Object> audit = java.util.Map.of();
        if (options.augSmooth()) {
            CamOptions plain = options.withAugSmooth(false);
            float[] sum = new float[targets.size() * outH * outW];
            for (boolean flip : new boolean[]{false, true}) {
                for (float factor : new float[]{0.9f, 1f, 1.1f}) {
                    Tensor aug = augment(input, flip, factor);
                    Explanation e = new CamSession(executor, aug, null, targets, layers, plain).explain(method);
                    float[] m = flip ? flipW(e.maps()).data() : e.maps().data();
                    for (int i = 0; i < sum.length; i++) sum[i] += m[i];
                    if (!flip && factor == 1f) { raw = e.rawMaps(); coef = e.coefficients(); audit = e.audit(); }
                }
            }
            for (int i = 0; i < sum.length; i++) sum[i] /= 6f;
            maps = new Tensor(Shape.of(targets.size(), outH, outW), sum);
        } else {
            List<Tensor> perLayer = new ArrayList<>(), raws = new ArrayList<>();
            List<Boolean> relus = new ArrayList<>();
            DisplayMap.Layered display = method.display();
            List<LayerEvidence> ev = method.usesLayer() ? evidence : evidence.subList(0, 1);
            boolean tanhMax = method.fusion(options.fusion()) == DisplayMap.Fusion.TANH_MAX && ev.size() > 1;
            for (LayerEvidence e : ev) {
                Weights w = method.weights(e);
                Tensor r = CamPipeline.rawMaps(w, e.activations(), options.eigenSmooth());
                boolean isFinal = Weights.plain(w) instanceof Weights.FinalMap;
                if (tanhMax) {
                    raws.add(r);
                    relus.add(!isFinal);
                } else {
                    perLayer.add(display.layer(r, outH, outW, options.resize(), !isFinal));
                }
                if (raw == null) {
                    raw = r;
                    coef = CamPipeline.coefficients(w);
                    if (w instanceof Weights.Audited a) audit = a.audit();
                }
            }
            if (tanhMax) {
                // TorchCAM's fused map at the largest layer's resolution, then to the input and into [0,1]
                Tensor fused = DisplayMap.tanhMax(raws, relus);
                maps = new DisplayMap.Layered("torchcam fused", DisplayMap.Order.NORMALISE_THEN_RESIZE, 0f, false, "TorchCAM LayerCAM.fuse_cams")
                        .layer(fused, outH, outW, options.resize(), false);
            } else {
                maps = display.fuse(perLayer, method.fusion(options.fusion()));
            }
        }
        long nanos = System.nanoTime() - t0;
        return new Explanation(method.name(), method.usesLayer() ? layers.stream().map(dev.candela.graph.Layer::tensor).toList() : List.of(), maps, raw, coef, null, logits, targetScores(), nanos, audit);
    }

    public List<TargetScore> targetScores() {
        List<TargetScore> out = new ArrayList<>();
        int classes = logits.shape().itemSize();
        for (ResolvedTarget t : targets) {
            float[] row = java.util.Arrays.copyOfRange(logits.data(), t.image() * classes, (t.image() + 1) * classes);
            int c = t.classIndex();
            double p = c >= 0 ? new Objective.Probability(c).score(row) : Double.NaN;
            out.add(new TargetScore(t.image(), c, t.description(), t.objective().score(row), p));
        }
        return out;
    }

    /** ttach HorizontalFlip x Multiply: flip the width axis, multiply values by {@code factor}. */
    static Tensor augment(Tensor x, boolean flip, float factor) {
        Tensor f = flip ? flipW(x) : x;
        float[] d = new float[f.size()];
        for (int i = 0; i < d.length; i++) d[i] = f.data()[i] * factor;
        return new Tensor(x.shape(), d);
    }

    /** Mirrors the last axis. */
    static Tensor flipW(Tensor x) {
        int w = x.dim(x.rank() - 1), rows = x.size() / w;
        float[] d = new float[x.size()];
        for (int r = 0; r < rows; r++) for (int i = 0; i < w; i++) d[r * w + i] = x.data()[r * w + w - 1 - i];
        return new Tensor(x.shape(), d);
    }
}
