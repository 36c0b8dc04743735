package dev.candela.explainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.explain.Explanation;
import dev.candela.explain.ShapedModels;
import dev.candela.explain.Target;
import dev.candela.explain.cam.CamOptions;
import dev.candela.explain.cam.CamSession;
import dev.candela.graph.Layer;
import dev.candela.graph.Model;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Axiom: a session whose forward pass keeps only the explained layers and what follows them (Explainer.session,
 * the rest of the network fused) gives every method the same bits as a session on a pass that keeps every
 * activation (the sessions before this change), or the same error. Layers in the middle of a block, so that skip
 * connections and concatenated branches join after the layer, and at the end.
 */
class HeadSessionTest {
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (ShapedModels.Kind k : ShapedModels.Kind.values()) {
            String mid = switch (k) {
                case VGG -> "c3.relu";
                case RESNET -> "b2.c1.relu";
                case MOBILENET -> "pw1.relu";
                case CONCAT -> "br1.relu";
            };
            for (String layer : List.of(mid, ShapedModels.camLayer(k))) out.add(Arguments.of(k, layer));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} at {1}")
    @MethodSource("cases")
    void everyMethodGivesTheBitsOfASessionThatKeptEveryActivation(ShapedModels.Kind kind, String layerName) {
        Model m = ShapedModels.build(kind, 11, true);
        Random r = new Random(3);
        float[] d = new float[2 * 3 * 12 * 12];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        Tensor input = Tensor.of(d, 2, 3, 12, 12);
        try (Explainer ex = Explainer.of(m, 1)) {
            Explainer.Request request = Explainer.Request.defaults().layers(layerName).targets(Target.classIndex(3), Target.classIndex(1));
            CamSession lean = ex.session(input, request);
            Layer layer = ex.resolveLayer(layerName);
            assertTrue(!lean.evidence().get(0).head().complete(), "the session's pass keeps only the head");
            CamSession full = new CamSession(ex.executor(), input, ex.executor().forward(input), lean.targets(), List.of(layer), request.options());
            int compared = 0;
            for (String name : Methods.names()) {
                Method method = Methods.parse(List.of(name), Methods.Defaults.none(), m).get(0);
                Explanation a, b;
                String errA = null, errB = null;
                try { a = Explainer.explainSeeded(lean, method, "img", 5); } catch (IllegalArgumentException e) { a = null; errA = e.getMessage(); }
                try { b = Explainer.explainSeeded(full, method, "img", 5); } catch (IllegalArgumentException e) { b = null; errB = e.getMessage(); }
                assertEquals(errB, errA, kind + " " + layerName + " " + name + ": the same error or none");
                if (a == null) continue;
                assertNotNull(b);
                same(a.maps(), b.maps(), kind + " " + layerName + " " + name + " maps");
                same(a.rawMaps(), b.rawMaps(), kind + " " + layerName + " " + name + " raw maps");
                same(a.coefficients(), b.coefficients(), kind + " " + layerName + " " + name + " coefficients");
                same(a.attributions(), b.attributions(), kind + " " + layerName + " " + name + " attributions");
                compared++;
            }
            assertTrue(compared >= 30, "methods compared: " + compared);
        }
    }

    private static void same(Tensor a, Tensor b, String what) {
        if (a == null || b == null) {
            assertEquals(a == null, b == null, what);
            return;
        }
        assertArrayEquals(b.shape().dims(), a.shape().dims(), what);
        int[] x = new int[a.size()], y = new int[b.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = Float.floatToRawIntBits(a.data()[i]);
            y[i] = Float.floatToRawIntBits(b.data()[i]);
        }
        assertArrayEquals(y, x, what);
    }
}
