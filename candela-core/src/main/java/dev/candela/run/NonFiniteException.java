package dev.candela.run;

/**
 * A NaN or infinity appeared in a forward pass: the message names the tensor and the layer (node) where
 * it first appeared, or says it was already in the input. Bad input (exit 2), not an internal error.
 */
public final class NonFiniteException extends IllegalArgumentException {
    private final String tensor;
    private final String layer;

    public NonFiniteException(String tensor, String layer, String message) {
        super(message);
        this.tensor = tensor;
        this.layer = layer;
    }

    /** The tensor holding the first non-finite value. */
    public String tensor() { return tensor; }

    /** The node that produced it, or null for a model input. */
    public String layer() { return layer; }
}
