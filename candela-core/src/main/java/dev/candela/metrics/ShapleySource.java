package dev.candela.metrics;

import dev.candela.run.Executor;
import dev.candela.tensor.Tensor;

/**
 * Reference Shapley values of the channels of {@code layer} for one input (1 x C x H x W) and target
 * class: the ground truth the coefficient-fidelity metric compares a method's coefficients with.
 * Supplied by the caller (the explain package's ShapleyReference) so the metrics stay independent of
 * the explanation code.
 */
@FunctionalInterface
public interface ShapleySource {
    double[] shapley(Executor executor, Tensor input, String layer, int target);
}
