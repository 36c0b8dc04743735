package dev.candela.explain.attribution;

/**
 * How DeepLIFT (Rescale) treats the two places where implementations differ.
 *
 * @param eps      below this |x - x0| the difference quotient is replaced by a gradient
 * @param fallback where that gradient is evaluated
 * @param maxPool  the max-pool rule (lift-cam.md 3.6)
 */
public record DeepLiftOptions(double eps, Fallback fallback, MaxPoolRule maxPool) {

    /** Where the gradient used for near-zero input differences is evaluated. */
    public enum Fallback {
        /** At the actual input (Captum). */
        ACTUAL,
        /** At the reference (kundajelab/deeplift). */
        REFERENCE
    }

    /** Max-pool rules of lift-cam.md 3.6. */
    public enum MaxPoolRule {
        /** (b): credit both the input's and the reference's argmax; conserving for any reference (Captum's rule, accumulated). */
        CAPTUM,
        /** (a): all of the multiplier to the argmax of the actual input (kundajelab/deeplift); conserving only for window-uniform references. */
        GRADIENT
    }

    public DeepLiftOptions {
        if (!(eps >= 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("DeepLIFT eps must be finite and >= 0, got " + eps);
        if (fallback == null || maxPool == null) throw new IllegalArgumentException("DeepLIFT fallback and maxPool must be given");
    }

    /** Captum's conventions: eps 1e-10, gradient at the actual input, max-pool rule (b). */
    public static DeepLiftOptions captum() { return new DeepLiftOptions(1e-10, Fallback.ACTUAL, MaxPoolRule.CAPTUM); }

    /** The DeepLIFT reference code's conventions: eps 1e-7, gradient at the reference, gradient max-pool rule. */
    public static DeepLiftOptions deepliftReferenceCode() { return new DeepLiftOptions(1e-7, Fallback.REFERENCE, MaxPoolRule.GRADIENT); }

    public DeepLiftOptions withMaxPool(MaxPoolRule r) { return new DeepLiftOptions(eps, fallback, r); }

    public DeepLiftOptions withEps(double e) { return new DeepLiftOptions(e, fallback, maxPool); }
}
