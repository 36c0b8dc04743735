package dev.candela.explain.lrp;

/**
 * One rule of the composite rule kind (LRP and the rules built like it: FG-CAM's raising, Guided
 * Backprop's ReLU). One LRP rule, as zennit defines it (stabiliser z + eps*sign(z), sign(0) = +1; the bias takes part
 * where zennit's parameter modifiers keep it). {@link Redistribution} applies a rule to one node.
 */
public sealed interface LayerRule {

    /** R_i = x_i [W^T (R / stab(z))]_i with z the layer's real output (bias included). Epsilon(0) is LRP-0. */
    record Epsilon(double epsilon) implements LayerRule {
        public Epsilon { check(epsilon, "epsilon"); }
        public Epsilon() { this(1e-6); }
    }

    /** zennit's generalised gamma rule (signed inputs): positive parts of W (and b) boosted by gamma. */
    record Gamma(double gamma, double stabiliser) implements LayerRule {
        public Gamma { check(gamma, "gamma"); check(stabiliser, "stabiliser"); }
        public Gamma() { this(0.25, 1e-6); }
    }

    /** z+ = alpha 1, beta 0 with signed inputs: z = conv(x+, W+) + b+ + conv(x-, W-). */
    record ZPlus(double stabiliser) implements LayerRule {
        public ZPlus { check(stabiliser, "stabiliser"); }
        public ZPlus() { this(1e-6); }
    }

    /** alpha * positive shares - beta * negative shares; zennit requires alpha - beta = 1. */
    record AlphaBeta(double alpha, double beta, double stabiliser) implements LayerRule {
        public AlphaBeta {
            if (alpha < 0 || beta < 0) throw new IllegalArgumentException("alpha-beta rule needs alpha, beta >= 0, got " + alpha + ", " + beta);
            if (alpha - beta != 1.0) throw new IllegalArgumentException("alpha-beta rule needs alpha - beta = 1, got alpha " + alpha + ", beta " + beta);
            check(stabiliser, "stabiliser");
        }
        public AlphaBeta() { this(2, 1, 1e-6); }
    }

    /**
     * z-box (DTD bounded rule) for the input layer: {@code low}/{@code high} hold one value for all
     * channels (length 1) or one per input channel.
     */
    record ZBox(float[] low, float[] high, double stabiliser) implements LayerRule {
        public ZBox {
            if (low.length == 0 || low.length != high.length) throw new IllegalArgumentException("z-box bounds: low and high need the same length >= 1");
            for (int i = 0; i < low.length; i++) if (!(low[i] <= high[i])) throw new IllegalArgumentException("z-box bounds: low " + low[i] + " > high " + high[i]);
            check(stabiliser, "stabiliser");
        }
        public ZBox(float low, float high) { this(new float[]{low}, new float[]{high}, 1e-6); }
    }

    /** Relevance spread uniformly over the receptive field (inputs and weights set to 1, no bias). */
    record Flat(double stabiliser) implements LayerRule {
        public Flat { check(stabiliser, "stabiliser"); }
        public Flat() { this(1e-6); }
    }

    /** Spread by squared weights (and squared bias, as zennit's parameter modifier squares every parameter). */
    record WSquare(double stabiliser) implements LayerRule {
        public WSquare { check(stabiliser, "stabiliser"); }
        public WSquare() { this(1e-6); }
    }

    /** zennit's Norm for sum/avg pooling and residual sums: R_i = x_i [J^T (R / stab(y))]_i. */
    record Norm(double stabiliser) implements LayerRule {
        public Norm { check(stabiliser, "stabiliser"); }
        public Norm() { this(1e-6); }
    }

    /**
     * Ratio-based relevance splitting at a residual sum y = x_1 + ... + x_n (Otsuki et al., ECCV 2024):
     * R_i = |x_i| / (|x_1| + ... + |x_n|) * R, an even split R / n where every x_j is 0. The shares lie in
     * [0, 1] and sum to exactly 1, so the sum neither loses nor invents relevance and never hands a path a
     * negative or amplified share (zennit's {@link Norm} shares x_i / y do when the summands have opposite signs).
     */
    record RatioSplit() implements LayerRule {}

    /** The symmetric splitting of the same paper (its ablation): R_i = R / n for each of the n summands. */
    record EvenSplit() implements LayerRule {}

    /** Relevance passes unchanged (element-wise activations, unmerged batch norm). */
    record Pass() implements LayerRule {}

    /** The ordinary gradient: structural ops (reshape, concat split) and max pooling's winner-take-all. */
    record Gradient() implements LayerRule {}

    /**
     * Guided Backpropagation's ReLU (Springenberg et al. 2015): the gradient passes only where the input is
     * inside the active range and the incoming gradient is positive (ReLU: {@code x > 0}; ReLU6 = Clip(0, max):
     * {@code 0 < x < max}); any other op gets its gradient.
     */
    record GuidedRelu() implements LayerRule {}

    /**
     * FG-CAM's z+ (official models/layers.py): signed z+ without bias and with exact division (a unit whose
     * denominator is exactly 0 passes nothing).
     */
    record ZPlusNoBias() implements LayerRule {}

    /**
     * FG-CAM's input-layer z-box: bounds l, h = the image's own minimum and maximum over all channels and
     * pixels (one pair per batch item), no bias, exact division. The official code uses it on a conv that
     * reads 3 channels; on any other conv it is {@link ZPlusNoBias}.
     */
    record ZBoxImageBounds() implements LayerRule {}

    /**
     * FG-CAM's proportional share among non-negative inputs (pools, residual sums): R_k = X_k+ [J^T (R / op(X+))]_k
     * with exact division (max pooling: the whole value to the first argmax).
     */
    record PositiveShare() implements LayerRule {}

    private static void check(double v, String name) {
        if (!(v >= 0) || !Double.isFinite(v)) throw new IllegalArgumentException(name + " must be finite and >= 0, got " + v);
    }

    /** Command-line name of the rule. */
    default String displayName() {
        return switch (this) {
            case Epsilon e -> "epsilon";
            case Gamma g -> "gamma";
            case ZPlus z -> "z-plus";
            case AlphaBeta a -> "alpha-beta";
            case ZBox z -> "z-box";
            case Flat f -> "flat";
            case WSquare w -> "w-square";
            case Norm n -> "norm";
            case RatioSplit r -> "ratio split";
            case EvenSplit e -> "even split";
            case Pass p -> "pass";
            case Gradient g -> "gradient";
            case GuidedRelu g -> "guided-relu";
            case ZPlusNoBias z -> "z-plus (no bias, exact)";
            case ZBoxImageBounds z -> "z-box (image bounds, no bias, exact)";
            case PositiveShare p -> "positive share (exact)";
        };
    }
}
