package dev.candela.explain.attribution;

import dev.candela.explain.ResolvedTarget;
import dev.candela.explain.cam.CamMethod;
import dev.candela.explain.cam.LayerEvidence;
import dev.candela.explain.cam.Weights;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LIFT-CAM in the CAM registry ("lift-cam"): the coefficients are {@link LiftCam}'s phi; its display
 * policy is the authors' order: ReLU, bilinear resize, then min-max. The full result (phi, Y^c,
 * F^c(0), completeness residual) travels in the explanation's audit.
 */
public record LiftCamMethod(DeepLiftOptions options) implements CamMethod {
    public LiftCamMethod() { this(DeepLiftOptions.captum()); }

    @Override public String name() { return "lift-cam"; }

    /** The authors' code: ReLU at feature resolution, bilinear upsampling, then min-max. */
    @Override public dev.candela.explain.display.DisplayMap.Layered display() { return dev.candela.explain.display.DisplayMap.LIFT_CAM_AUTHORS; }

    @Override public Weights weights(LayerEvidence e) {
        LiftCamResult r = compute(e);
        int rows = r.phi().length, k = rows == 0 ? 0 : r.phi()[0].length;
        float[] c = new float[rows * k];
        for (int i = 0; i < rows; i++) for (int j = 0; j < k; j++) c[i * k + j] = (float) r.phi()[i][j];
        return new Weights.Audited(new Weights.PerChannel(new Tensor(Shape.of(rows, k), c)), manifest(r));
    }

    /** The full LIFT-CAM result for this evidence (computed again; an explanation carries it as its audit). */
    public LiftCamResult audit(LayerEvidence e) { return compute(e); }

    /** Manifest entries: per row phi_0 = F^c(0), Y^c, the completeness residual; phi is the weights file. */
    private Map<String, Object> manifest(LiftCamResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reference", "zero maps at the target layer; head run on (A, 0) as one batch");
        m.put("max_pool_rule", options.maxPool().name().toLowerCase(java.util.Locale.ROOT));
        m.put("eps", options.eps());
        m.put("score", r.score());
        m.put("zero_score", r.zeroScore());
        m.put("completeness_residual", r.residual());
        m.put("phi", r.phi());
        return m;
    }

    private LiftCamResult compute(LayerEvidence e) {
        Tensor a = e.activations();
        return new LiftCam(e.executor(), options).fromActivation(a, e.layer(), targetWeights(e.targets(), e.logits().shape().itemSize()), 0, 0);
    }

    /** The targets as weights over the logits; LIFT-CAM (DeepLIFT) explains logits or their weighted sums. */
    static Tensor targetWeights(List<ResolvedTarget> targets, int classes) {
        float[] w = new float[targets.size() * classes];
        for (int r = 0; r < targets.size(); r++) {
            double[] lw = targets.get(r).objective().logitWeights(classes, "DeepLIFT (and the pixel attributions)", targets.get(r).description());
            for (int j = 0; j < classes; j++) w[r * classes + j] = (float) lw[j];
        }
        return Tensor.of(w, targets.size(), classes);
    }
}
