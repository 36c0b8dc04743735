package dev.candela.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.candela.image.Npy;
import dev.candela.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Quantus metrics whose values relate the images of a batch, against Quantus itself
 * (testdata/golden/quantus-batch, made by tools/make_quantus_batch_goldens.py, one Quantus call per case).
 * Sufficiency: a batch of 10 maps at thresholds 0.4, 0.6 (Quantus's default) and 0.7, and a batch with a pixel
 * that is 0 in every map (zero variance: Quantus gives 0 everywhere); ratios of small counts, tolerance 1e-9.
 * Sensitivity-n: the 4 images, maps and seeded CNN of testdata/golden/quantus, steps of 8 and 4 pixels, softmax
 * and logits, per-step correlations and their mean; tolerance 1e-4 (float32 scores in PyTorch).
 */
class QuantusBatchGoldenTest {
    static final Path DIR = Path.of("testdata/golden/quantus-batch");

    @Test void sufficiencyMatchesQuantus() throws Exception {
        JsonNode manifest = dev.candela.testkit.Goldens.manifest(DIR);
        double tol = manifest.get("tolerance").asDouble();
        int[] predicted = new int[manifest.get("predicted").size()];
        for (int i = 0; i < predicted.length; i++) predicted[i] = manifest.get("predicted").get(i).asInt();
        int checked = 0;
        for (Map.Entry<String, JsonNode> c : manifest.get("cases").properties()) {
            if (!c.getValue().get("metric").asText().equals("Sufficiency")) continue;
            Tensor maps = Npy.read(DIR.resolve(c.getValue().get("maps").asText()));
            List<float[]> list = new ArrayList<>();
            for (int i = 0; i < maps.dim(0); i++) list.add(maps.item(i).data());
            double[] got = QuantusMetrics.sufficiency(list, predicted, c.getValue().get("threshold").asDouble());
            JsonNode want = c.getValue().get("values");
            assertEquals(want.size(), got.length, c.getKey());
            for (int i = 0; i < got.length; i++) assertEquals(want.get(i).asDouble(), got[i], tol, c.getKey() + "[" + i + "]");
            checked++;
        }
        assertEquals(4, checked, "golden cases");
    }

    @Test void sensitivityNMatchesQuantus() throws Exception {
        JsonNode manifest = dev.candela.testkit.Goldens.manifest(DIR);
        Path q = Path.of("testdata/golden/quantus");
        JsonNode qm = dev.candela.testkit.Goldens.manifest(q);
        Tensor inputs = Npy.read(q.resolve("inputs.npy")), maps = Npy.read(q.resolve("maps.npy"));
        int[] targets = new int[inputs.dim(0)];
        for (int i = 0; i < targets.length; i++) targets[i] = qm.get("targets").get(i).asInt();
        dev.candela.run.Executor ex = new dev.candela.run.Executor(TinyCnn.load(q, "model.", dev.candela.tensor.Shape.of(inputs.dim(1), inputs.dim(2), inputs.dim(3)),
                dev.candela.graph.Preprocessing.unit()), dev.candela.run.ReferenceKernels.INSTANCE);
        MapBatch batch = new MapBatch(inputs, maps, targets);
        double tol = manifest.get("tolerance_sensitivity_n").asDouble(), worst = 0;
        int checked = 0;
        for (Map.Entry<String, JsonNode> c : manifest.get("cases").properties()) {
            if (!c.getValue().get("metric").asText().equals("SensitivityN")) continue;
            ModelScorer.Output out = c.getValue().get("softmax").asBoolean() ? ModelScorer.Output.SOFTMAX : ModelScorer.Output.LOGIT;
            double[] got = QuantusMetrics.sensitivityN(new ModelScorer(ex, out, 7), batch, c.getValue().get("step_pixels").asInt(),
                    QuantusMetrics.SENSITIVITY_N_MAX, 3);
            JsonNode want = c.getValue().get("per_step");
            assertEquals(want.size(), got.length, c.getKey() + " steps");
            for (int k = 0; k < got.length; k++) {
                worst = Math.max(worst, Math.abs(want.get(k).asDouble() - got[k]));
                assertEquals(want.get(k).asDouble(), got[k], tol, c.getKey() + "[" + k + "]");
            }
            assertEquals(c.getValue().get("aggregate").asDouble(), QuantusMetrics.mean(got), tol, c.getKey() + " mean");
            checked++;
        }
        assertEquals(4, checked, "sensitivity-n cases");
        System.out.printf("quantus golden sensitivity-n max |diff| %.3g%n", worst);
    }

    /** Invariance axiom: scaling every map by one positive constant changes no distance, so no value. */
    @Test void sufficiencyIgnoresAJointScale() throws Exception {
        Tensor maps = Npy.read(DIR.resolve("maps.npy"));
        int[] predicted = {0, 0, 1, 2, 1, 1, 3, 2, 2, 0};
        List<float[]> a = new ArrayList<>(), b = new ArrayList<>();
        for (int i = 0; i < maps.dim(0); i++) {
            float[] m = maps.item(i).data();
            a.add(m);
            float[] s = new float[m.length];
            for (int j = 0; j < m.length; j++) s[j] = m[j] * 4f; // a power of two: exact in float
            b.add(s);
        }
        double[] x = QuantusMetrics.sufficiency(a, predicted, 0.7), y = QuantusMetrics.sufficiency(b, predicted, 0.7);
        for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 0.0, "image " + i);
    }

    @Test void mismatchedInputsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> QuantusMetrics.sufficiency(List.of(new float[4]), new int[2], 0.6));
        assertThrows(IllegalArgumentException.class, () -> QuantusMetrics.sufficiency(List.of(new float[4], new float[5]), new int[2], 0.6));
    }
}
