package dev.candela.explain;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.candela.explain.fgcam.BaseComponents;
import dev.candela.explain.fgcam.FgCam;
import dev.candela.format.ModelFiles;
import dev.candela.graph.LayerNames;
import dev.candela.graph.Model;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The FG-CAM golden model as PyTorch exported it to ONNX (each BN folded into its conv), read by Candela's
 * importer: FG-CAM (Grad-CAM base, no denoising) must still match the official code, which kept BN as an
 * identity step. This holds because the rules ignore biases and are invariant to a positive per-channel
 * scale (every seeded gamma > 0). Tolerance 1e-5 of max |official|.
 */
class FgCamOnnxGoldenTest {
    static final Path DIR = TorchGoldenModels.ROOT.resolve("fgcam");

    @Test
    void importedBnFoldedModelGivesTheOfficialMapsAtEveryLayer() throws Exception {
        JsonNode manifest = TorchGoldenModels.manifest(DIR);
        Model m = ModelFiles.load(DIR.resolve(manifest.get("onnx").asText()));
        Executor ex = Executor.fast(m, Parallel.serial());
        Tensor x = TorchGoldenModels.npy(DIR, manifest.get("input").asText());
        Activations fwd = ex.forward(x);
        LayerNames names = new LayerNames(m.graph());
        String cam = names.resolve("features.43");
        int c = manifest.get("class").asInt();
        Tensor comps = BaseComponents.compute(new BaseComponents.Base.GradCam(), ex, fwd, x, cam, new int[]{c});
        int checked = 0;
        for (JsonNode k : manifest.get("cases")) {
            if (!k.get("base").asText().equals("grad_cam") || k.get("denoise").asBoolean()) continue;
            int t = k.get("target_layer").asInt();
            String target = t < 0 ? m.graph().input() : names.resolve("features." + t);
            Tensor map = new FgCam(ex).raise(fwd, cam, comps, target).map();
            double e = TorchGoldenModels.relativeMaxError(map, TorchGoldenModels.npy(DIR, k.get("file").asText()));
            System.out.printf("fg-cam onnx golden %s: %.3g%n", t < 0 ? "input" : "features." + t, e);
            assertTrue(e <= 1e-5, "layer " + t + ": relative max error " + e);
            checked++;
        }
        assertTrue(checked == 6, "expected 6 grad-cam cases, checked " + checked);
    }
}
