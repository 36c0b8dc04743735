package dev.candela.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.candela.format.ModelFiles;
import dev.candela.graph.LayerNames;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Forward and backward against PyTorch, from testdata/golden/runtime (tools/make_runtime_goldens.py):
 * seeded tiny models (ONNX committed), torchvision resnet18 / vgg11_bn / mobilenet_v2 / densenet121
 * (ONNX built by the script into tools/build: skipped when absent) and the shared MobileNet on three
 * images (skipped when ../shared is absent). Tolerances, relative to the largest golden magnitude:
 * logits and activations 1e-4, gradients 1e-3 plus the float32/float64 spread of PyTorch's own result
 * (the manifest states them per array too).
 */
class RuntimeGoldenTest {
    static final Path DIR = Path.of("testdata/golden/runtime");

    @TestFactory
    Stream<DynamicTest> pytorchForwardAndBackward() throws Exception {
        List<JsonNode> cases = new ArrayList<>();
        dev.candela.testkit.Goldens.manifest(DIR).get("cases").forEach(cases::add);
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> check(c)));
    }

    private static void check(JsonNode c) throws Exception {
        String name = c.get("name").asText();
        Path file = Path.of(c.get("model").get("file").asText());
        Assumptions.assumeTrue(Files.exists(file), file + " is absent (run tools/make_runtime_goldens.py, or mount ../shared)");
        Assumptions.assumeTrue(sha256(file).equals(c.get("model").get("sha256").asText()),
                file + " is not the file the goldens were made from (regenerated with another torch?)");
        Model model = ModelFiles.load(file);
        Executor ex = Executor.fast(model, Parallel.serial());
        LayerNames names = new LayerNames(model.graph());
        Tensor x = Npy.read(DIR.resolve(c.get("input").get("file").asText()));
        Activations fwd = ex.forward(x);

        compare(name, "logits", fwd.output(), c.get("logits"));
        for (JsonNode a : c.get("activations")) {
            String t = names.resolve(a.get("layer").get("onnx_tensor").asText());
            compare(name, "activation " + t, fwd.get(t), a);
        }
        for (JsonNode g : c.get("gradients")) {
            String wrt = g.get("wrt").get("onnx_tensor").asText();
            String to = wrt.equals("input") ? model.graph().input() : names.resolve(wrt);
            Tensor logits = fwd.output();
            Tensor seed = Tensor.zeros(logits.shape());
            JsonNode targets = g.get("targets");
            assertEquals(logits.dim(0), targets.size(), name + ": one target per batch item");
            for (int b = 0; b < targets.size(); b++) seed.data()[b * logits.dim(1) + targets.get(b).asInt()] = 1f;
            Map<String, Tensor> grads = ex.backward(fwd, model.graph().output(), seed, Set.of(to), GradientRule.INSTANCE);
            compare(name, "gradient w.r.t. " + to, grads.get(to), g);
        }
    }

    /**
     * Crops {@code mine} as the manifest says, then checks, per element, |mine - golden| <= rtol * max|golden|
     * plus, where the manifest also holds the float64 result, |golden - golden64|: float32 PyTorch and
     * float64 PyTorch disagree by that much (rounding through deep nets, ReLU masks flipping near 0), so
     * the reference itself is only known to within it.
     */
    private static void compare(String name, String what, Tensor mine, JsonNode entry) throws Exception {
        Tensor golden = Npy.read(DIR.resolve(entry.get("file").asText()));
        Tensor golden64 = entry.has("float64") ? Npy.read(DIR.resolve(entry.get("float64").get("file").asText())) : null;
        JsonNode full = entry.get("full_shape");
        assertEquals(full.size(), mine.rank(), name + " " + what + ": rank");
        for (int i = 0; i < full.size(); i++) assertEquals(full.get(i).asInt(), mine.dim(i), name + " " + what + ": dim " + i);
        Tensor cropped = crop(mine, entry.get("crop"));
        assertEquals(golden.shape(), cropped.shape(), name + " " + what + ": stored shape");
        double scale = 0;
        for (float v : golden.data()) scale = Math.max(scale, Math.abs(v));
        double rtol = entry.get("tolerance").get("rtol").asDouble();
        int over = 0, worst = -1;
        double worstExcess = 0, d2 = 0, g2 = 0;
        for (int i = 0; i < golden.size(); i++) {
            double d = Math.abs(golden.data()[i] - cropped.data()[i]);
            double band = golden64 == null ? 0 : Math.abs(golden.data()[i] - golden64.data()[i]);
            double excess = d - (rtol * scale + band);
            if (excess > 0) {
                over++;
                if (excess > worstExcess) {
                    worstExcess = excess;
                    worst = i;
                }
            }
            d2 += d * d;
            g2 += (double) golden.data()[i] * golden.data()[i];
        }
        assertTrue(over == 0, name + " " + what + ": " + over + " of " + golden.size() + " elements off by more than "
                + rtol + " * " + scale + (golden64 != null ? " + |float32 - float64 reference|" : "")
                + "; worst at " + worst + " (excess " + worstExcess + "); relative L2 error " + Math.sqrt(d2 / Math.max(g2, 1e-300)));
    }

    static Tensor crop(Tensor t, JsonNode spec) {
        int rank = t.rank();
        int[] lo = new int[rank], hi = new int[rank], out = new int[rank];
        for (int i = 0; i < rank; i++) {
            lo[i] = spec.get(i).get(0).asInt();
            hi[i] = spec.get(i).get(1).asInt();
            out[i] = hi[i] - lo[i];
        }
        Shape shape = Shape.of(out);
        float[] d = new float[shape.size()];
        int[] idx = new int[rank], src = new int[rank];
        for (int k = 0; k < d.length; k++) {
            int r = k;
            for (int i = rank - 1; i >= 0; i--) {
                idx[i] = r % out[i];
                r /= out[i];
                src[i] = idx[i] + lo[i];
            }
            d[k] = t.get(src);
        }
        return new Tensor(shape, d);
    }

    private static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
