package dev.candela.explain.cam;

import dev.candela.explain.display.DisplayMap;

/**
 * RefineCAM (pytorch-grad-cam's {@code RefineCAM}, arXiv 2605.14641) with its default base, Grad-CAM++: the base
 * method's final map for each layer given with {@code --layer a,b,...} (each as a single-layer pytorch-grad-cam
 * run: ReLU, min-max, resize, min-max again), multiplied over the layers, then min-max (eps 1e-7). The run's
 * {@code --fusion} does not apply: the product is the method. (pytorch-grad-cam's per-layer loop that divides by
 * the maximum assigns to a loop variable and changes nothing; it is left out here as well.)
 */
public record RefineCam(CamMethod base) implements CamMethod {
    public RefineCam() { this(new GradCamPlusPlus()); }

    public String name() { return "refine-cam"; }

    public boolean usesGradients() { return base.usesGradients(); }

    public Weights weights(LayerEvidence e) { return base.weights(e); }

    @Override public DisplayMap.Fusion fusion(CamOptions.Fusion run) { return DisplayMap.Fusion.REFINE; }
}
