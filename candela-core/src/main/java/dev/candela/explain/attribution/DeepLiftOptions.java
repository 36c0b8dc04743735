package dev.candela.explain.attribution;

/**
 * How DeepLIFT (Rescale) treats the places where implementations differ.
 *
 * @param eps      below this |x - x0| the difference quotient is replaced by a gradient
 * @param fallback where that gradient is evaluated
 * @param maxPool  the max-pool rule (lift-cam.md 3.6)
 * @param coverage which ops get a DeepLIFT rule; the others pass their gradient at the input
 */
public record DeepLiftOptions(double eps, Fallback fallback, MaxPoolRule maxPool, Coverage coverage) {

    /** Which nonlinear ops get a DeepLIFT rule. */
    public enum Coverage {
        /** Every op: Rescale for element-wise nonlinearities, the exact product splits of GatingDeepLift (summation-to-delta holds). */
        ALL_OPS,
        /**
         * Only the ops Captum's DeepLift has a rule for ({@code SUPPORTED_NON_LINEAR}, matched by exact module type:
         * ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softplus, MaxPool, Softmax). Everything else nonlinear (ReLU6 / Clip,
         * HardSigmoid, HardSwish, SiLU, GELU, Erf, LayerNorm, the product of two input-dependent tensors) passes its
         * gradient at the input, as autograd does under Captum's hooks, so Captum's numbers come out on EfficientNet
         * or ConvNeXt, and summation-to-delta does not hold there.
         */
        CAPTUM_MODULES
    }

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
        if (fallback == null || maxPool == null || coverage == null) throw new IllegalArgumentException("DeepLIFT fallback, maxPool and coverage must be given");
    }

    /** Rules on every op (summation-to-delta). */
    public DeepLiftOptions(double eps, Fallback fallback, MaxPoolRule maxPool) { this(eps, fallback, maxPool, Coverage.ALL_OPS); }

    /** Captum's conventions: eps 1e-10, gradient at the actual input, max-pool rule (b). */
    public static DeepLiftOptions captum() { return new DeepLiftOptions(1e-10, Fallback.ACTUAL, MaxPoolRule.CAPTUM); }

    /** The DeepLIFT reference code's conventions: eps 1e-7, gradient at the reference, gradient max-pool rule. */
    public static DeepLiftOptions deepliftReferenceCode() { return new DeepLiftOptions(1e-7, Fallback.REFERENCE, MaxPoolRule.GRADIENT); }

    /**
     * Captum's DeepLift as it runs on a PyTorch model: its conventions, and its rules only where it has them. Every
     * ReLU, Sigmoid, Softmax and max-pool op counts as Captum's module (a functional call in the PyTorch source,
     * which Captum does not hook, cannot be told apart in the graph), and max-pool keeps the accumulated rule.
     */
    public static DeepLiftOptions captumExact() { return captum().withCoverage(Coverage.CAPTUM_MODULES); }

    public DeepLiftOptions withMaxPool(MaxPoolRule r) { return new DeepLiftOptions(eps, fallback, r, coverage); }

    public DeepLiftOptions withEps(double e) { return new DeepLiftOptions(e, fallback, maxPool, coverage); }

    public DeepLiftOptions withCoverage(Coverage c) { return new DeepLiftOptions(eps, fallback, maxPool, c); }
}
