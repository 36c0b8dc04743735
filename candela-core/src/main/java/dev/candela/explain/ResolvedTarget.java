package dev.candela.explain;

/**
 * A target made concrete for one image of a batch: which image, what scalar, and a description for
 * manifests ("class 281 (tabby)", "softmax of class 3", ...). Top-k targets resolve to k of these.
 *
 * @param image       index of the image in the input batch
 * @param objective   the scalar explained
 * @param description human-readable target
 */
public record ResolvedTarget(int image, Objective objective, String description) {
    public int classIndex() { return objective.classIndex(); }
}
