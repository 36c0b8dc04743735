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
 * Sufficiency against Quantus itself: one Quantus call over a batch of 10 maps (testdata/golden/quantus-batch,
 * made by tools/make_quantus_batch_goldens.py) at thresholds 0.4, 0.6 (Quantus's default) and 0.7, and a batch
 * with a pixel that is 0 in every map (zero variance: Quantus gives 0 everywhere). The values are ratios of
 * small counts, so the tolerance is 1e-9.
 */
class QuantusSufficiencyGoldenTest {
    static final Path DIR = Path.of("testdata/golden/quantus-batch");

    @Test void sufficiencyMatchesQuantus() throws Exception {
        JsonNode manifest = new ObjectMapper().readTree(DIR.resolve("manifest.json").toFile());
        double tol = manifest.get("tolerance").asDouble();
        int[] predicted = new int[manifest.get("predicted").size()];
        for (int i = 0; i < predicted.length; i++) predicted[i] = manifest.get("predicted").get(i).asInt();
        int checked = 0;
        for (Map.Entry<String, JsonNode> c : manifest.get("cases").properties()) {
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
