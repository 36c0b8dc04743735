package dev.candela.explain.fgcam;

import dev.candela.explain.ResolvedTarget;
import dev.candela.explain.cam.CamMethod;
import dev.candela.explain.cam.LayerEvidence;
import dev.candela.explain.cam.Weights;
import dev.candela.graph.LayerNames;
import dev.candela.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * FG-CAM in the CAM registry ("fg-cam"): the base method's components at the CAM layer ({@code --layer}),
 * optionally denoised, raised to {@code fgLayer} ("input" or any earlier layer) and summed over channels;
 * its display policy then applies ReLU, min-max without eps and the resize to the input, with no second
 * normalisation (the official main.py / util.visual_explanation).
 * Any registered CAM method with per-channel coefficients (grad-cam, grad-cam++, xgrad-cam, score-cam,
 * ablation-cam, lift-cam, lrp-cam ...) or element-wise weights (layer-cam, hires-cam) can be the base;
 * "score-cam-fg" is the FG-CAM code's own Score-CAM (softmax probability of x masked by each map).
 */
public record FgCamMethod(String base, CamMethod baseMethod, String fgLayer, FgCam.Denoise denoise, RaisingRule.ZeroDenominators zeros) implements CamMethod {
    /** The base is named by {@code base}; {@code baseMethod} is that registry method, or null for "score-cam-fg". */
    public FgCamMethod {
        if (base.equals("fg-cam") || baseMethod instanceof FgCamMethod) throw new IllegalArgumentException("--base cannot be fg-cam itself");
        if ((baseMethod == null) != base.equals("score-cam-fg"))
            throw new IllegalArgumentException("FG-CAM base '" + base + "': give the registry's method, or none for score-cam-fg");
    }

    public FgCamMethod() { this("grad-cam", new dev.candela.explain.cam.GradCam(), "input", FgCam.Denoise.NONE, RaisingRule.ZeroDenominators.DROP); }

    @Override public String name() { return "fg-cam"; }

    /** The official final map: ReLU, min-max without eps, bilinear resize, no second normalisation. */
    @Override public dev.candela.explain.display.DisplayMap.Layered display() { return dev.candela.explain.display.DisplayMap.FG_CAM_OFFICIAL; }

    @Override public boolean usesGradients() { return baseMethod != null && baseMethod.usesGradients(); }

    @Override public Weights weights(LayerEvidence e) {
        Tensor a = e.activations();
        Tensor comps, coef = null;
        if (baseMethod == null) {
            int[] classes = new int[e.rows()];
            for (int r = 0; r < e.rows(); r++) {
                ResolvedTarget t = e.targets().get(r);
                if (t.classIndex() < 0) throw new IllegalArgumentException("the FG-CAM code's Score-CAM needs a single class target, got '" + t.description() + "'");
                classes[r] = t.classIndex();
            }
            coef = BaseComponents.scoreCamFgWeights(e.executor(), e.input(), a, classes, e.options().batchSize());
            comps = BaseComponents.scaleChannels(a, coef);
        } else {
            Weights w = baseMethod.weights(e);
            if (Weights.plain(w) instanceof Weights.PerChannel p) coef = p.coefficients();
            comps = BaseComponents.components(w, a, base);
        }
        comps = FgCam.denoise(comps, denoise);
        String target = new LayerNames(e.graph()).resolve(fgLayer); // "input" included
        FgCam.Result r = new FgCam(e.executor(), zeros).raise(e.forward(), e.layer(), comps, target);
        int n = e.rows();
        double[] cs = new double[n], ms = new double[n], zs = new double[n];
        for (int i = 0; i < n; i++) {
            cs[i] = sumItem(comps, i);
            ms[i] = sumItem(r.map(), i);
            for (double[] d : r.dropped().values()) zs[i] += d[i];
        }
        Map<String, Object> audit = new LinkedHashMap<>();
        audit.put("base", base);
        audit.put("denoise", denoise.name().toLowerCase(java.util.Locale.ROOT));
        audit.put("zero_denominators", zeros.name().toLowerCase(java.util.Locale.ROOT));
        audit.put("cam_layer", e.layer());
        audit.put("fg_layer", target);
        audit.put("components_sum", cs);
        audit.put("map_sum", ms);
        audit.put("zero_denominator_mass", zs);
        return new Weights.Audited(new Weights.RawMap(r.map(), coef), audit);
    }

    private static double sumItem(Tensor t, int item) {
        int per = t.shape().itemSize();
        double s = 0;
        for (int i = item * per; i < (item + 1) * per; i++) s += t.data()[i];
        return s;
    }

    /** Manifest entries of one run of this method: what it computed (the explanation's audit). */
    public Map<String, Object> manifest(dev.candela.explain.Explanation e) { return e.audit(); }
}
