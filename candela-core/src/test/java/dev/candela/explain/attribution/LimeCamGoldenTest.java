package dev.candela.explain.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.candela.explain.Explanation;
import dev.candela.explainer.Method;
import dev.candela.explainer.Methods;
import dev.candela.explain.Noise;
import dev.candela.explain.Target;
import dev.candela.explain.cam.CamOptions;
import dev.candela.explain.cam.CamSession;
import dev.candela.explain.cam.LimeCam;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
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
 * LIME-CAM against the LIFT-CAM authors' lime_cam on Captum 0.4.0 and scikit-learn's Lasso
 * (tools/make_limecam_goldens.py), on the seeded models of tools/make_attribution_goldens.py. The reference
 * draws its coalitions from torch's RNG, so the recorded coalitions are replayed: once straight into
 * {@link LimeCam#fit} and once as the session's noise through the registered method (a uniform below 1/2
 * keeps a channel). Tolerances: head scores rel 1e-5 of max |golden|, kernel weights abs 1e-6, Lasso
 * coefficients and intercept abs 1e-5 of max |golden coefficient| (same sweeps, same stopping rule: only
 * rounding differs), the same number of sweeps, raw map abs 1e-4 of max |golden|, final map abs 1e-4.
 */
class LimeCamGoldenTest {
    static final Path DIR = Path.of("testdata/golden/limecam"), ATTR = Path.of("testdata/golden/attribution");

    static Stream<Arguments> cases() {
        return dev.candela.testkit.Goldens.cases(DIR, "cases", c -> c.get("model").asText() + " " + c.get("item").asInt() + " " + c.get("kind").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheAuthorsLimeCam(String label, JsonNode c) throws IOException {
        String model = c.get("model").asText();
        Model m = GoldenModels.named(model);
        Executor ex = new Executor(m, ReferenceKernels.INSTANCE);
        int item = c.get("item").asInt();
        Tensor x = Npy.read(ATTR.resolve("x.npy")).slice(item, item + 1);
        int k = c.get("channels").asInt(), n = c.get("samples").asInt();
        Tensor zt = Npy.read(DIR.resolve(c.get("coalitions").asText()));
        boolean[][] z = new boolean[n][k];
        List<float[]> replay = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            float[] u = new float[k];
            for (int j = 0; j < k; j++) {
                z[s][j] = zt.data()[s * k + j] != 0;
                u[j] = z[s][j] ? 0.25f : 0.75f;
            }
            replay.add(u);
        }
        String spec = c.get("kind").asText().equals("official") ? "lime-cam"
                : "lime-cam(n-samples=" + n + ",kernel-width=" + c.get("kernel_width").asDouble() + ",alpha=" + c.get("alpha").asDouble() + ")";
        Method method = Methods.parse(List.of(spec), Methods.Defaults.none(), m).get(0);
        LimeCam lime = (LimeCam) ((Method.Cam) method).cam();
        Activations fwd = ex.forward(x);
        String layer = GoldenModels.tensor(model, c.get("layer").asText());
        CamSession session = new CamSession(ex, x, fwd, Target.resolve(List.of(Target.classIndex(c.get("class").asInt())), m, fwd.output()),
                List.of(new dev.candela.graph.LayerNames(m.graph()).ofTensor(layer)), CamOptions.defaults().withNoise(Noise.replay(replay)));

        SampledGoldenTest.assertClose(Npy.read(DIR.resolve(c.get("activation").asText())), fwd.get(layer), 1e-6, 1e-5, label + " activation");
        LimeCam.Row row = lime.fit(session.evidence().get(0), z).get(0);
        double[] y = Npy.readDoubles(DIR.resolve(c.get("scores").asText())), w = Npy.readDoubles(DIR.resolve(c.get("weights").asText()));
        double[] coef = Npy.readDoubles(DIR.resolve(c.get("coefficients").asText()));
        close(y, row.scores(), 1e-5 * maxAbs(y), label + " head scores");
        close(w, row.weights(), 1e-6, label + " kernel weights");
        double tol = 1e-5 * maxAbs(coef);
        close(coef, row.coefficients(), tol, label + " Lasso coefficients");
        close(new double[]{c.get("intercept").asDouble()}, new double[]{row.intercept()}, tol, label + " Lasso intercept");
        assertEquals(c.get("lasso_iterations").asInt(), row.iterations(), label + ": coordinate-descent sweeps");

        Explanation e = method.explain(session);
        Tensor rawGolden = Npy.read(DIR.resolve(c.get("raw_map").asText()));
        // the pipeline's raw map is the signed sum; the authors' raw map is after the ReLU
        Tensor raw = e.rawMaps();
        float[] relu = new float[raw.size()];
        for (int i = 0; i < relu.length; i++) relu[i] = Math.max(0f, raw.data()[i]);
        SampledGoldenTest.assertClose(rawGolden, new Tensor(raw.shape(), relu), 0, 1e-4, label + " raw map");
        SampledGoldenTest.assertClose(Npy.read(DIR.resolve(c.get("map").asText())), e.maps(), 1e-4, 0, label + " map");
    }

    static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    static void close(double[] golden, double[] actual, double tol, String what) {
        assertEquals(golden.length, actual.length, what + ": size");
        double worst = 0;
        for (int i = 0; i < golden.length; i++) {
            double d = Math.abs(golden[i] - actual[i]);
            worst = Math.max(worst, d);
            assertTrue(d <= tol, what + ": element " + i + " golden " + golden[i] + " candela " + actual[i] + " (tol " + tol + ")");
        }
        System.out.printf("%s: max |diff| %.3g (tol %.3g)%n", what, worst, tol);
    }
}
