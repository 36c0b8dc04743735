package dev.candela.explain.attribution;

import dev.candela.run.Activations;
import dev.candela.run.BackwardListener;
import dev.candela.run.Executor;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DeepLIFT (Rescale) attributions: the actual items and their references run forward as one batch of
 * 2N, then the {@link DeepLiftRule} walks back from the target to the requested tensor. At the graph
 * input this is Captum's {@code DeepLift}; at an inner tensor with an image reference it is
 * {@code LayerDeepLift}; started at an inner tensor with a reference given there it is the head-only
 * DeepLIFT that LIFT-CAM uses.
 */
public final class DeepLift {
    private final Executor executor;
    private final DeepLiftOptions options;
    private final DeepLiftRule rule;

    public DeepLift(Executor executor, DeepLiftOptions options) {
        this.executor = executor;
        this.options = options;
        this.rule = new DeepLiftRule(options);
    }

    public DeepLift(Executor executor) { this(executor, DeepLiftOptions.captum()); }

    public DeepLiftOptions options() { return options; }

    /**
     * Attributions at {@code layer} for references given at the graph input.
     *
     * @param targetWeights [N or 1, outputs]
     * @param listener      optional per-node hook (a {@link DeepLiftAudit} for the full per-layer record), may be null
     */
    public DeepLiftResult attribute(Tensor input, Tensor reference, Tensor targetWeights, String layer, BackwardListener listener) {
        Tensor ref = PairedBatch.broadcast(reference, input.dim(0), input);
        Activations fwd = executor.forward(Tensor.concatBatch(List.of(input, ref)));
        return backward(fwd, input.dim(0), targetWeights, layer == null ? executor.graph().input() : layer, listener);
    }

    public DeepLiftResult attribute(Tensor input, Reference reference, Tensor targetWeights) {
        return attribute(input, reference.of(input), targetWeights, null, null);
    }

    /**
     * DeepLIFT of the part of the network after tensor {@code start}, with the actual value and the
     * reference both given at {@code start}; attributions at {@code layer} (null = {@code start}).
     */
    public DeepLiftResult attributeFrom(String start, Tensor actual, Tensor reference, Tensor targetWeights, String layer, BackwardListener listener) {
        Tensor ref = PairedBatch.broadcast(reference, actual.dim(0), actual);
        Activations fwd = executor.forwardFrom(Map.of(start, Tensor.concatBatch(List.of(actual, ref))), null);
        return backward(fwd, actual.dim(0), targetWeights, layer == null ? start : layer, listener);
    }

    /**
     * DeepLiftShap: DeepLIFT against each reference, averaged (attributions, multipliers, deltas and
     * convergence deltas are all means over the references).
     */
    public DeepLiftResult shap(Tensor input, List<Tensor> references, Tensor targetWeights, String layer) {
        if (references.isEmpty()) throw new IllegalArgumentException("DeepLiftShap needs at least one reference");
        List<DeepLiftResult> rs = new ArrayList<>();
        for (Tensor r : references) rs.add(attribute(input, r, targetWeights, layer, null));
        int n = input.dim(0);
        double[] td = new double[n], cd = new double[n];
        for (DeepLiftResult r : rs) for (int i = 0; i < n; i++) {
            td[i] += r.targetDelta()[i] / rs.size();
            cd[i] += r.convergenceDelta()[i] / rs.size();
        }
        return new DeepLiftResult(rs.get(0).layer(), mean(rs, DeepLiftResult::attributions), mean(rs, DeepLiftResult::multipliers),
                mean(rs, DeepLiftResult::layerDelta), rs.get(0).outputs(), mean(rs, DeepLiftResult::referenceOutputs), td, cd);
    }

    private static Tensor mean(List<DeepLiftResult> rs, java.util.function.Function<DeepLiftResult, Tensor> f) {
        Tensor first = f.apply(rs.get(0));
        double[] acc = new double[first.size()];
        for (DeepLiftResult r : rs) {
            float[] d = f.apply(r).data();
            for (int i = 0; i < acc.length; i++) acc[i] += d[i];
        }
        float[] out = new float[acc.length];
        for (int i = 0; i < acc.length; i++) out[i] = (float) (acc[i] / rs.size());
        return new Tensor(first.shape(), out);
    }

    private DeepLiftResult backward(Activations fwd, int n, Tensor targetWeights, String layer, BackwardListener listener) {
        String out = executor.graph().output();
        Tensor logits = fwd.output();
        int k = logits.shape().itemSize();
        Tensor w = TargetWeights.forBatch(targetWeights, n, k);
        Tensor y = logits.slice(0, n), y0 = logits.slice(n, 2 * n);
        double[] s = TargetWeights.score(y, w), s0 = TargetWeights.score(y0, w);
        double[] targetDelta = new double[n];
        for (int i = 0; i < n; i++) targetDelta[i] = s[i] - s0[i];
        if (listener instanceof DeepLiftAudit audit) audit.start(targetDelta);
        Tensor seed = Tensor.concatBatch(List.of(w.reshape(y.shape()), w.reshape(y.shape())));
        Tensor m = PairedBatch.firstItems(executor.backward(fwd, out, seed, Set.of(layer), rule, listener).get(layer), n);
        Tensor paired = fwd.get(layer);
        Tensor delta = PairedBatch.minus(PairedBatch.actual(paired), PairedBatch.reference(paired));
        Tensor attr = PairedBatch.times(delta, m);
        double[] sums = PairedBatch.itemSums(attr);
        double[] conv = new double[n];
        for (int i = 0; i < n; i++) conv[i] = sums[i] - targetDelta[i];
        return new DeepLiftResult(layer, attr, m, delta, y, y0, targetDelta, conv);
    }
}
