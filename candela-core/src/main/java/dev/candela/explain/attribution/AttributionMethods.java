package dev.candela.explain.attribution;

import dev.candela.explain.Explanation;
import dev.candela.explain.TargetScore;
import dev.candela.explain.cam.LayerEvidence;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Pixel attribution methods by CLI name, and how one becomes an {@link Explanation}: the signed
 * attributions (R x C x H x W) plus a display map, |sum over channels| min-max normalised per row.
 */
public final class AttributionMethods {
    private AttributionMethods() {}

    public static List<String> names() { return PixelAttribution.names(); }

    public static boolean has(String name) { return names().contains(name.trim().toLowerCase(java.util.Locale.ROOT)); }

    /** A method with default settings; {@code layer} is the Grad-CAM layer of guided-grad-cam. */
    public static PixelAttribution byName(String name, String layer) {
        return byName(name, layer, AttributionSettings.defaults());
    }

    public static PixelAttribution byName(String name, String layer, AttributionSettings settings) {
        return PixelAttribution.byName(name.trim().toLowerCase(java.util.Locale.ROOT), layer, settings);
    }

    /**
     * Per row, sum(attributions) - (score(x) - score(x0)) for the methods that claim completeness
     * against a reference (DeepLIFT, Integrated Gradients); null for the others.
     */
    public static double[] convergenceDelta(PixelAttribution method, LayerEvidence e, Tensor attr) {
        Reference ref = switch (method) {
            case PixelAttribution.DeepLiftAttribution d -> d.reference();
            case PixelAttribution.IntegratedGradients ig -> ig.baseline();
            default -> null;
        };
        if (ref == null) return null;
        Tensor w = LiftCamMethod.targetWeights(e.targets(), e.logits().shape().itemSize());
        Tensor x0 = ref.of(e.input());
        double[] y = TargetWeights.score(e.executor().forward(e.input(), java.util.Set.of()).output(), w);
        double[] y0 = TargetWeights.score(e.executor().forward(x0, java.util.Set.of()).output(), w);
        double[] sums = PairedBatch.itemSums(attr);
        double[] d = new double[sums.length];
        for (int i = 0; i < d.length; i++) d[i] = sums[i] - (y[i] - y0[i]);
        return d;
    }

    /** Runs a method on the rows of a CAM session's evidence (one row per resolved target). */
    public static Explanation explain(PixelAttribution method, LayerEvidence e, List<TargetScore> scores) {
        long t0 = System.nanoTime();
        Tensor w = LiftCamMethod.targetWeights(e.targets(), e.logits().shape().itemSize());
        Tensor attr = method.attribute(e.executor(), e.input(), w);
        Tensor maps = displayMaps(attr);
        List<String> layers = method instanceof PixelAttribution.GuidedGradCam g ? List.of(g.layer()) : List.of();
        return new Explanation(method.name(), layers, maps, null, null, attr, e.logits(), new ArrayList<>(scores), System.nanoTime() - t0);
    }

    /** |sum_c attr| per pixel, min-max normalised per row (a constant map becomes zeros): R x H x W in [0,1]. */
    public static Tensor displayMaps(Tensor attr) {
        int r = attr.dim(0), c = attr.dim(1), h = attr.dim(2), w = attr.dim(3), hw = h * w;
        float[] out = new float[r * hw];
        for (int n = 0; n < r; n++) {
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < hw; i++) {
                double s = 0;
                for (int ch = 0; ch < c; ch++) s += attr.data()[(n * c + ch) * hw + i];
                float v = (float) Math.abs(s);
                out[n * hw + i] = v;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            for (int i = 0; i < hw; i++) out[n * hw + i] = hi > lo ? (out[n * hw + i] - lo) / (hi - lo) : 0f;
        }
        return Tensor.of(out, r, h, w);
    }
}
