package dev.candela.explain;

import dev.candela.tensor.Tensor;
import java.util.List;

/**
 * Everything one method computed for one batch. Row r of every per-target tensor belongs to
 * {@code targets().get(r)}; with one target per image, rows are images.
 *
 * @param method       method name (CLI name, e.g. "grad-cam")
 * @param layers       tensor names of the layers explained (empty for methods that use none)
 * @param maps         final maps, R x H x W, float32 in [0,1] at input resolution
 * @param rawMaps      the first layer's map before ReLU and normalisation, R x h x w (null if the method has none)
 * @param coefficients the first layer's per-channel coefficients, R x K (null if the method has none)
 * @param attributions signed pixel attributions R x C x H x W (null for CAM methods)
 * @param logits       model output before any perturbation, N x classes
 * @param targets      the targets with their scores, one per row
 * @param nanos        wall time of this method (shared forward pass excluded)
 * @param audit        what the method computed for the audit, as manifest entries (FG-CAM's per-row component
 *                     and map sums and zero-denominator mass, LIFT-CAM's phi and completeness residual; empty if none)
 */
public record Explanation(String method, List<String> layers, Tensor maps, Tensor rawMaps, Tensor coefficients,
                          Tensor attributions, Tensor logits, List<TargetScore> targets, long nanos, java.util.Map<String, Object> audit) {
    public Explanation {
        layers = List.copyOf(layers);
        targets = List.copyOf(targets);
        audit = audit == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(audit));
    }

    /** An explanation without audit entries. */
    public Explanation(String method, List<String> layers, Tensor maps, Tensor rawMaps, Tensor coefficients,
                       Tensor attributions, Tensor logits, List<TargetScore> targets, long nanos) {
        this(method, layers, maps, rawMaps, coefficients, attributions, logits, targets, nanos, java.util.Map.of());
    }

    /** The same explanation under another method name (a variant's label). */
    public Explanation named(String name) {
        return new Explanation(name, layers, maps, rawMaps, coefficients, attributions, logits, targets, nanos, audit);
    }

    /** Final map of row r as an H x W tensor. */
    public Tensor map(int r) { return maps.item(r); }

    public double millis() { return nanos / 1e6; }
}
