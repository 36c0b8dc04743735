package dev.candela.cli;

import dev.candela.explainer.Methods;
import dev.candela.explain.Progress;
import dev.candela.explain.cam.CamOptions;
import dev.candela.image.Resize;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import dev.candela.cli.args.ArgParser;
import dev.candela.cli.args.CommandSpec;
import dev.candela.cli.args.ValueType;
import java.util.List;
import java.util.Set;

/**
 * The method options shared by {@code explain} and {@code evaluate}: each flag is the run's
 * default for the methods that take it; {@code --method "fg-cam(base=score-cam,level=input)"} overrides it
 * for one method ({@link Methods}).
 */
public final class MethodOptions {

    /**
     * The flags as a run without any of them sets them: the defaults {@code candela explain --help} shows. Other
     * front ends (candela-spark's transformers) take their method defaults from here, so they cannot drift.
     */
    public static MethodOptions flagDefaults() {
        MethodOptions o = new MethodOptions();
        CommandSpec.Builder b = CommandSpec.builder("method-options", "");
        o.declare(b);
        ArgParser.parse(b.build(), List.of());
        return o;
    }

    /** The words {@code --denoise} takes as its value when they follow it ({@code --denoise means-back}). */
    private static final Set<String> DENOISE_MODES = Set.of("official", "means-back", "none", "true", "false");

    boolean augSmooth;
    boolean eigenSmooth;
    boolean alignCorners;
    String fusion;
    String reference;
    String deepliftRules;
    int steps;
    String quadrature;
    int samples;
    double noiseLevel;
    String fgBase;
    String fgLayer;
    String denoise;
    String fgZero;
    String lrpRule;
    String lrpComposite;
    String lrpBn;
    String lrpResidual;

    /** Declares these options on a command. */
    void declare(CommandSpec.Builder o) {
        o.flag("--aug-smooth", "test-time augmentation smoothing (h-flip x 0.9/1/1.1)", v -> augSmooth = v);
        o.flag("--eigen-smooth", "first principal component instead of the channel sum", v -> eigenSmooth = v);
        o.flag("--align-corners", "resize maps with align_corners=True instead of half-pixel centres", v -> alignCorners = v);
        o.value("--fusion", null, "mean", "fusion of several layers: mean (pytorch-grad-cam), max, product, tanh-max (TorchCAM's LayerCAM fusion) (default ${DEFAULT-VALUE})", ValueType.STRING, v -> fusion = v);
        o.value("--reference", null, "zeros", "reference of deeplift / baseline of integrated-gradients: zeros, blur, blur:SIZE:SIGMA, constant:V or a .npy file (default ${DEFAULT-VALUE})", ValueType.STRING, v -> reference = v);
        o.value("--deeplift-rules", null, "captum", "DeepLIFT conventions: captum (eps 1e-10, gradient at the input, Captum's max-pool rule accumulated; conserving rules on every op), captum-exact (the same, but ops Captum has no rule for, such as SiLU, GELU, HardSwish, ReLU6, LayerNorm and gating products, pass their gradient as in Captum: its numbers, without summation-to-delta) or deeplift (eps 1e-7, gradient at the reference, gradient max-pool rule) (default ${DEFAULT-VALUE})", ValueType.STRING, v -> deepliftRules = v);
        o.value("--steps", null, "50", "integrated-gradients steps (default ${DEFAULT-VALUE})", ValueType.INT, v -> steps = v);
        o.value("--quadrature", null, "gausslegendre", "integrated-gradients nodes: riemann_left, riemann_right, riemann_middle, riemann_trapezoid, gausslegendre (default ${DEFAULT-VALUE})", ValueType.STRING, v -> quadrature = v);
        o.value("--samples", null, "20", "smoothgrad noisy samples (default ${DEFAULT-VALUE})", ValueType.INT, v -> samples = v);
        o.value("--noise-level", null, "0.1", "smoothgrad sigma as a fraction of each input's value range (default ${DEFAULT-VALUE})", ValueType.DOUBLE, v -> noiseLevel = v);
        o.value("--base", null, "grad-cam", "fg-cam: base CAM method whose components are raised (any method with per-channel or element-wise weights; score-cam-fg = the FG-CAM code's Score-CAM) (default ${DEFAULT-VALUE})", ValueType.STRING, v -> fgBase = v);
        o.value("--fg-layer", null, "input", "fg-cam: layer the components are raised to, or 'input' (default ${DEFAULT-VALUE})", ValueType.STRING, v -> fgLayer = v);
        o.optionalValue("--denoise", null, "official", DENOISE_MODES, "fg-cam: denoise the components (official: row-centred SVD, top 10%, means not added back; means-back: add each channel's mean back)", v -> denoise = v);
        o.value("--fg-zero", null, "drop", "fg-cam: values of units with a zero denominator: drop (official) or spread (conserving) (default ${DEFAULT-VALUE})", ValueType.STRING, v -> fgZero = v);
        o.value("--rule", null, null, "lrp: one rule on every conv and linear layer: epsilon, gamma, z-plus, alpha-beta, z-box, flat, w-square", ValueType.STRING, v -> lrpRule = v);
        o.value("--composite", null, null, "lrp: epsilon-plus (default), epsilon-gamma-box, epsilon-alpha2-beta1, captum", ValueType.STRING, v -> lrpComposite = v);
        o.value("--lrp-bn", null, "merge", "lrp: batch norm merged into the preceding conv (merge, zennit's canonizer) or passed through (pass) (default ${DEFAULT-VALUE})", ValueType.STRING, v -> lrpBn = v);
        o.value("--lrp-residual", null, null, "lrp: rule on residual sums instead of the composite's own: split (ratio-based relevance splitting, Otsuki et al. ECCV 2024), even (symmetric splitting), norm (zennit)", ValueType.STRING, v -> lrpResidual = v);
    }

