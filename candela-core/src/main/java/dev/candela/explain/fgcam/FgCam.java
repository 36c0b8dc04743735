package dev.candela.explain.fgcam;

import dev.candela.explain.lrp.Lrp;
import dev.candela.graph.Graph;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.Map;
import java.util.Set;

/**
 * FG-CAM (Qiu, Jin, Zhang, arXiv 2303.09171; official code dongmo-qcq/FG-CAM): a base CAM's
 * per-channel components at the CAM layer, optionally denoised, raised to any earlier layer (down to
 * the input) by {@link RaisingRule}, then summed over channels. The map is signed; ReLU and min-max
 * belong to the display pipeline.
 */
public final class FgCam {

    /** How the base components are denoised before raising. */
    public enum Denoise {
        /** No denoising. */
        NONE,
        /** The official code: row-centred SVD, top floor(0.1 len(S)) components, means not added back. */
        OFFICIAL,
        /** As OFFICIAL, then each channel's spatial mean is added back (keeps the components' total). */
        MEANS_BACK
    }

    /**
     * @param components the (denoised) components at the CAM layer, N x K x h x w
     * @param raised     the components carried to the FG layer, N x C x H x W
     * @param map        channel sum of {@code raised}, N x H x W (signed)
     * @param dropped    per node and item, relevance on zero-denominator units (dropped by the official rules,
     *                   spread under {@link RaisingRule.ZeroDenominators#SPREAD})
     */
    public record Result(int[] classes, Tensor components, Tensor raised, Tensor map, Map<String, double[]> dropped) {}

    private final Executor executor;
    private final RaisingRule.ZeroDenominators zeros;

    /** FG-CAM with the official rules (zero-denominator shares dropped). */
    public FgCam(Executor executor) {
        this(executor, RaisingRule.ZeroDenominators.DROP);
    }

    public FgCam(Executor executor, RaisingRule.ZeroDenominators zeros) {
        this.executor = executor;
        this.zeros = zeros;
    }

    /** Runs the model, computes the base components at {@code camLayer} and raises them to {@code fgLayer}. */
    public Result explain(Tensor input, BaseComponents.Base base, String camLayer, String fgLayer, int[] classes, Denoise denoise) {
        Activations fwd = executor.forward(input);
        int[] cls = classes != null ? classes : dev.candela.explain.attribution.TargetWeights.argmax(fwd.get(Lrp.logits(executor.graph())));
        Tensor comps = BaseComponents.compute(base, executor, fwd, input, camLayer, cls);
        Result r = raise(fwd, camLayer, denoise(comps, denoise), fgLayer);
        return new Result(cls, r.components(), r.raised(), r.map(), r.dropped());
    }

    public static Tensor denoise(Tensor components, Denoise d) {
        return switch (d) {
            case NONE -> components;
            case OFFICIAL -> Denoising.apply(components, false);
            case MEANS_BACK -> Denoising.apply(components, true);
        };
    }

    /** Raises given components from {@code camLayer} to {@code fgLayer} (the same tensor returns them unchanged). */
    public Result raise(Activations fwd, String camLayer, Tensor components, String fgLayer) {
        Graph g = executor.graph();
        if (!g.ancestors(camLayer).contains(fgLayer)) {
            throw new IllegalArgumentException("FG layer '" + fgLayer + "' does not lie on a path into the CAM layer '" + camLayer + "'; choose an earlier layer or 'input'");
        }
        RaisingRule rule = new RaisingRule(g, zeros);
        Tensor raised = executor.backward(fwd, camLayer, components, Set.of(fgLayer), rule).get(fgLayer);
        return new Result(null, components, raised, channelSum(raised), rule.dropped());
    }

    /** N x C x H x W -> N x H x W. */
    public static Tensor channelSum(Tensor t) {
        if (t.rank() != 4) throw new IllegalArgumentException("FG-CAM needs a spatial (N x C x H x W) layer, got " + t.shape());
        return dev.candela.tensor.Reductions.channelSum(t);
    }
}
