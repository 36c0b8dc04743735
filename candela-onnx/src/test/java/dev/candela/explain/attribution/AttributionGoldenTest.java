package dev.candela.explain.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity with Captum (DeepLift, LayerDeepLift, DeepLiftShap with the lift-cam.md section 7 work-arounds;
 * IntegratedGradients, Saliency, InputXGradient, GuidedBackprop) and with the official LIFT-CAM code,
 * on the seeded models of tools/make_attribution_goldens.py. Tolerances: see each assertion (and the
 * manifest's "tolerances").
 */
class AttributionGoldenTest {
    static final Path DIR = Path.of("testdata/golden/attribution");

    static JsonNode manifest() throws IOException {
        return dev.candela.testkit.Goldens.manifest(DIR);
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : manifest().get("cases")) {
            String label = c.get("kind").asText() + " " + c.get("model").asText()
                    + (c.has("reference") ? " ref=" + c.get("reference").asText() : "")
                    + (c.has("method") ? " " + c.get("method").asText() : "")
                    + (c.has("item") ? " item " + c.get("item").asInt() : "");
            out.add(Arguments.of(label + " [java graph]", c, false));
            // the same case on the ONNX export read by the importer (BN folded into the convs by torch.onnx)
            if (Files.exists(DIR.resolve(c.get("model").asText() + ".onnx"))) out.add(Arguments.of(label + " [onnx import]", c, true));
        }
        return out.stream();
    }

    static Tensor npy(String name) throws IOException { return Npy.read(DIR.resolve(name)); }

    static Model model(String name) {
        return name.equals("vgg") ? GoldenModels.vgg(DIR.resolve("vgg")) : GoldenModels.resnet(DIR.resolve("resnet"));
    }

    static Model model(String name, boolean onnx) throws IOException {
        return onnx ? dev.candela.format.ModelFiles.load(DIR.resolve(name + ".onnx")) : model(name);
    }

    /** The tensor a PyTorch module path names: by our node names for the Java graph, by LayerNames for the import. */
    static String layer(Model m, String model, String module, boolean onnx) {
        return onnx ? new dev.candela.graph.LayerNames(m.graph()).resolve(module) : GoldenModels.tensor(model, module);
    }

    static Tensor targets(JsonNode c) {
        int[] t = new int[c.get("targets").size()];
        for (int i = 0; i < t.length; i++) t[i] = c.get("targets").get(i).asInt();
        return TargetWeights.oneHot(10, t);
    }

    /** |a - b| <= abs + rel * max|golden| for every element; returns the largest difference. */
    static double assertClose(Tensor golden, Tensor actual, double abs, double rel, String what) {
        assertEquals(golden.size(), actual.size(), what + ": size");
        double scale = 0, worst = 0;
        for (float v : golden.data()) scale = Math.max(scale, Math.abs(v));
        double tol = abs + rel * scale;
        for (int i = 0; i < golden.size(); i++) {
            double d = Math.abs(golden.data()[i] - actual.data()[i]);
            worst = Math.max(worst, d);
            assertTrue(d <= tol, what + ": element " + i + " golden " + golden.data()[i] + " candela " + actual.data()[i] + " (tol " + tol + ")");
        }
        System.out.printf("%s: max |diff| %.3g (scale %.3g, tol %.3g)%n", what, worst, scale, tol);
        return worst;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheReference(String label, JsonNode c, boolean onnx) throws IOException {
        Model m = model(c.get("model").asText(), onnx);
        Executor ex = new Executor(m, ReferenceKernels.INSTANCE);
        Tensor x = npy("x.npy");
        switch (c.get("kind").asText()) {
            case "deeplift" -> {
                Tensor ref = c.get("reference").asText().equals("zeros") ? Tensor.zeros(x.shape()) : npy("ref_random.npy");
                DeepLiftResult r = new DeepLift(ex).attribute(x, ref, targets(c), null, null);
                assertClose(npy(c.get("attributions").asText()), r.attributions(), 1e-7, 1e-5, label);
                for (int i = 0; i < 2; i++) {
                    assertEquals(c.get("convergence_delta").get(i).asDouble(), r.convergenceDelta()[i], 1e-5, label + " item " + i);
                }
            }
            case "deeplift-softmax" -> {
                Model soft = GoldenModels.withSoftmax(m, m.graph().input());
                DeepLiftResult r = new DeepLift(new Executor(soft, ReferenceKernels.INSTANCE)).attribute(x, npy("ref_random.npy"), targets(c), null, null);
                assertClose(npy(c.get("attributions").asText()), r.attributions(), 1e-8, 1e-5, label);
                for (int i = 0; i < 2; i++) assertEquals(c.get("convergence_delta").get(i).asDouble(), r.convergenceDelta()[i], 1e-6, label + " item " + i);
            }
            case "layer-deeplift" -> {
                String layer = layer(m, c.get("model").asText(), c.get("layer").asText(), onnx);
                DeepLiftResult r = new DeepLift(ex).attribute(x, npy("ref_random.npy"), targets(c), layer, null);
                assertClose(npy(c.get("attributions").asText()), r.attributions(), 1e-7, 1e-5, label);
            }
            case "deeplift-shap" -> {
                Tensor refs = npy("shap_refs.npy");
                List<Tensor> list = new ArrayList<>();
                for (int j = 0; j < refs.dim(0); j++) list.add(refs.slice(j, j + 1));
                DeepLiftResult r = new DeepLift(ex).shap(x, list, targets(c), null);
                assertClose(npy(c.get("attributions").asText()), r.attributions(), 1e-7, 1e-5, label);
            }
            case "integrated-gradients" -> {
                Quadrature q = Quadrature.parse(c.get("method").asText());
                Tensor a = new PixelAttribution.IntegratedGradients(c.get("steps").asInt(), q, new Reference.Zeros(), 25).attribute(ex, x, targets(c));
                assertClose(npy(c.get("attributions").asText()), a, 1e-7, 1e-5, label);
            }
            case "gradient" -> assertClose(npy(c.get("attributions").asText()), new PixelAttribution.Gradient().attribute(ex, x, targets(c)), 1e-8, 1e-5, label);
            case "gradient-x-input" -> assertClose(npy(c.get("attributions").asText()), new PixelAttribution.GradientTimesInput().attribute(ex, x, targets(c)), 1e-8, 1e-5, label);
            case "guided-backprop" -> assertClose(npy(c.get("attributions").asText()), new PixelAttribution.GuidedBackprop().attribute(ex, x, targets(c)), 1e-8, 1e-5, label);
            case "lift-cam" -> {
                int i = c.get("item").asInt();
                String layer = layer(m, c.get("model").asText(), c.get("layer").asText(), onnx);
                LiftCamResult r = new LiftCam(ex).explain(x.slice(i, i + 1), layer, TargetWeights.oneHot(10, c.get("class").asInt()));
                Tensor act = ex.forward(x.slice(i, i + 1)).get(layer);
                assertClose(npy(c.get("activation").asText()), act, 1e-6, 1e-5, label + " activation");
                double[] phi = r.phi()[0];
                float[] pf = new float[phi.length];
                for (int k = 0; k < phi.length; k++) pf[k] = (float) phi[k];
                assertClose(npy(c.get("phi").asText()), Tensor.of(pf, phi.length), 1e-6, 1e-5, label + " phi");
                assertEquals(c.get("score").asDouble(), r.score()[0], 1e-5, label + " Y^c");
                assertEquals(c.get("zero_score").asDouble(), r.zeroScore()[0], 1e-5, label + " F^c(0)");
                assertTrue(npy(c.get("map").asText()).max() > 0, label + ": golden map must not be all zero");
                Tensor raw = r.raw().copy();
                for (int j = 0; j < raw.size(); j++) raw.data()[j] = Math.max(raw.data()[j], 0f);
                assertClose(npy(c.get("raw_map").asText()), raw.reshape(raw.dim(1), raw.dim(2)), 1e-6, 1e-5, label + " raw map");
                assertClose(npy(c.get("map").asText()), r.map().reshape(16, 16), 1e-5, 0, label + " final map");
                // the same through the CAM registry and shared pipeline
                dev.candela.explain.Explanation e = dev.candela.explainer.Explainer.of(ex).explain(x.slice(i, i + 1), dev.candela.explainer.CamMethods.byName("lift-cam"),
                        dev.candela.explainer.Explainer.Request.defaults().layers(layer).targets(dev.candela.explain.Target.classIndex(c.get("class").asInt())));
                assertClose(npy(c.get("phi").asText()), e.coefficients().reshape(e.coefficients().size()), 1e-6, 1e-5, label + " phi (registry)");
                assertClose(npy(c.get("map").asText()), e.maps().reshape(16, 16), 1e-5, 0, label + " final map (registry)");
            }
            case "lrp-cam" -> {
                int i = c.get("item").asInt();
                String layer = layer(m, c.get("model").asText(), c.get("layer").asText(), onnx);
                Tensor xi = x.slice(i, i + 1);
                dev.candela.explain.Explanation e = dev.candela.explainer.Explainer.of(ex).explain(xi, new dev.candela.explain.lrp.LrpCamMethod(),
                        dev.candela.explainer.Explainer.Request.defaults().layers(layer).targets(dev.candela.explain.Target.classIndex(c.get("class").asInt())));
                assertClose(npy(c.get("phi").asText()), e.coefficients().reshape(e.coefficients().size()), 1e-6, 1e-5, label + " phi");
                Tensor raw = e.rawMaps().copy();
                for (int j = 0; j < raw.size(); j++) raw.data()[j] = Math.max(raw.data()[j], 0f);
                assertClose(npy(c.get("raw_map").asText()), raw.reshape(raw.dim(1), raw.dim(2)), 1e-6, 1e-5, label + " raw map");
                assertClose(npy(c.get("map").asText()), e.maps().reshape(16, 16), 1e-5, 0, label + " final map");
            }
            default -> throw new AssertionError("unknown golden kind " + c.get("kind"));
        }
    }

    /** lift-cam.md section 7: with a non-uniform reference Candela conserves where unmodified Captum does not. */
    @Test
    void candelaConservesWhereRawCaptumDoesNot() throws IOException {
        int shown = 0;
        for (JsonNode c : manifest().get("cases")) {
            if (!c.get("kind").asText().equals("deeplift") || !c.get("reference").asText().equals("random")) continue;
            Model m = model(c.get("model").asText());
            DeepLiftResult r = new DeepLift(new Executor(m, ReferenceKernels.INSTANCE)).attribute(npy("x.npy"), npy("ref_random.npy"), targets(c), null, null);
            double rawWorst = 0, ours = 0;
            for (int i = 0; i < 2; i++) {
                rawWorst = Math.max(rawWorst, Math.abs(c.get("raw_captum_convergence_delta").get(i).asDouble()));
                ours = Math.max(ours, Math.abs(r.convergenceDelta()[i]));
            }
            System.out.printf("%s: raw Captum |delta| %.3g, Candela %.3g%n", c.get("model").asText(), rawWorst, ours);
            assertTrue(ours <= 1e-5, c.get("model").asText() + ": Candela's summation-to-delta residual " + ours);
            assertTrue(rawWorst >= 1e-3, c.get("model").asText() + ": raw Captum was expected to miss by >= 1e-3, missed by " + rawWorst);
            assertTrue(rawWorst > 100 * ours, c.get("model").asText() + ": raw " + rawWorst + " vs Candela " + ours);
            shown++;
        }
        assertEquals(2, shown);
    }
}
