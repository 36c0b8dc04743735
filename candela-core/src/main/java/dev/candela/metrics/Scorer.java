package dev.candela.metrics;

import dev.candela.tensor.Tensor;

/**
 * The score a model gives each input of a batch for that input's own target class. Every
 * perturbation metric is defined in terms of this one function, so metrics never touch the
 * explanation code and can be checked against any model.
 */
@FunctionalInterface
public interface Scorer {
    /**
     * @param inputs  N x C x H x W (the model's preprocessed input)
     * @param targets one class index per input (length N)
     * @return N scores
     */
    float[] scores(Tensor inputs, int[] targets);
}
