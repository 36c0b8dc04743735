package dev.candela.explain;

import dev.candela.explainer.Explainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.candela.explain.fgcam.BaseComponents;
import dev.candela.explain.fgcam.FgCam;
import dev.candela.graph.Model;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * FG-CAM against the official code (FG_CAM.py + models/layers.py run on the CPU) on a vgg16_bn-shaped model
 * at 128 x 128: Grad-CAM and the FG code's Score-CAM bases, with and without denoising, raised to pool4,
 * pool3, pool2, pool1 and the input. Tolerance: max |ours - official| <= 1e-5 * max |official|.
 */
class FgCamGoldenTest {
    static final Path DIR = TorchGoldenModels.ROOT.resolve("fgcam");
    static final double TOLERANCE = 1e-5;
    static JsonNode manifest;
    static Executor ex;
    static Tensor input;
    static Activations fwd;
    static int cls;

    @BeforeAll
    static void load() throws Exception {
        manifest = TorchGoldenModels.manifest(DIR);
        Model m = TorchGoldenModels.fgVgg(DIR, manifest.get("weights"), 128);
        ex = Executor.fast(m, dev.candela.tensor.Parallel.serial());
        input = TorchGoldenModels.npy(DIR, manifest.get("input").asText());
        fwd = ex.forward(input);
        cls = manifest.get("class").asInt();
    }

    static BaseComponents.Base base(String name) {
        return name.equals("grad_cam") ? new BaseComponents.Base.GradCam() : new BaseComponents.Base.ScoreCamFg(32);
    }

    static final java.util.Map<String, Tensor> COMPONENTS = new java.util.concurrent.ConcurrentHashMap<>();

    static Tensor components(String base) {
        return COMPONENTS.computeIfAbsent(base, b -> BaseComponents.compute(base(b), ex, fwd, input, "features.43", new int[]{cls}));
    }

    @Test
    void forwardMatchesPyTorch() throws Exception {
        double e = TorchGoldenModels.relativeMaxError(fwd.output(), TorchGoldenModels.npy(DIR, manifest.get("logits").asText()));
        assertTrue(e < 1e-5, "logits differ by " + e);
    }

    @ParameterizedTest
    @MethodSource("bases")
    void baseComponentsAndDenoisingMatchOfficialCode(String base) throws Exception {
        Tensor c = components(base);
        double e = TorchGoldenModels.relativeMaxError(c, TorchGoldenModels.npy(DIR, manifest.get("components_" + base).asText()));
        System.out.printf("fg-cam golden components %s: %.3g%n", base, e);
        assertTrue(e <= TOLERANCE, base + " components differ by " + e);
        Tensor d = FgCam.denoise(c, FgCam.Denoise.OFFICIAL);
        double ed = TorchGoldenModels.relativeMaxError(d, TorchGoldenModels.npy(DIR, manifest.get("denoised_" + base).asText()));
        System.out.printf("fg-cam golden denoised %s: %.3g%n", base, ed);
        assertTrue(ed <= TOLERANCE, base + " denoised components differ by " + ed);
    }

    static Stream<String> bases() { return Stream.of("grad_cam", "score_cam"); }

    static Stream<Arguments> cases() throws Exception {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : TorchGoldenModels.manifest(DIR).get("cases")) {
            out.add(Arguments.of(c.get("base").asText(), c.get("denoise").asBoolean(), c.get("target_layer").asInt(), c.get("file").asText()));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} denoise={1} layer={2}")
    @MethodSource("cases")
    void raisedMapMatchesOfficialCode(String base, boolean denoise, int layer, String file) throws Exception {
        Tensor comps = FgCam.denoise(components(base), denoise ? FgCam.Denoise.OFFICIAL : FgCam.Denoise.NONE);
        String target = layer < 0 ? "input" : "features." + layer;
        Tensor map = new FgCam(ex).raise(fwd, "features.43", comps, target).map();
        Tensor golden = TorchGoldenModels.npy(DIR, file);
        assertEquals(golden.size(), map.size());
        double e = TorchGoldenModels.relativeMaxError(map, golden);
        System.out.printf("fg-cam golden %s denoise=%s %s: %.3g%n", base, denoise, target, e);
        // Denoised components come out of an SVD in float32 (torch) vs double (EJML): looser.
        double tol = TOLERANCE;
        assertTrue(e <= tol, base + " " + target + " denoise=" + denoise + ": relative max error " + e + " > " + tol);
    }

    static Stream<Arguments> finalCases() throws Exception {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : TorchGoldenModels.manifest(DIR).get("final_cases")) {
            out.add(Arguments.of(c.get("base").asText(), c.get("denoise").asBoolean(), c.get("target_layer").asInt(), c.get("file").asText()));
        }
        return out.stream();
    }

    /**
     * The final map, through the production path (the "fg-cam" method in a session, its display policy), against
     * the official main.py + util.visual_explanation (ReLU, min-max without eps, cv2 bilinear resize, no second
     * normalisation) at the intermediate levels. Tolerance: 1e-5 absolute on maps in [0,1].
     */
    @ParameterizedTest(name = "final {0} denoise={1} layer={2}")
    @MethodSource("finalCases")
    void finalMapMatchesOfficialCode(String base, boolean denoise, int layer, String file) throws Exception {
        var method = base.equals("grad_cam")
                ? new dev.candela.explain.fgcam.FgCamMethod("grad-cam", new dev.candela.explain.cam.GradCam(), "features." + layer,
                        denoise ? FgCam.Denoise.OFFICIAL : FgCam.Denoise.NONE, dev.candela.explain.fgcam.RaisingRule.ZeroDenominators.DROP)
                : new dev.candela.explain.fgcam.FgCamMethod("score-cam-fg", null, "features." + layer,
                denoise ? FgCam.Denoise.OFFICIAL : FgCam.Denoise.NONE, dev.candela.explain.fgcam.RaisingRule.ZeroDenominators.DROP);
        Explainer.Request r = Explainer.Request.defaults().layers("features.43").targets(Target.classIndex(cls))
                .options(dev.candela.explain.cam.CamOptions.defaults().withBatchSize(32));
        Tensor map = Explainer.of(ex).session(input, r).explain(method).maps();
        Tensor golden = TorchGoldenModels.npy(DIR, file);
        assertEquals(golden.size(), map.size());
        double e = 0;
        for (int i = 0; i < map.size(); i++) e = Math.max(e, Math.abs(map.data()[i] - golden.data()[i]));
        System.out.printf("fg-cam golden final %s denoise=%s features.%d: %.3g%n", base, denoise, layer, e);
        assertTrue(e <= 1e-5, base + " features." + layer + " denoise=" + denoise + ": final map max abs error " + e + " > 1e-5");
    }
}
