package dev.candela.explain.lrp;

import dev.candela.graph.Add;
import dev.candela.graph.AvgPool2d;
import dev.candela.graph.BatchNorm2d;
import dev.candela.graph.ChannelAffine;
import dev.candela.graph.Clip;
import dev.candela.graph.Concat;
import dev.candela.graph.ElementAffine;
import dev.candela.graph.Conv2d;
import dev.candela.graph.ConvTranspose2d;
import dev.candela.graph.Flatten;
import dev.candela.graph.GlobalAvgPool;
import dev.candela.graph.Identity;
import dev.candela.graph.LeakyRelu;
import dev.candela.graph.Linear;
import dev.candela.graph.Lrn;
import dev.candela.graph.MaxPool2d;
import dev.candela.graph.Node;
import dev.candela.graph.Relu;
import dev.candela.graph.Reshape;
import dev.candela.graph.Softmax;
import dev.candela.graph.Transpose;
import dev.candela.graph.Pointwise;
import dev.candela.graph.Mul;
import dev.candela.graph.Slice;
import dev.candela.graph.Pad2d;
import dev.candela.graph.LayerNorm;
import dev.candela.graph.Resize2d;
import java.util.List;

/**
 * Which {@link LayerRule} each node gets, by op type (zennit's LayerMapComposite /
 * SpecialFirstLayerMapComposite). The first convolution in graph order may get its own rule.
 *
 * @param firstConv rule for the first Conv2d in graph order (zennit's "first layer")
 * @param conv      rule for every other Conv2d
 * @param dense     rule for Linear
 * @param pooling   rule for average and global average pooling (zennit: Norm)
 * @param sum       rule for residual Add (zennit: Norm on its Sum layer; Captum: epsilon on Addition_Module;
 *                  {@link #withResidual} puts relevance splitting there)
 * @param batchNorm rule for unmerged BatchNorm2d / ChannelAffine (zennit: Pass)
 * @param maxPool   rule for max pooling (zennit: the gradient, i.e. winner-take-all)
 * @param activation rule for ReLU, ReLU6 (Clip), LeakyReLU, Identity, LRN, Softmax (LRP and FG-CAM: Pass;
 *                   Guided Backprop: its modified ReLU, which is the gradient on the others)
 * @param structural rule for Flatten, Reshape, Transpose, Concat, Slice, Pad (the gradient: each value goes back where it came from)
 * @param smooth    rule for smooth activations, gates (Mul) and LayerNorm (LRP and FG-CAM: Pass, which dispatches
 *                  gates and LayerNorm to {@link Gating}; Guided Backprop: the gradient)
 */
