package dev.candela.explain.lrp;

import dev.candela.explain.Explanation;
import dev.candela.explain.TargetScore;
import dev.candela.explain.cam.LayerEvidence;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * LRP as a pixel attribution ({@code --method lrp --rule R | --composite C}): signed relevance at the input
 * (R x C x H x W, written as lrp.attr.npy) and the signed channel sum as the display map. Batch norm is merged
 * into the preceding conv first (zennit's canonizer) unless {@code mergeBatchNorm} is false, in which case
 * the composite's batch-norm rule applies (Pass for zennit composites, epsilon for Captum's).
 */
public record LrpMethod(Composite composite, boolean mergeBatchNorm) {

    public String name() { return "lrp"; }

    /** Relevance sums to the score: the signed channel sum, min-max. */
    public dev.candela.explain.display.DisplayMap.Pixels display() { return dev.candela.explain.display.DisplayMap.SIGNED_SUM; }

    public Explanation explain(LayerEvidence e, List<TargetScore> scores) {
        long t0 = System.nanoTime();
        Executor ex = mergeBatchNorm ? e.executor().withModel(BatchNormMerge.merge(e.model())) : e.executor();
        Activations fwd = mergeBatchNorm ? ex.forward(e.input()) : e.forward();
        Tensor logits = fwd.get(Lrp.logits(ex.graph()));
        Tensor attr = new Lrp(ex, composite).relevance(fwd, Lrp.seed(e.targets(), logits), ex.graph().input(), null);
        return new Explanation(name(), List.of(), display().apply(attr), null, null, attr, e.logits(), scores, System.nanoTime() - t0);
    }

    /** Manifest entries: the rule per op class and the batch-norm treatment. */
    public Map<String, Object> manifest() {
        return Map.of("composite", composite.name(),
                "rules", Map.of("first_conv", composite.firstConv().toString(), "conv", composite.conv().toString(), "dense", composite.dense().toString(),
                        "avg_pool_and_gap", composite.pooling().toString(), "residual_add", composite.sum().toString(),
                        "max_pool", composite.maxPool().toString()),
                "batch_norm", mergeBatchNorm ? "merged into the preceding conv" : composite.batchNorm().toString(),
                "seed", "relevance y_c on the target logit (weighted targets: w_j y_j)");
    }
}
