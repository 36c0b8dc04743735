package dev.candela.explain.fgcam;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explain.ShapedModels;
import dev.candela.explain.Target;
import dev.candela.explainer.CamMethods;
import dev.candela.explain.cam.CamOptions;
import dev.candela.explain.cam.CamSession;
import dev.candela.graph.Model;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.testkit.RandomCases;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** fg-cam in the CAM registry over every kind of base method, on a ResNet-shaped model. */
class FgCamMethodTest {

    @ParameterizedTest
    @ValueSource(strings = {"grad-cam", "grad-cam++", "xgrad-cam", "layer-cam", "hires-cam", "score-cam", "score-cam-fg", "ablation-cam", "lift-cam", "lrp-cam"})
    void raisedMapTotalEqualsTheBaseComponentTotalWhenZeroDenominatorSharesAreSpread(String base) {
        Model m = ShapedModels.build(ShapedModels.Kind.RESNET, 3, true);
        Tensor x = new RandomCases(3).normal(Shape.of(2, 3, 12, 12), 1.0);
        Executor ex = new Executor(m, ReferenceKernels.INSTANCE);
        try (Explainer e = Explainer.of(ex)) {
            Explainer.Request req = Explainer.Request.defaults().layers("b2.relu").targets(Target.classIndex(1), Target.classIndex(4))
                    .options(CamOptions.defaults().withBatchSize(8));
            CamSession s = e.session(x, req);
            FgCamMethod fg = new FgCamMethod(base, baseMethod(base), "input", FgCam.Denoise.NONE, RaisingRule.ZeroDenominators.SPREAD);
            Explanation out = s.explain(fg);
            assertEquals(12, out.rawMaps().dim(1));
            Map<String, Object> audit = fg.manifest(out);
            double[] c = (double[]) audit.get("components_sum"), t = (double[]) audit.get("map_sum");
            for (int r = 0; r < 2; r++) assertEquals(c[r], t[r], 1e-4 * Math.abs(c[r]) + 1e-9, base + " row " + r);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"grad-cam", "layer-cam", "ablation-cam"})
    void atTheCamLayerItselfTheRawMapIsTheBaseMethodsRawMap(String base) {
        Model m = ShapedModels.build(ShapedModels.Kind.VGG, 4, true);
        Tensor x = new RandomCases(4).normal(Shape.of(1, 3, 12, 12), 1.0);
        try (Explainer e = Explainer.of(new Executor(m, ReferenceKernels.INSTANCE))) {
            CamSession s = e.session(x, Explainer.Request.defaults().layers("pool2").targets(Target.classIndex(2)));
            Tensor fg = s.explain(new FgCamMethod(base, baseMethod(base), "pool2", FgCam.Denoise.NONE, RaisingRule.ZeroDenominators.DROP)).rawMaps();
            Tensor plain = s.explain(CamMethods.byName(base)).rawMaps();
            for (int i = 0; i < plain.size(); i++) assertEquals(plain.data()[i], fg.data()[i], 1e-5 * (1 + Math.abs(plain.data()[i])), base + " at " + i);
        }
    }

    /** The registry's method for a base name; none for the FG-CAM code's own Score-CAM. */
    private static dev.candela.explain.cam.CamMethod baseMethod(String base) {
        return base.equals("score-cam-fg") ? null : dev.candela.explainer.CamMethods.byName(base);
    }
}
