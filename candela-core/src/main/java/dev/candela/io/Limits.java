package dev.candela.io;

/**
 * Resource limits on untrusted input, each with a safe default and a system property to change it
 * ({@code java -Dcandela.maxImagePixels=...}, or {@code CANDELA_JAVA_OPTS} with the launcher). Listed
 * with their defaults in SECURITY.md.
 */
public final class Limits {
    private Limits() {}

    /** Pillow's MAX_IMAGE_PIXELS: images with more pixels are refused from their header, before decoding. */
    public static final long DEFAULT_MAX_IMAGE_PIXELS = 89_478_485L;
    /** Largest .cnd JSON header, .npy header or labels file. */
    public static final long DEFAULT_MAX_HEADER_BYTES = 16L << 20;
    /** Sum of every activation of one forward pass (all layers, whole batch), computed from the shapes. */
    public static final long DEFAULT_MAX_ACTIVATION_BYTES = 4L << 30;
    /** Memory the batched perturbation methods (Score-CAM, Ablation-CAM, ...) may use per batch. */
    public static final long DEFAULT_BATCH_MEMORY_BYTES = 64L << 20;

    /** Activations of one input (one item of a batch), checked when a model is loaded. */
    public static final long DEFAULT_MAX_ACTIVATION_BYTES_PER_ITEM = 1L << 30;

    public static long maxActivationBytesPerItem() {
        return Math.min(get("candela.maxActivationBytesPerItem", DEFAULT_MAX_ACTIVATION_BYTES_PER_ITEM), maxActivationBytes());
    }

    public static long maxImagePixels() { return get("candela.maxImagePixels", DEFAULT_MAX_IMAGE_PIXELS); }

    public static long maxHeaderBytes() { return get("candela.maxHeaderBytes", DEFAULT_MAX_HEADER_BYTES); }

    /** The configured activation limit, never more than the JVM's maximum heap. */
    public static long maxActivationBytes() {
        return Math.min(get("candela.maxActivationBytes", DEFAULT_MAX_ACTIVATION_BYTES), Runtime.getRuntime().maxMemory());
    }

    /** The configured batch budget, never more than a quarter of the JVM's maximum heap. */
    public static long batchMemoryBytes() {
        return Math.max(1, Math.min(get("candela.batchMemoryBytes", DEFAULT_BATCH_MEMORY_BYTES), Runtime.getRuntime().maxMemory() / 4));
    }

    private static long get(String property, long dflt) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) return dflt;
        try {
            long x = Long.parseLong(v.trim().replace("_", ""));
            if (x <= 0) throw new NumberFormatException();
            return x;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property " + property + " must be a positive integer, got '" + v + "'");
        }
    }
}
