package dev.candela.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.candela.metrics.DeletionInsertion.Curve;
import dev.candela.metrics.DeletionInsertion.Kind;
import dev.candela.metrics.ModelScorer.Output;
import dev.candela.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Our metrics against pytorch-grad-cam and TorchCAM run on the same model, inputs and maps
 * (testdata/golden/metrics, made by tools/make_metric_goldens.py). Tolerance: the manifest's 1e-4
 * (absolute), which covers float32 forward differences between PyTorch and our kernels.
 */
class MetricGoldenTest {
    final MetricGoldens g = new MetricGoldens();
    final MapBatch batch = g.batch();
    final Scorer softmax = new ModelScorer(g.executor(), Output.SOFTMAX, 4);
    final Scorer logit = new ModelScorer(g.executor(), Output.LOGIT, 4);

    void check(String golden, double[] actual) {
        float[] expected = g.tensor(golden).data();
        assertEquals(expected.length, actual.length, golden + " length");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        System.out.printf("golden %-40s max |diff| %.3g%n", golden, worst);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], g.tolerance(), golden + "[" + i + "]");
        }
    }

    void check(String golden, float[] actual) {
        double[] d = new double[actual.length];
        for (int i = 0; i < d.length; i++) d[i] = actual[i];
        check(golden, d);
    }

    @Test void modelLogitsAreFinite() {
        float[] s = logit.scores(batch.inputs(), batch.targets());
        for (float v : s) assertEquals(true, Float.isFinite(v));
    }

    @Test void dropInConfidenceMatchesPytorchGradCam() {
        check("pgc_drop_in_confidence_softmax", new AverageDrop(AverageDrop.Convention.PYTORCH_GRAD_CAM).evaluate(softmax, batch));
        check("pgc_drop_in_confidence_logit", new AverageDrop(AverageDrop.Convention.PYTORCH_GRAD_CAM).evaluate(logit, batch));
    }

    @Test void increaseInConfidenceMatchesPytorchGradCamAndTorchCam() {
        check("pgc_increase_in_confidence_softmax", new IncreaseInConfidence().evaluate(softmax, batch));
        check("pgc_increase_in_confidence_logit", new IncreaseInConfidence().evaluate(logit, batch));
        check("tc_conf_increase_softmax", new IncreaseInConfidence().evaluate(softmax, batch));
    }

    @Test void averageDropMatchesTorchCamClassificationMetric() {
        check("tc_avg_drop_softmax", new AverageDrop(AverageDrop.Convention.TORCHCAM).evaluate(softmax, batch));
        check("tc_avg_drop_logit", new AverageDrop(AverageDrop.Convention.TORCHCAM).evaluate(logit, batch));
    }

    @Test void roadMostRelevantFirstMatchesPytorchGradCam() {
        Road road = new Road(new NoisyLinearImputer(), g.replay("pgc_road_morf_80_softmax"));
        check("pgc_road_morf_80_softmax", road.at(Road.Order.MOST_RELEVANT_FIRST, 80, softmax, batch));
    }

    @Test void roadLeastRelevantFirstMatchesPytorchGradCam() {
        Road road = new Road(new NoisyLinearImputer(), g.replay("pgc_road_lerf_20_softmax"));
        check("pgc_road_lerf_20_softmax", road.at(Road.Order.LEAST_RELEVANT_FIRST, 20, softmax, batch));
    }

    @Test void roadCombinedMatchesPytorchGradCam() {
        Road road = new Road(new NoisyLinearImputer(), g.replay("pgc_road_combined_softmax"));
        check("pgc_road_combined_softmax", road.combined(Road.DEFAULT_PERCENTILES, softmax, batch));
        Road road2 = new Road(new NoisyLinearImputer(), g.replay("pgc_road_combined_logit"));
        check("pgc_road_combined_logit", road2.combined(new double[]{20, 40, 60, 80}, logit, batch));
    }

    @Test void imputerMatchesPytorchGradCamSparseSolve() {
        float[] map0 = batch.map(0);
        boolean[] keep = Road.keepMask(Road.Order.MOST_RELEVANT_FIRST, 50, map0);
        int c = batch.channels(), h = batch.height(), w = batch.width();
        float[] img = java.util.Arrays.copyOfRange(batch.inputData(), 0, c * h * w);
        float[] imputed = new NoisyLinearImputer(0).impute(img, c, h, w, keep, NoiseSource.seeded(0));
        float[] expected = g.tensor("road_imputed_p50_image0").data();
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], imputed[i], 1e-5, "imputed value " + i + " (tolerance 1e-5)");
    }

    @Test void deletionInsertionMatchTorchCam() {
        for (var e : new Object[][]{{softmax, "softmax"}, {logit, "logit"}}) {
            Scorer s = (Scorer) e[0];
            String kind = (String) e[1];
            DeletionInsertion tc = DeletionInsertion.torchCam(20).withChunk(8);
            Curve[] del = tc.curves(Kind.DELETION, s, batch);
            Curve[] ins = tc.curves(Kind.INSERTION, s, batch);
            float[] fr = g.tensor("tc_fractions").data();
            for (int j = 0; j < fr.length; j++) assertEquals(fr[j], del[0].fractions()[j], 1e-7, "fraction " + j);
            Tensor dc = g.tensor("tc_deletion_curve_" + kind), ic = g.tensor("tc_insertion_curve_" + kind);
            for (int i = 0; i < batch.size(); i++) {
                for (int j = 0; j < fr.length; j++) {
                    assertEquals(dc.get(i, j), del[i].scores()[j], g.tolerance(), kind + " deletion curve image " + i + " point " + j);
                    assertEquals(ic.get(i, j), ins[i].scores()[j], g.tolerance(), kind + " insertion curve image " + i + " point " + j);
                }
            }
            check("tc_deletion_auc_" + kind, tc.auc(Kind.DELETION).evaluate(s, batch));
            check("tc_insertion_auc_" + kind, tc.auc(Kind.INSERTION).evaluate(s, batch));
        }
    }

    @Test void riseKernelMatchesScipyGaussianFilter() {
        double[] k = Substrate.riseKernel(11, 5);
        float[] expected = g.tensor("rise_kernel_11_5").data();
        for (int i = 0; i < k.length; i++) assertEquals(expected[i], k[i], 1e-7, "kernel " + i + " (tolerance 1e-7)");
        Tensor blurred = Substrate.riseBlur().apply(batch.inputs());
        float[] eb = g.tensor("rise_blurred_inputs").data();
        for (int i = 0; i < eb.length; i++) assertEquals(eb[i], blurred.data()[i], 1e-5, "blurred " + i + " (tolerance 1e-5)");
    }

    @Test void riseCurvesMatchRestatedRiseLoop() {
        for (int step : new int[]{16, 37}) {
            DeletionInsertion rise = DeletionInsertion.rise(step).withChunk(5);
            for (var kind : Kind.values()) {
                String k = kind == Kind.DELETION ? "del" : "ins";
                Curve[] cs = rise.curves(kind, softmax, batch);
                Tensor expected = g.tensor("rise_" + k + "_curve_step" + step);
                for (int i = 0; i < batch.size(); i++) {
                    for (int j = 0; j < expected.dim(1); j++) {
                        assertEquals(expected.get(i, j), cs[i].scores()[j], g.tolerance(), "RISE " + k + " step " + step + " image " + i + " point " + j);
                    }
                }
                check("rise_" + k + "_auc_step" + step, rise.auc(kind).evaluate(softmax, batch));
            }
        }
    }
}
