package dev.candela.explain.cam;

import dev.candela.tensor.Tensor;

/**
 * What a CAM method contributes for one layer; the shared {@link CamPipeline} does the rest. Row r
 * belongs to target r of the {@link LayerEvidence}.
 */
public sealed interface Weights {

    /** Per-channel coefficients w (R x K): raw map = sum_k w_k A_k. */
    record PerChannel(Tensor coefficients) implements Weights {}

    /** Element-wise weights W (R x K x h x w): raw map = sum_k W_k (.) A_k (HiResCAM, LayerCAM). */
    record PerElement(Tensor weights) implements Weights {}

    /**
     * The method's own raw map (R x h' x w', any resolution: Eigen-CAM, FullGrad, FG-CAM), with its
     * coefficients when it has any (R x K, else null).
     */
    record RawMap(Tensor map, Tensor coefficients) implements Weights {}

    /**
     * A raw map that is already final (no ReLU/min-max by the pipeline besides the resize and the final
     * min-max): for methods whose published definition normalises differently (Group-CAM's ReLU of a
     * sum of min-max'ed masks, FullGrad's sum of per-channel normalised terms).
     */
    record FinalMap(Tensor map, Tensor coefficients) implements Weights {}

    /**
     * Weights with what the method computed for the audit (manifest entries: FG-CAM's per-row sums, LIFT-CAM's
     * phi and completeness residual); the pipeline unwraps them and puts the audit in the Explanation.
     */
    record Audited(Weights weights, java.util.Map<String, Object> audit) implements Weights {
        public Audited {
            if (weights instanceof Audited) throw new IllegalArgumentException("audited weights cannot be audited again");
            audit = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(audit));
        }
    }

    /** The weights without their audit. */
    static Weights plain(Weights w) { return w instanceof Audited a ? a.weights() : w; }
}
