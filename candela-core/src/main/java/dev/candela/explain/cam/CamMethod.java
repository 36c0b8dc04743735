package dev.candela.explain.cam;


/**
 * A class activation map method. An implementation supplies only what differs between methods: the
 * {@link Weights} for one layer. Everything else (raw map by {@link CamPipeline}, ReLU, normalisation,
 * resize, layer fusion by its {@link #display()} policy, smoothing) is done once. Implementations are immutable and thread-safe: create
 * one and call it for many batches. Methods are found by CLI name in {@code dev.candela.explainer.CamMethods}, the registry above this package.
 */
public interface CamMethod {

    /** The CLI name ("grad-cam"). */
    String name();

    /** Whether {@link LayerEvidence#gradients()} will be asked for (lets callers pre-compute them once). */
    default boolean usesGradients() { return false; }

    /** Whether the method explains a chosen layer (false for FullGrad, which uses every biased layer). */
    default boolean usesLayer() { return true; }

    /** How this method fuses several layers, given the run's choice (RefineCAM always takes its product). */
    default dev.candela.explain.display.DisplayMap.Fusion fusion(CamOptions.Fusion run) {
        return dev.candela.explain.display.DisplayMap.Fusion.valueOf(run.name());
    }

    /**
     * How this method's raw maps become the [0,1] map (pytorch-grad-cam's pipeline unless the method's
     * reference implementation says otherwise).
     */
    default dev.candela.explain.display.DisplayMap.Layered display() { return dev.candela.explain.display.DisplayMap.PYTORCH_GRAD_CAM; }

    /** The method's contribution for one layer and every target of the batch. */
    Weights weights(LayerEvidence evidence);
}
