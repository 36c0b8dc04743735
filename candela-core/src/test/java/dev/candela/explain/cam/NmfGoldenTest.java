package dev.candela.explain.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.candela.image.Npy;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Nmf} against scikit-learn 1.2.1's {@code NMF(init='random', random_state=0)} alone
 * (tools/make_dff_goldens.py, nmf_cases) on 512 x 49 (ResNet-18 layer4's size) and 64 x 196 matrices of
 * ReLU'd normal draws regenerated here from NumPy's RandomState. Neither converges within 200 sweeps (the
 * worst case for rounding carried along). Tolerance: W and H abs 1e-5 + rel 1e-4 of max |golden|; iteration
 * count exact. Measured on this machine: 8.7e-6 at most (scale 1.7 to 2.1).
 */
class NmfGoldenTest {
    static final Path DIR = Path.of("testdata/golden/dff");

    static Stream<Arguments> cases() {
        return dev.candela.testkit.Goldens.cases(DIR, "nmf_cases", c -> c.get("samples").asInt() + "x" + c.get("features").asInt() + " n=" + c.get("components").asInt());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesScikitLearn(String label, JsonNode c) throws IOException {
        int k = c.get("samples").asInt(), p = c.get("features").asInt(), n = c.get("components").asInt();
        LegacyRandomState rng = new LegacyRandomState(c.get("seed").asLong());
        float[] x = new float[k * p];
        for (int i = 0; i < x.length; i++) x[i] = Math.max((float) rng.standardNormal(), 0f);
        Nmf.Result r = Nmf.fit(x, k, p, n, 0, 1e-4, 200);
        assertEquals(c.get("nmf_iterations").asInt(), r.iterations(), label + " iterations");
        close(Npy.read(DIR.resolve(c.get("w").asText())), r.w(), label + " W");
        close(Npy.read(DIR.resolve(c.get("h").asText())), r.h(), label + " H");
    }

    private static void close(Tensor golden, float[] actual, String what) {
        assertEquals(golden.size(), actual.length, what + ": size");
        double scale = 0, worst = 0;
        for (float v : golden.data()) scale = Math.max(scale, Math.abs(v));
        double tol = 1e-5 + 1e-4 * scale;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs(golden.data()[i] - actual[i]);
            worst = Math.max(worst, d);
            assertTrue(d <= tol, what + ": element " + i + " golden " + golden.data()[i] + " candela " + actual[i] + " (tol " + tol + ")");
        }
        System.out.printf("%s: max |diff| %.3g (scale %.3g, tol %.3g)%n", what, worst, scale, tol);
    }
}
