package dev.candela.explain.sampled;

import dev.candela.explain.ResolvedTarget;
import dev.candela.explain.cam.LayerEvidence;
import dev.candela.explain.display.DisplayMap;
import dev.candela.tensor.Tensor;
import java.util.Map;

/**
 * Methods that explain by sampling the model many times rather than by one backward traversal: the black-box
 * baselines occlusion (Zeiler and Fergus; Captum's {@code Occlusion}) and RISE (Petsiuk et al. 2018), and
 * GradientSHAP / expected gradients (Captum's {@code GradientShap}). Each returns signed attributions at the
 * input, R x C' x H x W (C' = the input's channels, or 1 for RISE's single saliency plane), one row per
 * resolved target; random draws come from {@link java.util.Random} seeded by the method's seed, so a fixed seed
 * gives the same map on every run and thread count.
 */
public sealed interface SampledMethod permits Occlusion, Rise, GradientShap {

    /** CLI name. */
    String name();

    /** Attributions for every row of the evidence (its input and resolved targets). */
    Tensor attribute(LayerEvidence e);

    /** How the attributions become the [0,1] map. */
    DisplayMap.Pixels display();

    /** The method's options, for the manifest. */
    Map<String, Object> options();

    /** The registered names, in CLI order. */
    static java.util.List<String> names() { return java.util.List.of("occlusion", "rise", "gradient-shap"); }

    /** The target's weights over the logits (one-hot for a class), refused for a softmax target. */
    static double[] logitWeights(ResolvedTarget t, int classes, String method) {
        return t.objective().logitWeights(classes, method, t.description());
    }
}
