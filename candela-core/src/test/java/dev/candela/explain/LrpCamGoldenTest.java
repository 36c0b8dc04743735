package dev.candela.explain;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.candela.explain.cam.CamOptions;
import dev.candela.explain.cam.CamSession;
import dev.candela.explain.cam.Weights;
import dev.candela.explain.lrp.Composite;
import dev.candela.explain.lrp.Lrp;
import dev.candela.explain.lrp.LrpCamMethod;
import dev.candela.graph.Model;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * LRP-CAM against the LIFT-CAM code's wiring: Captum LRP (default epsilon rules) of y_c on the head after
 * features.9 of the golden VGG, relevance on A and phi_k = its spatial sums. Tolerance 1e-5 of max |reference|.
 */
class LrpCamGoldenTest {
    static final Path DIR = TorchGoldenModels.ROOT.resolve("lrp").resolve("vgg");

    @Test
    void headRelevanceAndPhiMatchCaptumLrpOnTheHead() throws Exception {
        JsonNode rec = TorchGoldenModels.manifest(TorchGoldenModels.ROOT.resolve("lrp")).get("models").get("vgg");
        Model m = TorchGoldenModels.lrpVgg(DIR, rec.get("weights"));
        Executor ex = new Executor(m, ReferenceKernels.INSTANCE);
        Tensor x = TorchGoldenModels.npy(DIR, rec.get("input").asText());
        Activations fwd = ex.forward(x);
        JsonNode lc = rec.get("lrp_cam");
        int[] cls = LrpGoldenTest.ints(rec.get("classes"));
        Tensor r = new Lrp(ex, Composite.captum()).relevanceAt(fwd, cls, lc.get("layer").asText(), null);
        double er = TorchGoldenModels.relativeMaxError(r, TorchGoldenModels.npy(DIR, lc.get("relevance").asText()));
        assertTrue(er <= 1e-5, "relevance on A differs by " + er);
        // the registered method computes the same phi through the CAM session
        List<Target> targets = List.of(Target.classIndex(cls[0]), Target.classIndex(cls[1]));
        CamSession s = new CamSession(ex, x, fwd, Target.resolve(targets, m, fwd.output()), List.of(new dev.candela.graph.LayerNames(m.graph()).ofTensor(lc.get("layer").asText())), CamOptions.defaults());
        Tensor phi = ((Weights.PerChannel) new LrpCamMethod().weights(s.evidence().get(0))).coefficients();
        double ep = TorchGoldenModels.relativeMaxError(phi, TorchGoldenModels.npy(DIR, lc.get("phi").asText()));
        System.out.printf("lrp-cam golden: relevance %.3g, phi %.3g%n", er, ep);
        assertTrue(ep <= 1e-5, "phi differs by " + ep);
    }
}
