package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.explain.cam.CamOptions;
import dev.candela.explain.shapley.ShapleyReference;
import dev.candela.explainer.Methods;
import dev.candela.graph.GraphBuilder;
import dev.candela.graph.Model;
import dev.candela.metrics.Evaluation;
import dev.candela.metrics.MapFunction;
import dev.candela.metrics.MetricSet;
import dev.candela.metrics.ModelScorer;
import dev.candela.metrics.Sample;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The shapley-* metrics of evaluate: how close each method's channel coefficients come to the layer's
 * Shapley values (exact here: 6 maps, 64 coalitions), per image.
 */
class ShapleyClosenessTest {
    static final List<String> METRICS = List.of("shapley-rel-error", "shapley-spearman", "shapley-ref-se");
    static final List<String> METHODS = List.of("lift-cam", "shapley-cam", "lime-cam", "lrp-cam", "grad-cam");

    /** conv, ReLU ("feat", 6 maps), global average pool, then a linear head or a two-layer ReLU head. */
    static Model model(long seed, boolean linearHead) {
        GraphBuilder b = new GraphBuilder("input", Shape.of(3, 8, 8), seed);
        String x = b.conv("conv1", "input", 6, 3, 1, 1);
        x = b.relu("feat", x);
        x = b.globalAvgPool("gap", x);
        x = b.flatten("flat", x);
        if (!linearHead) {
            x = b.linear("fc1", x, 8);
            x = b.relu("fc1.relu", x);
        }
        b.linear("logits", x, 4);
        return b.build("logits");
    }

    /** Per image and method: metric to value. */
    static Map<String, Map<String, Double>> closeness(long seed, boolean linearHead, int images) {
        Model m = model(seed, linearHead);
        Executor ex = new Executor(m, ReferenceKernels.INSTANCE);
        Random r = new Random(seed);
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            float[] d = new float[3 * 8 * 8];
            for (int k = 0; k < d.length; k++) d[k] = (float) r.nextGaussian();
            samples.add(new Sample("img" + i, Tensor.of(d, 1, 3, 8, 8), i % 4, List.of()));
        }
        Map<String, MapFunction> fns = EvaluateCommand.methodFunctions(Methods.parse(METHODS, Methods.Defaults.none(), m), List.of("feat"),
                CamOptions.defaults().withSeed(seed), seed);
        Evaluation.Result res = new Evaluation(ex, new ModelScorer(ex, ModelScorer.Output.SOFTMAX, 64), new MetricSet(8, 10, new double[]{50}, 1, seed),
                METRICS, fns).withShapley(ShapleyReference.source(12, 8, seed, 64)).run(samples, null);
        Map<String, Map<String, Double>> out = new HashMap<>();
        for (Evaluation.Row row : res.rows()) out.computeIfAbsent(row.image() + "/" + row.method(), k -> new HashMap<>()).put(row.metric(), row.value());
        return out;
    }

    /**
     * Axiom: on a linear head after global average pooling the target logit is affine in the maps, so each
     * map's Shapley value is w_k mean(A_k), which is LIFT-CAM's coefficient: relative L2 error 0 (float
     * rounding: below 1e-5), rank correlation 1, and the exact reference has no standard error.
     */
    @Test
    void liftCamCoefficientsAreTheExactShapleyValuesOnALinearHeadAfterGap() {
        for (long seed = 1; seed <= 3; seed++) {
            Map<String, Map<String, Double>> c = closeness(seed, true, 3);
            for (int i = 0; i < 3; i++) {
                Map<String, Double> lift = c.get("img" + i + "/lift-cam");
                assertTrue(lift != null, "lift-cam scored, seed " + seed);
                assertTrue(lift.get("shapley-rel-error") < 1e-5, "seed " + seed + " img" + i + ": lift-cam relative error " + lift.get("shapley-rel-error"));
                assertEquals(0, lift.get("shapley-ref-se"), 0, "exact reference, seed " + seed);
                // every channel-coefficient method gets a per-image closeness
                for (String m : METHODS) {
                    Map<String, Double> v = c.get("img" + i + "/" + m);
                    assertTrue(v != null && v.keySet().containsAll(METRICS), "seed " + seed + ": " + m + " has the shapley-* rows: " + v);
                    assertTrue(Double.isFinite(v.get("shapley-rel-error")), "seed " + seed + ": " + m + " " + v);
                }
            }
        }
    }

    /** Grad-CAM's coefficients are mean gradients, not Shapley values: on a ReLU head its error is far from 0. */
    @Test
    void gradCamCoefficientsAreNotTheShapleyValuesOnANonlinearHead() {
        for (long seed = 1; seed <= 3; seed++) {
            Map<String, Map<String, Double>> c = closeness(seed, false, 3);
            for (int i = 0; i < 3; i++) {
                double e = c.get("img" + i + "/grad-cam").get("shapley-rel-error");
                assertTrue(e > 1e-2, "seed " + seed + " img" + i + ": grad-cam relative error " + e);
            }
        }
    }
}
