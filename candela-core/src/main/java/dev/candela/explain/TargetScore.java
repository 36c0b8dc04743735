package dev.candela.explain;

/**
 * A resolved target with the model's output for it before any perturbation.
 *
 * @param image       image index in the input batch
 * @param classIndex  class (-1 for a combination of classes)
 * @param description human-readable target
 * @param score       the explained scalar (logit, probability or weighted sum)
 * @param probability softmax probability of {@code classIndex} (NaN for a combination)
 */
public record TargetScore(int image, int classIndex, String description, double score, double probability) {}
