package dev.candela.explain.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explain.Noise;
import dev.candela.explain.Target;
import dev.candela.explain.cam.AblationCam;
import dev.candela.explain.cam.CamMethod;
import dev.candela.explainer.CamMethods;
import dev.candela.explain.cam.CamOptions;
import dev.candela.explain.cam.IsCam;
import dev.candela.explain.cam.SmoothGradCamPlusPlus;
import dev.candela.explain.cam.SsCam;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Parity with the reference libraries, from goldens produced by tools/make_cam_goldens.py running
 * pytorch-grad-cam (testdata/golden/cam) and TorchCAM (testdata/golden/torchcam) on ONNX models.
 * Tolerances (from the manifests, stated here too): final maps within 1e-4 absolute; per-channel
 * coefficients and raw maps within 1e-4 relative to the largest golden magnitude.
 */
class CamGoldenTest {
    static final double MAP_ATOL = 1e-4, WEIGHTS_RTOL = 1e-4, RAW_RTOL = 1e-4;
    static final Path ROOT = Path.of(System.getProperty("candela.root", "."));
    private static final Map<String, Model> MODELS = new HashMap<>();

    @TestFactory
    Stream<DynamicTest> pytorchGradCam() throws Exception {
        return cases("cam").map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> checkPgc(c)));
    }

    @TestFactory
    Stream<DynamicTest> torchCam() throws Exception {
        return cases("torchcam").map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> checkTorchCam(c)));
    }

    /** Group-CAM against its official code (tools/make_groupcam_goldens.py), final maps within 1e-4 absolute. */
    @TestFactory
    Stream<DynamicTest> groupCam() throws Exception {
        return cases("groupcam").map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> checkGroupCam(c)));
    }

    private void checkGroupCam(JsonNode c) throws Exception {
        Path dir = ROOT.resolve("testdata/golden/groupcam");
        Model m = model(c.get("model"));
        Tensor x = read(dir, c.get("input").get("file").asText());
        Explanation e;
        try (Explainer ex = Explainer.of(m)) {
            e = ex.explain(x, CamMethods.byName("group-cam"), Explainer.Request.defaults().layers(layers(c)).targets(targets(c)));
        }
        double d = maxAbs(e.maps(), read(dir, c.get("arrays").get("map").get("file").asText()));
        double gain = 0;
        for (float v : e.coefficients().data()) gain = Math.max(gain, Math.abs(v));
        // Group-CAM's scores are differences of float32 softmax probabilities in the reference; when the
        // largest gain is small, their rounding (~1e-7) is a visible fraction of the map: allow for it.
        double tol = Math.max(MAP_ATOL, 1e-7 / gain);
        assertTrue(d <= tol, c.get("name").asText() + ": final map differs by " + d + " > " + tol + " (largest score gain " + gain + ")");
    }

    private static Stream<JsonNode> cases(String suite) throws Exception {
        Path manifest = ROOT.resolve("testdata/golden/" + suite + "/manifest.json");
        List<JsonNode> out = new ArrayList<>();
        String filter = System.getProperty("candela.golden.filter", "");
        dev.candela.testkit.Goldens.manifest(manifest.getParent()).get("cases").forEach(c -> {
            if (c.get("name").asText().contains(filter)) out.add(c);
        });
        return out.stream();
    }

    /** Models are read by the format package's loader (looked up reflectively so this test compiles before it lands). */
    static synchronized Model model(JsonNode ref) {
        String file = ref.get("file").asText();
        return MODELS.computeIfAbsent(file, f -> {
            Path p = ROOT.resolve(f);
            Assumptions.assumeTrue(Files.exists(p), "model " + p + " is absent (../shared not mounted?)");
            try {
                Class<?> c = Class.forName("dev.candela.format.ModelFiles");
                return (Model) c.getMethod("load", Path.class).invoke(null, p);
            } catch (ClassNotFoundException e) {
                Assumptions.abort("no model loader (dev.candela.format.ModelFiles) in this build");
                return null;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("loading " + p + ": " + e.getCause(), e.getCause());
            }
        });
    }

    private static Tensor read(Path dir, String file) throws Exception {
        return Npy.read(dir.resolve(file));
    }

    private static List<Target> targets(JsonNode c) {
        List<Target> ts = new ArrayList<>();
        c.get("targets").forEach(t -> ts.add(Target.classIndex(t.asInt())));
        return ts;
    }

    private static String[] layers(JsonNode c) {
        List<String> ls = new ArrayList<>();
        c.get("layers").forEach(l -> ls.add(l.get("onnx_tensor").asText()));
        return ls.toArray(String[]::new);
    }

    private void checkPgc(JsonNode c) throws Exception {
        Path dir = ROOT.resolve("testdata/golden/cam");
        Model m = model(c.get("model"));
        Tensor x = read(dir, c.get("input").get("file").asText());
        String method = c.get("method").asText();
        JsonNode opt = c.get("options");
        JsonNode arrays = c.get("arrays");
        int batch = opt.has("batch_size") ? opt.get("batch_size").asInt() : method.equals("ablation-cam") ? 32 : 16;
        CamOptions o = CamOptions.defaults().withBatchSize(batch)
                .withAugSmooth(opt.path("aug_smooth").asBoolean(false))
                .withEigenSmooth(opt.path("eigen_smooth").asBoolean(false));
        CamMethod cm = CamMethods.byName(method);
        if (method.equals("ablation-cam") && opt.has("ratio_channels_to_ablate")) cm = new AblationCam(opt.get("ratio_channels_to_ablate").asDouble());
        if (method.equals("random-cam")) o = o.withNoise(Noise.replay(List.of(read(dir, arrays.get("weights").get("file").asText()).data())));
        Explanation e;
        try (Explainer ex = Explainer.of(m)) {
            e = ex.explain(x, cm, Explainer.Request.defaults().layers(layers(c)).targets(targets(c)).options(o));
        }
        String name = c.get("name").asText();
        Tensor golden = read(dir, arrays.get("map").get("file").asText());
        Tensor mine = subsample(e.maps(), arrays.get("map"));
        boolean eigen = arrays.has("map_sign_flipped");
        double d = maxAbs(mine, golden);
        if (eigen && d > MAP_ATOL) {
            // The sign of a principal component is arbitrary (PGC's is LAPACK's), per image: each image's
            // map must match PGC's map or the map PGC gives for the opposite sign.
            Tensor flipped = read(dir, arrays.get("map_sign_flipped").get("file").asText());
            d = 0;
            for (int r = 0; r < mine.dim(0); r++) d = Math.max(d, Math.min(maxAbs(mine.item(r), golden.item(r)), maxAbs(mine.item(r), flipped.item(r))));
        }
        assertTrue(d <= MAP_ATOL, name + ": final map differs by " + d + " > " + MAP_ATOL);
        boolean multi = c.get("layers").size() > 1 || opt.path("aug_smooth").asBoolean(false);
        if (arrays.has("weights") && !multi && e.coefficients() != null) {
            double r = relDiff(e.coefficients(), read(dir, arrays.get("weights").get("file").asText()));
            assertTrue(r <= WEIGHTS_RTOL, name + ": coefficients differ by " + r + " (relative to max) > " + WEIGHTS_RTOL);
        }
        if (arrays.has("raw") && arrays.get("raw").has("file") && !multi && e.rawMaps() != null) {
            Tensor g = read(dir, arrays.get("raw").get("file").asText());
            double r = relDiff(e.rawMaps(), g);
            if (eigen) {
                r = 0;
                for (int n = 0; n < g.dim(0); n++) r = Math.max(r, Math.min(relDiff(e.rawMaps().item(n), g.item(n)), relDiffNegated(e.rawMaps().item(n), g.item(n))));
            }
            assertTrue(r <= RAW_RTOL, name + ": raw map differs by " + r + " (relative to max) > " + RAW_RTOL);
        }
    }

    private void checkTorchCam(JsonNode c) throws Exception {
        Path dir = ROOT.resolve("testdata/golden/torchcam");
        Model m = model(c.get("model"));
        Tensor x = read(dir, c.get("input").get("file").asText());
        String method = c.get("method").asText();
        JsonNode opt = c.get("options"), arrays = c.get("arrays");
        CamOptions o = CamOptions.defaults().withBatchSize(opt.path("batch_size").asInt(32));
        CamMethod cm;
        switch (method) {
            case "ss-cam" -> {
                cm = new SsCam(opt.get("num_samples").asInt(), opt.get("std").asDouble());
                Tensor noise = read(dir, arrays.get("noise").get("file").asText());
                int plane = x.dim(2) * x.dim(3);
                o = o.withNoise(Noise.replay(split(noise, plane)));
            }
            case "is-cam" -> cm = new IsCam(opt.get("num_samples").asInt());
            case "smooth-grad-cam++" -> {
                cm = new SmoothGradCamPlusPlus(opt.get("num_samples").asInt(), opt.get("std").asDouble(), false);
                o = o.withNoise(Noise.replay(split(read(dir, arrays.get("noise").get("file").asText()), x.size())));
            }
            default -> throw new IllegalStateException("unexpected TorchCAM method " + method);
        }
        Explanation e;
        try (Explainer ex = Explainer.of(m)) {
            e = ex.explain(x, cm, Explainer.Request.defaults().layers(layers(c)).targets(targets(c)).options(o));
        }
        String name = c.get("name").asText();
        double r = relDiff(e.coefficients(), read(dir, arrays.get("weights").get("file").asText()));
        assertTrue(r <= WEIGHTS_RTOL, name + ": coefficients differ by " + r + " (relative to max) > " + WEIGHTS_RTOL);
        // TorchCAM's map is at feature resolution: ReLU then (x - min) / (max(x - min) + 1e-8) of our raw map
        Tensor tc = torchCamNormalise(e.rawMaps());
        double d = maxAbs(tc, read(dir, arrays.get("map").get("file").asText()));
        assertTrue(d <= MAP_ATOL, name + ": feature-resolution map differs by " + d + " > " + MAP_ATOL);
    }

    static List<float[]> split(Tensor t, int chunk) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < t.size(); i += chunk) out.add(java.util.Arrays.copyOfRange(t.data(), i, i + chunk));
        return out;
    }

    static Tensor torchCamNormalise(Tensor raw) {
        int r = raw.dim(0), plane = raw.shape().itemSize();
        float[] d = new float[raw.size()];
        for (int n = 0; n < r; n++) {
            float mn = Float.POSITIVE_INFINITY, mx = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < plane; i++) mn = Math.min(mn, d[n * plane + i] = Math.max(raw.data()[n * plane + i], 0f));
            for (int i = 0; i < plane; i++) mx = Math.max(mx, d[n * plane + i] -= mn);
            for (int i = 0; i < plane; i++) d[n * plane + i] /= (mx + 1e-8f);
        }
        return new Tensor(raw.shape(), d);
    }

    static Tensor subsample(Tensor maps, JsonNode entry) {
        if (!entry.has("subsample")) return maps;
        int[] s = new int[6];
        for (int i = 0; i < 6; i++) s[i] = entry.get("subsample").get(i).asInt();
        int n = maps.dim(0), h = maps.dim(1), w = maps.dim(2);
        List<Float> v = new ArrayList<>();
        int rows = 0, cols = 0;
        for (int b = 0; b < n; b++) {
            rows = 0;
            for (int y = s[0]; y < Math.min(s[1], h); y += s[2], rows++) {
                cols = 0;
                for (int x = s[3]; x < Math.min(s[4], w); x += s[5], cols++) v.add(maps.data()[(b * h + y) * w + x]);
            }
        }
        float[] d = new float[v.size()];
        for (int i = 0; i < d.length; i++) d[i] = v.get(i);
        return Tensor.of(d, n, rows, cols);
    }

    static double maxAbs(Tensor a, Tensor golden) {
        if (a.size() != golden.size()) fail("shape " + a.shape() + " vs golden " + golden.shape());
        double d = 0;
        for (int i = 0; i < a.size(); i++) d = Math.max(d, Math.abs(a.data()[i] - golden.data()[i]));
        return d;
    }

    static double relDiff(Tensor a, Tensor golden) {
        if (a.size() != golden.size()) fail("shape " + a.shape() + " vs golden " + golden.shape());
        double scale = 0;
        for (float g : golden.data()) scale = Math.max(scale, Math.abs(g));
        return maxAbs(a, golden) / Math.max(scale, 1e-30);
    }

    static double relDiffNegated(Tensor a, Tensor golden) {
        float[] d = a.data().clone();
        for (int i = 0; i < d.length; i++) d[i] = -d[i];
        return relDiff(new Tensor(a.shape(), d), golden);
    }

    @org.junit.jupiter.api.Test
    void subsampleKeepsEveryOtherPixel() {
        Tensor t = Tensor.of(new float[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 1, 4, 4);
        JsonNode e = new ObjectMapper().valueToTree(Map.of("subsample", List.of(0, 4, 2, 0, 4, 2)));
        assertEquals(List.of(0f, 2f, 8f, 10f), toList(subsample(t, e)));
    }

    private static List<Float> toList(Tensor t) {
        List<Float> l = new ArrayList<>();
        for (float v : t.data()) l.add(v);
        return l;
    }
}
