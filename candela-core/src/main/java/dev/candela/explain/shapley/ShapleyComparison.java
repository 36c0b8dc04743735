package dev.candela.explain.shapley;

import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explain.Target;
import dev.candela.explain.cam.CamMethod;
import dev.candela.explainer.CamMethods;
import dev.candela.explain.attribution.LiftCamMethod;
import dev.candela.run.Executor;
import dev.candela.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Audits channel-coefficient methods against Shapley values for one item: the coefficients of
 * LIFT-CAM, ShapleyCAM, LRP-CAM, LIME-CAM, Grad-CAM, Ablation-CAM and Score-CAM as Candela's CAM registry computes them, each compared
 * with the reference by cosine, Spearman and top-k overlap. The reference is exact up to
 * {@code maxExactMaps} maps and sampled (antithetic permutations, seeded) beyond.
 */
public final class ShapleyComparison {
    /** The methods audited by default. */
    public static final List<String> METHODS = List.of("lift-cam", "shapley-cam", "lrp-cam", "lime-cam", "grad-cam", "ablation-cam", "score-cam");

    /** The audit of one item. */
    public record Report(String layer, ShapleyEstimate reference, Map<String, double[]> coefficients,
                         Map<String, CoefficientAgreement> agreement, double liftCamCompletenessResidual) {}

    private final Executor executor;
    private final int maxExactMaps, pairs, batch, topK;
    private final long seed;

    public ShapleyComparison(Executor executor, int maxExactMaps, int pairs, long seed, int batch, int topK) {
        this.executor = executor;
        this.maxExactMaps = maxExactMaps;
        this.pairs = pairs;
        this.seed = seed;
        this.batch = batch;
        this.topK = topK;
    }

    public ShapleyComparison(Executor executor) { this(executor, 16, 64, 1234, 64, 5); }

    /**
     * @param input  one item [1, C, H, W]
     * @param layer  target-layer tensor name
     * @param target class index explained (its logit)
     */
    public Report compare(Tensor input, String layer, int target) {
        if (input.dim(0) != 1) throw new IllegalArgumentException("the Shapley audit explains one item, got a batch of " + input.dim(0));
        Tensor a = executor.forward(input, Set.of(layer)).get(layer);
        int classes = executor.graph().itemShape(executor.graph().output()).size();
        float[] w = new float[classes];
        w[target] = 1f;
        ShapleyReference ref = new ShapleyReference(executor, layer, batch);
        ShapleyEstimate shapley = a.dim(1) <= maxExactMaps ? ref.exact(a, Tensor.of(w, 1, classes)) : ref.sampled(a, Tensor.of(w, 1, classes), pairs, seed);
        Explainer ex = Explainer.of(executor);
        Explainer.Request req = Explainer.Request.defaults().layers(layer).targets(Target.classIndex(target));
        Map<String, double[]> coef = new LinkedHashMap<>();
        double residual = Double.NaN;
        var session = ex.session(input, req);
        for (String name : METHODS) {
            CamMethod m = CamMethods.byName(name);
            Explanation e = session.explain(m);
            double[] c = new double[e.coefficients().size()];
            for (int i = 0; i < c.length; i++) c[i] = e.coefficients().data()[i];
            coef.put(name, c);
            if (m instanceof LiftCamMethod) residual = ((double[]) e.audit().get("completeness_residual"))[0];
        }
        Map<String, CoefficientAgreement> agree = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : coef.entrySet()) agree.put(e.getKey(), CoefficientAgreement.of(e.getValue(), shapley.phi(), topK));
        return new Report(layer, shapley, coef, agree, residual);
    }
}
