package dev.candela.metrics;

import dev.candela.run.Executor;
import dev.candela.tensor.Tensor;

/**
 * Produces saliency maps (N x H x W in [0, 1], at input resolution) for a batch of inputs and their
 * target classes with a given executor. The seam between the metrics and any explanation method:
 * the randomisation sanity check calls it again on randomised models.
 */
@FunctionalInterface
public interface MapFunction {
    Tensor maps(Executor executor, Tensor inputs, int[] targets);
}
