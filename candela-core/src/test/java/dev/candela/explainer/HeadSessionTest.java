package dev.candela.explainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.explain.Explanation;
import dev.candela.explain.ResolvedTarget;
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
        try (Explainer ex = Explainer.of(m, 1)) {
            CamSession lean = ex.session(input(2, 3), Explainer.Request.defaults().layers(layerName).targets(Target.classIndex(3), Target.classIndex(1)));
            assertTrue(!lean.evidence().get(0).head().complete(), "the session's pass keeps only the head");
            assertTrue(compareEveryMethod(ex, m, lean, kind + " " + layerName) >= 30);
        }
    }

    /**
     * Two layers, one upstream of the other (--layer mid,last and last,mid: the head of the first holds the
     * second), and rows that are not the input's images (two targets per image, every class of one image): the
     * session runs its own pass over the rows, which keeps only the head too.
     */
    static Stream<Arguments> requests() {
        List<Arguments> out = new ArrayList<>();
        out.add(Arguments.of(ShapedModels.Kind.RESNET, List.of("b1.c1.relu", "b2.relu"), List.of(Target.classIndex(3)), 2));
        out.add(Arguments.of(ShapedModels.Kind.CONCAT, List.of("cat", "br1.relu"), List.of(Target.classIndex(3)), 2));
        out.add(Arguments.of(ShapedModels.Kind.MOBILENET, List.of("pw1.relu", "dw1.relu"), List.of(Target.topK(2)), 2));
        out.add(Arguments.of(ShapedModels.Kind.RESNET, List.of("b2.c1.relu"), List.of(Target.all()), 1));
        out.add(Arguments.of(ShapedModels.Kind.VGG, List.of("c3.relu"), List.of(Target.classIndex(4), Target.argmax()), 2));
        // layers inside what the pass would fuse (a convolution's output before its batch norm and ReLU, a batch
        // norm's output feeding the residual add)
        out.add(Arguments.of(ShapedModels.Kind.RESNET, List.of("b1.c1.conv", "b2.c2.bn"), List.of(Target.classIndex(2)), 2));
        out.add(Arguments.of(ShapedModels.Kind.MOBILENET, List.of("dw2.bn"), List.of(Target.topK(2)), 1));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} at {1}, targets {2}, {3} images")
    @MethodSource("requests")
    void layersUpstreamOfEachOtherAndRowsThatAreNotTheImagesGiveTheSameBits(ShapedModels.Kind kind, List<String> layers, List<Target> targets, int images) {
        Model m = ShapedModels.build(kind, 11, true);
        try (Explainer ex = Explainer.of(m, 1)) {
            CamSession lean = ex.session(input(images, 4), Explainer.Request.defaults().layers(layers.toArray(String[]::new)).targets(targets));
            for (var e : lean.evidence()) assertTrue(!e.head().complete(), "the session's pass keeps only the head");
            assertTrue(compareEveryMethod(ex, m, lean, kind + " " + layers + " " + targets) >= 30);
        }
    }

    /**
     * Aug-smooth: each augmented copy is a session of its own on a pass that keeps the head; two targets per image,
     * so those sessions gather their rows. Nothing reads an activation the passes did not keep.
     */
    @org.junit.jupiter.api.Test
    void augSmoothGivesTheSameBits() {
        Model m = ShapedModels.build(ShapedModels.Kind.RESNET, 11, true);
        try (Explainer ex = Explainer.of(m, 1)) {
            CamSession lean = ex.session(input(2, 7), Explainer.Request.defaults().layers("b2.c1.relu", "b2.relu").targets(Target.topK(2))
                    .options(CamOptions.defaults().withAugSmooth(true)));
            assertTrue(compareEveryMethod(ex, m, lean, "aug-smooth") >= 20);
        }
    }

    /** A segmentation output (N x classes x h x w, a skip connection joining after the layer): seg targets. */
    @ParameterizedTest(name = "segmentation at {0}")
    @MethodSource("segLayers")
    void segmentationOutputsGiveTheSameBits(String layer) {
        Model m = segmentation();
        try (Explainer ex = Explainer.of(m, 1)) {
            CamSession lean = ex.session(input(2, 5), Explainer.Request.defaults().layers(layer)
                    .targets(Target.parse("seg:1"), Target.parse("seg:0:box=0,0,4,4")));
            assertTrue(compareEveryMethod(ex, m, lean, "segmentation " + layer) >= 10);
        }
    }

    static Stream<String> segLayers() { return Stream.of("c1.relu", "c2.relu"); }

    /** Sessions are shared across threads (the lazy full pass and the gradients are computed once, under a lock). */
    @org.junit.jupiter.api.Test
    void threadsSharingALeanSessionGetTheSameBits() throws Exception {
        Model m = ShapedModels.build(ShapedModels.Kind.RESNET, 11, true);
        try (Explainer ex = Explainer.of(m, 1)) {
            Explainer.Request request = Explainer.Request.defaults().layers("b2.c1.relu").targets(Target.classIndex(3));
            CamSession lean = ex.session(input(2, 6), request);
            CamSession full = reference(ex, lean);
            List<Method> methods = new ArrayList<>();
            for (String name : List.of("full-grad", "grad-cam", "finer-cam", "fg-cam", "score-cam", "relevance-cam")) {
                if (Methods.names().contains(name)) methods.add(Methods.parse(List.of(name), Methods.Defaults.none(), m).get(0));
            }
            assertTrue(methods.size() >= 3, "methods: " + methods);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<Explanation>> fs = new ArrayList<>();
                for (int rep = 0; rep < 2; rep++) for (Method method : methods) fs.add(pool.submit(() -> Explainer.explainSeeded(lean, method, "img", 5)));
                for (int i = 0; i < fs.size(); i++) {
                    Method method = methods.get(i % methods.size());
                    same(fs.get(i).get().maps(), Explainer.explainSeeded(full, method, "img", 5).maps(), "threaded " + method);
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    /** conv-relu, conv-relu, a skip connection from the first joining after the second, a 1x1 conv to 5 classes. */
    private static Model segmentation() {
        dev.candela.graph.GraphBuilder b = new dev.candela.graph.GraphBuilder("input", dev.candela.tensor.Shape.of(3, 12, 12), 7);
        String c1 = b.relu("c1.relu", b.add("c1", conv(b, 6, 3, 3), "input"));
        String c2 = b.relu("c2.relu", b.add("c2", conv(b, 6, 6, 3), c1));
        String j = b.sum("join", c2, c1);
        return b.build(b.add("head", conv(b, 5, 6, 1), j));
    }

    private static dev.candela.graph.Conv2d conv(dev.candela.graph.GraphBuilder b, int out, int in, int k) {
        return new dev.candela.graph.Conv2d(b.randn(Math.sqrt(2.0 / (in * k * k)), out, in, k, k), b.randn(0.1, out),
                new int[]{1, 1}, new int[]{k / 2, k / 2, k / 2, k / 2}, new int[]{1, 1}, 1);
    }

    private static Tensor input(int images, long seed) {
        Random r = new Random(seed);
        float[] d = new float[images * 3 * 12 * 12];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return Tensor.of(d, images, 3, 12, 12);
    }

    /**
     * The session as it was before heads: a pass keeping every activation over the rows the session explains
     * (the input's images gathered per target, the targets renumbered to their rows).
     */
    private static CamSession reference(Explainer ex, CamSession lean) {
        List<Layer> layers = new ArrayList<>();
        for (var e : lean.evidence()) layers.add(e.resolvedLayer());
        List<ResolvedTarget> ts = lean.targets(), renumbered = new ArrayList<>();
        for (int r = 0; r < ts.size(); r++) renumbered.add(new ResolvedTarget(r, ts.get(r).objective(), ts.get(r).description()));
        Tensor rows = lean.evidence().get(0).input();
        return new CamSession(ex.executor(), rows, ex.executor().forward(rows), renumbered, layers, lean.options());
    }

    /** Every method on the lean session and on the reference: the same bits or the same error; how many compared. */
    private static int compareEveryMethod(Explainer ex, Model m, CamSession lean, String label) {
        CamSession full = reference(ex, lean);
        int compared = 0;
        for (String name : Methods.names()) {
            Method method = Methods.parse(List.of(name), Methods.Defaults.none(), m).get(0);
            Explanation a, b;
            String errA = null, errB = null;
            try { a = Explainer.explainSeeded(lean, method, "img", 5); } catch (IllegalArgumentException e) { a = null; errA = e.getMessage(); }
            try { b = Explainer.explainSeeded(full, method, "img", 5); } catch (IllegalArgumentException e) { b = null; errB = e.getMessage(); }
            if (errA != null) assertFalse(errA.contains("was not kept"), label + " " + name + ": " + errA);
            assertEquals(errB, errA, label + " " + name + ": the same error or none");
            if (a == null) continue;
            assertNotNull(b);
            same(a.maps(), b.maps(), label + " " + name + " maps");
            same(a.rawMaps(), b.rawMaps(), label + " " + name + " raw maps");
            same(a.coefficients(), b.coefficients(), label + " " + name + " coefficients");
            same(a.attributions(), b.attributions(), label + " " + name + " attributions");
            compared++;
        }
        return compared;
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