    /** The flags as the methods' default options. */
    public Methods.Defaults defaults(long seed) {
        if (lrpRule != null && lrpComposite != null) throw new IllegalArgumentException("lrp: give --rule or --composite, not both");
        Map<String, String> d = new LinkedHashMap<>();
        d.put("base", fgBase);
        d.put("level", fgLayer);
        d.put("denoise", denoise);
        d.put("zero", fgZero);
        d.put("rule", lrpRule);
        d.put("composite", lrpComposite);
        d.put("bn", lrpBn);
        d.put("residual", lrpResidual);
        d.put("reference", reference);
        d.put("rules", deepliftRules);
        d.put("steps", Integer.toString(steps));
        d.put("quadrature", quadrature);
        d.put("samples", Integer.toString(samples));
        d.put("noise", Double.toString(noiseLevel));
        d.put("seed", Long.toString(seed));
        return new Methods.Defaults(d);
    }

    /** The CAM pipeline's options. */
    public CamOptions camOptions(int batchSize, long seed, Progress progress) {
        return CamOptions.defaults()
                .withBatchSize(batchSize)
                .withSeed(seed)
                .withAugSmooth(augSmooth)
                .withEigenSmooth(eigenSmooth)
                .withResize(alignCorners ? Resize.Mode.ALIGN_CORNERS : Resize.Mode.HALF_PIXEL)
                .withFusion(parseFusion(fusion))
                .withProgress(progress);
    }

    private static CamOptions.Fusion parseFusion(String s) {
        try {
            return CamOptions.Fusion.valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--fusion must be mean, max, product or tanh-max, got '" + s + "'");
        }
    }

    /** Option mistakes found before a model is read. */
    void check() {
        CliChecks.atLeast("--steps", steps, 1);
        CliChecks.atLeast("--samples", samples, 1);
        CliChecks.finiteAtLeast("--noise-level", noiseLevel, 0);
    }
}
