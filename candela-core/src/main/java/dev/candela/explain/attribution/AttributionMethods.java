package dev.candela.explain.attribution;

import dev.candela.explain.Explanation;
import dev.candela.explain.TargetScore;
import dev.candela.explain.cam.LayerEvidence;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Pixel attribution methods by CLI name, and how one becomes an {@link Explanation}: the signed
 * attributions (R x C x H x W) plus the method's {@link PixelAttribution#display() display map}.
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
        Tensor maps = method.display().apply(attr);
        List<String> layers = method instanceof PixelAttribution.GuidedGradCam g ? List.of(g.layer()) : List.of();
        return new Explanation(method.name(), layers, maps, null, null, attr, e.logits(), new ArrayList<>(scores), System.nanoTime() - t0);
    }
}
