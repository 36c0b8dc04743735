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

    /**
     * The maps plus, for methods that weight the channels of a layer, that layer and the
     * coefficients (N x K); used by the coefficient-fidelity metric. By default there are none.
     */
    default Output explain(Executor executor, Tensor inputs, int[] targets) {
        return new Output(maps(executor, inputs, targets), null, null);
    }

    /**
     * This function for one named image (the evaluation calls it with each sample's name before explaining it), e.g.
     * with its noise seeded from the name so a map does not depend on the order of work. By default itself.
     */
    default MapFunction forImage(String image) { return this; }

    /** @param layer tensor name of the weighted layer (null if none); @param coefficients N x K (null if none) */
    record Output(Tensor maps, String layer, Tensor coefficients) {}
}