public record Composite(String name, LayerRule firstConv, LayerRule conv, LayerRule dense, LayerRule pooling,
                        LayerRule sum, LayerRule batchNorm, LayerRule maxPool, LayerRule activation, LayerRule structural,
                        LayerRule smooth) {

    /** An LRP composite: activations pass relevance, structural ops use the gradient. */
    public Composite(String name, LayerRule firstConv, LayerRule conv, LayerRule dense, LayerRule pooling,
                     LayerRule sum, LayerRule batchNorm, LayerRule maxPool) {
        this(name, firstConv, conv, dense, pooling, sum, batchNorm, maxPool, new LayerRule.Pass(), new LayerRule.Gradient(), new LayerRule.Pass());
    }

    /**
     * FG-CAM's resolution raising (official models/layers.py) as a composite: z+ without bias and exact
     * division on convolutions and dense layers, z-box with the image's bounds on the first convolution
     * when it reads 3 channels, positive shares on pools and residual sums, batch norm and activations
     * passed through. ({@link dev.candela.explain.fgcam.RaisingRule} adds the zero-denominator audit.)
     */
    public static Composite fgCam() {
        LayerRule share = new LayerRule.PositiveShare();
        return new Composite("fg-cam", new LayerRule.ZBoxImageBounds(), new LayerRule.ZPlusNoBias(), new LayerRule.ZPlusNoBias(),
                share, share, new LayerRule.Pass(), share, new LayerRule.Pass(), new LayerRule.Gradient(), new LayerRule.Pass());
    }

    /** Guided Backpropagation as a composite: the gradient everywhere, Guided Backprop's ReLU on activations. */
    public static Composite guidedBackprop() {
        LayerRule g = new LayerRule.Gradient();
        return new Composite("guided-backprop", g, g, g, g, g, g, g, new LayerRule.GuidedRelu(), g, g);
    }

    public static final List<String> NAMES = List.of("epsilon-plus", "epsilon-gamma-box", "epsilon-alpha2-beta1", "captum");
    public static final List<String> RULES = List.of("epsilon", "gamma", "z-plus", "alpha-beta", "z-box", "flat", "w-square");

    /**
     * Rules for residual sums ({@code lrp(residual=...)}): {@code split} is Otsuki et al.'s ratio-based relevance
     * splitting (ECCV 2024), {@code even} that paper's symmetric splitting, {@code norm} zennit's Norm.
     */
    public static final List<String> RESIDUAL_RULES = List.of("split", "even", "norm");

    /** A residual-sum rule by its {@link #RESIDUAL_RULES} name. */
    public static LayerRule residualRule(String name) {
        return switch (name) {
            case "split", "ratio-split" -> new LayerRule.RatioSplit();
            case "even", "even-split" -> new LayerRule.EvenSplit();
            case "norm" -> new LayerRule.Norm();
            default -> throw new IllegalArgumentException("unknown LRP residual rule '" + name + "'; known: " + String.join(", ", RESIDUAL_RULES));
        };
    }

    /**
     * This composite with {@code rule} on residual sums (every Add) and the rest unchanged, named
     * {@code <name>+residual=<label>}: relevance splitting is an option on any composite, not a copy of one.
     */
    public Composite withResidual(LayerRule rule, String label) {
        return new Composite(name + "+residual=" + label, firstConv, conv, dense, pooling, rule, batchNorm, maxPool, activation, structural, smooth);
    }

    private static Composite base(String name, LayerRule first, LayerRule conv, LayerRule dense) {
        return new Composite(name, first, conv, dense, new LayerRule.Norm(), new LayerRule.Norm(), new LayerRule.Pass(), new LayerRule.Gradient());
    }

    /** z+ on convolutions, epsilon (1e-6) on dense layers. */
    public static Composite epsilonPlus() {
        return base("epsilon-plus", new LayerRule.ZPlus(), new LayerRule.ZPlus(), new LayerRule.Epsilon());
    }

    /** z-box on the first convolution, gamma (0.25) on the other convolutions, epsilon on dense layers. */
    public static Composite epsilonGammaBox(float[] low, float[] high) {
        return base("epsilon-gamma-box", new LayerRule.ZBox(low, high, 1e-6), new LayerRule.Gamma(), new LayerRule.Epsilon());
    }

    /** alpha 2 beta 1 on convolutions, epsilon on dense layers. */
    public static Composite epsilonAlpha2Beta1() {
        return base("epsilon-alpha2-beta1", new LayerRule.AlphaBeta(), new LayerRule.AlphaBeta(), new LayerRule.Epsilon());
    }

    /**
     * One rule on every Conv2d and Linear (zennit's layer map with that rule for its Linear type), the
     * shared base map elsewhere. z-box only makes sense on the input layer: there it goes on the first
     * convolution and every other weighted layer gets epsilon.
     */
    public static Composite single(LayerRule rule) {
        if (rule instanceof LayerRule.ZBox) return base("z-box", rule, new LayerRule.Epsilon(), new LayerRule.Epsilon());
        return base(rule.displayName(), rule, rule, rule);
    }

    /**
     * Captum's LRP defaults: epsilon 1e-9 on Conv2d, Linear, max/avg/adaptive pools, BatchNorm2d and
     * Addition; ReLU/Dropout pass relevance through.
     */
    public static Composite captum() {
        LayerRule e = new LayerRule.Epsilon(1e-9);
        return new Composite("captum", e, e, e, e, e, e, e);
    }

    /** By command-line name; z-box and epsilon-gamma-box take the input bounds. */
    public static Composite named(String name, float[] low, float[] high) {
        return switch (name) {
            case "epsilon-plus" -> epsilonPlus();
            case "epsilon-gamma-box" -> epsilonGammaBox(low, high);
            case "epsilon-alpha2-beta1" -> epsilonAlpha2Beta1();
            case "captum" -> captum();
            default -> throw new IllegalArgumentException("unknown LRP composite '" + name + "'; known: " + String.join(", ", NAMES));
        };
    }

    public static LayerRule rule(String name, float[] low, float[] high) {
        return switch (name) {
            case "epsilon" -> new LayerRule.Epsilon();
            case "gamma" -> new LayerRule.Gamma();
            case "z-plus", "zplus" -> new LayerRule.ZPlus();
            case "alpha-beta", "alpha2-beta1" -> new LayerRule.AlphaBeta();
            case "z-box", "zbox" -> new LayerRule.ZBox(low, high, 1e-6);
            case "flat" -> new LayerRule.Flat();
            case "w-square", "wsquare" -> new LayerRule.WSquare();
            default -> throw new IllegalArgumentException("unknown LRP rule '" + name + "'; known: " + String.join(", ", RULES));
        };
    }

    /** The rule of one node; {@code first} says whether it is the graph's first convolution. */
    public LayerRule ruleFor(Node node, boolean first) {
        return switch (node.op()) {
            case Conv2d c -> first ? firstConv : conv;
            case ConvTranspose2d c -> conv;
            case Linear l -> dense;
            case AvgPool2d p -> pooling;
            case GlobalAvgPool g -> pooling;
            case Add a -> sum;
            case BatchNorm2d b -> batchNorm;
            case ChannelAffine a -> batchNorm;
            // a constant offset and scale per element: like an unmerged batch norm
            case ElementAffine a -> batchNorm;
            case MaxPool2d m -> maxPool;
            case Relu r -> activation;
            case Clip c -> activation;
            case LeakyRelu l -> activation;
            case Identity i -> activation;
            // LRN rescales each unit by a positive factor; passing relevance keeps it conserved.
            case Lrn l -> activation;
            // Explanations start from the logits, so a final softmax is never on the path; pass if asked.
            case Softmax s -> activation;
            case Flatten f -> structural;
            case Reshape r -> structural;
            case Transpose t -> structural;
            // Concat's gradient splits the relevance along the axis: each part goes to the input it came from.
            case Concat c -> structural;
            // Smooth activations (sigmoid, SiLU, GELU, ...) are activations, not ReLUs: LRP and FG-CAM pass
            // relevance through them, Guided Backprop (which only guides ReLUs) takes their gradient.
            case Pointwise p -> smooth;
            // A gate x * g(x): LRP and FG-CAM pass the relevance whole to the gated branch (Gating).
            case Mul m -> smooth;
            case Slice s -> structural;
            case Pad2d p -> structural;
            // Pass dispatches LayerNorm to Ali et al.'s LN-rule (Gating.layerNorm).
            case LayerNorm l -> smooth;
            // Interpolation is a fixed non-negative linear map, like average pooling: the pooling rule.
            case Resize2d r -> pooling;
        };
    }
}
