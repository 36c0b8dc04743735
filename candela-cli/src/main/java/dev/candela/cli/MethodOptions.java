package dev.candela.cli;

import dev.candela.explainer.Methods;
import dev.candela.explain.Progress;
import dev.candela.explain.cam.CamOptions;
import dev.candela.image.Resize;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The method options shared by {@code explain} and {@code evaluate} (a picocli mixin): each flag is the run's
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
        new picocli.CommandLine(o).parseArgs();
        return o;
    }

    @Option(names = "--aug-smooth", description = "test-time augmentation smoothing (h-flip x 0.9/1/1.1)")
    boolean augSmooth;

    @Option(names = "--eigen-smooth", description = "first principal component instead of the channel sum")
    boolean eigenSmooth;

    @Option(names = "--align-corners", description = "resize maps with align_corners=True instead of half-pixel centres")
    boolean alignCorners;

    @Option(names = "--fusion", defaultValue = "mean", description = "fusion of several layers: mean (pytorch-grad-cam), max, product, tanh-max (TorchCAM's LayerCAM fusion) (default ${DEFAULT-VALUE})")
    String fusion;

    @Option(names = "--reference", defaultValue = "zeros", description = "reference of deeplift / baseline of integrated-gradients: zeros, blur, blur:SIZE:SIGMA, constant:V or a .npy file (default ${DEFAULT-VALUE})")
    String reference;

    @Option(names = "--deeplift-rules", defaultValue = "captum", description = "DeepLIFT conventions: captum (eps 1e-10, gradient at the input, Captum's max-pool rule accumulated; conserving rules on every op), captum-exact (the same, but ops Captum has no rule for, such as SiLU, GELU, HardSwish, ReLU6, LayerNorm and gating products, pass their gradient as in Captum: its numbers, without summation-to-delta) or deeplift (eps 1e-7, gradient at the reference, gradient max-pool rule) (default ${DEFAULT-VALUE})")
    String deepliftRules;

    @Option(names = "--steps", defaultValue = "50", description = "integrated-gradients steps (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--quadrature", defaultValue = "gausslegendre", description = "integrated-gradients nodes: riemann_left, riemann_right, riemann_middle, riemann_trapezoid, gausslegendre (default ${DEFAULT-VALUE})")
    String quadrature;

    @Option(names = "--samples", defaultValue = "20", description = "smoothgrad noisy samples (default ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--noise-level", defaultValue = "0.1", description = "smoothgrad sigma as a fraction of each input's value range (default ${DEFAULT-VALUE})")
    double noiseLevel;

    @Option(names = "--base", defaultValue = "grad-cam", description = "fg-cam: base CAM method whose components are raised (any method with per-channel or element-wise weights; score-cam-fg = the FG-CAM code's Score-CAM) (default ${DEFAULT-VALUE})")
    String fgBase;

    @Option(names = "--fg-layer", defaultValue = "input", description = "fg-cam: layer the components are raised to, or 'input' (default ${DEFAULT-VALUE})")
    String fgLayer;

    @Option(names = "--denoise", arity = "0..1", fallbackValue = "official", description = "fg-cam: denoise the components (official: row-centred SVD, top 10%%, means not added back; means-back: add each channel's mean back)")
    String denoise;

    @Option(names = "--fg-zero", defaultValue = "drop", description = "fg-cam: values of units with a zero denominator: drop (official) or spread (conserving) (default ${DEFAULT-VALUE})")
    String fgZero;

    @Option(names = "--rule", description = "lrp: one rule on every conv and linear layer: epsilon, gamma, z-plus, alpha-beta, z-box, flat, w-square")
    String lrpRule;

    @Option(names = "--composite", description = "lrp: epsilon-plus (default), epsilon-gamma-box, epsilon-alpha2-beta1, captum")
    String lrpComposite;

    @Option(names = "--lrp-bn", defaultValue = "merge", description = "lrp: batch norm merged into the preceding conv (merge, zennit's canonizer) or passed through (pass) (default ${DEFAULT-VALUE})")
    String lrpBn;

    @Option(names = "--lrp-residual", description = "lrp: rule on residual sums instead of the composite's own: split (ratio-based relevance splitting, Otsuki et al. ECCV 2024), even (symmetric splitting), norm (zennit)")
    String lrpResidual;

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
