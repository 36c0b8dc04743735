package dev.candela.explain.shapley;

import dev.candela.explain.attribution.LiftCam;
import dev.candela.explain.attribution.LiftCamResult;
import dev.candela.run.Executor;
import dev.candela.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Audits channel-coefficient methods against Shapley values for one item: LIFT-CAM, Grad-CAM,
 * Ablation-CAM and Score-CAM coefficients, each compared with the reference by cosine, Spearman and
 * top-k overlap. The reference is exact up to {@code maxExactMaps} maps and sampled beyond.
 */
public final class ShapleyComparison {

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

    /** @param input one item [1, C, H, W]; @param target [1, outputs] */
    public Report compare(Tensor input, String layer, Tensor target) {
        Tensor a = executor.forward(input, Set.of(layer)).get(layer);
        ShapleyReference ref = new ShapleyReference(executor, layer, batch);
        ShapleyEstimate shapley = a.dim(1) <= maxExactMaps ? ref.exact(a, target) : ref.sampled(a, target, pairs, seed);
        LiftCamResult lift = new LiftCam(executor).fromActivation(a, layer, target, input.dim(2), input.dim(3));
        Map<String, double[]> coef = new LinkedHashMap<>();
        coef.put("lift-cam", lift.phi()[0]);
        coef.put("grad-cam", BaselineCoefficients.gradCam(executor, input, layer, target));
        coef.put("ablation-cam", BaselineCoefficients.ablationCam(executor, a, layer, target, batch));
        coef.put("score-cam", BaselineCoefficients.scoreCam(executor, input, layer, target, batch));
        Map<String, CoefficientAgreement> agree = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : coef.entrySet()) agree.put(e.getKey(), CoefficientAgreement.of(e.getValue(), shapley.phi(), topK));
        return new Report(layer, shapley, coef, agree, lift.residual()[0]);
    }
}
