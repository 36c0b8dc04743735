package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.candela.explainer.Method;
import dev.candela.explainer.Methods;
import dev.candela.explain.Progress;
import dev.candela.explain.ShapedModels;
import dev.candela.explain.Target;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.metrics.MapFunction;
import dev.candela.metrics.TinyCnn;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** One path for every method: explain writes what evaluate scores; per-method options; per-image targets. */
class OnePathTest {
    @TempDir Path tmp;
    private final StringWriter err = new StringWriter();
    static final Model RESNET = ShapedModels.build(ShapedModels.Kind.RESNET, 7, true);

    private int explain(Model m, String... args) {
        ExplainCommand c = new ExplainCommand(new PrintWriter(err, true), new PrintWriter(new StringWriter(), true));
        c.loader = p -> m;
        return Main.execute(c, args);
    }

    private Path input(String name, int n) throws Exception {
        Random r = new Random(5);
        float[] d = new float[n * 3 * 12 * 12];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        Path in = tmp.resolve(name);
        Npy.write(in, Tensor.of(d, n, 3, 12, 12));
        return in;
    }

    static Stream<String> everyMethod() { return Methods.names().stream(); }

    /** For every registered method, the map explain writes is bit for bit the map evaluate scores. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMethod")
    void explainWritesTheMapEvaluateScores(String name) throws Exception {
        Path in = input("img.npy", 1), out = tmp.resolve("out");
        assertEquals(0, explain(RESNET, "--model", in.toString(), "--input", in.toString(), "--method", name, "--layer", "b2.relu",
                "--target", "3", "--threads", "1", "--out", out.toString()), err.toString());
        Tensor written = Npy.read(out.resolve("img").resolve(ResultWriter.fileName(name) + ".npy"));

        EvaluateCommand ev = new EvaluateCommand();
        Main.parse(ev, java.util.List.of("--input", in.toString(), "--out", tmp.resolve("eval").toString(), "--method", name, "--layer", "b2.relu"));
        List<Method> ms = Methods.parse(ev.methods, ev.methodOptions.defaults(ev.shared.seed), RESNET);
        Map<String, MapFunction> fns = EvaluateCommand.methodFunctions(ms, ev.shared.layers, ev.methodOptions.camOptions(ev.camBatchSize, ev.shared.seed, Progress.none()), ev.shared.seed);
        Tensor scored = fns.get(name).forImage("img").maps(Executor.fast(RESNET, Parallel.serial()), Npy.read(in), new int[]{3});
        assertEquals(written.size(), scored.size(), name);
        assertArrayEquals(written.data(), scored.data(), 0f, name + ": explain's map differs from the map evaluate scores");
        float mn = Float.POSITIVE_INFINITY, mx = Float.NEGATIVE_INFINITY;
        for (float v : scored.data()) { mn = Math.min(mn, v); mx = Math.max(mx, v); }
        assertTrue(mn >= 0 && mx <= 1, name + " map in [0,1]: " + mn + ".." + mx);
    }

    /** dff writes every concept map, the embeddings, head outputs and class scores beside its map, and lists them in the manifest. */
    @Test
    void dffWritesEveryConceptMapAndItsClassScores() throws Exception {
        Path in = input("img.npy", 1), out = tmp.resolve("out");
        assertEquals(0, explain(RESNET, "--model", in.toString(), "--input", in.toString(), "--method", "dff,dff(components=3)", "--layer", "b2.relu",
                "--target", "3", "--threads", "1", "--out", out.toString()), err.toString());
        Path dir = out.resolve("img");
        Tensor maps = Npy.read(dir.resolve("dff.concept_maps.npy")), scores = Npy.read(dir.resolve("dff_components=3.class_scores.npy"));
        assertArrayEquals(new int[]{5, 12, 12}, maps.shape().dims());
        assertArrayEquals(new int[]{3, 5}, scores.shape().dims());
        JsonNode m = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
        JsonNode dff = m.get("methods").get(0);
        assertEquals("dff.concept_maps.npy", dff.get("concept_maps").asText());
        assertTrue(Files.exists(dir.resolve(dff.get("concepts_picture").asText())));
        int chosen = dff.get("dff").get("concept").get(0).asInt();
        // the map shown is the chosen concept's map
        Tensor map = Npy.read(dir.resolve("dff.npy"));
        assertArrayEquals(java.util.Arrays.copyOfRange(maps.data(), chosen * 144, (chosen + 1) * 144), map.data(), 0f);
        assertEquals(3, m.get("methods").get(1).get("dff").get("components").asInt());
        var e = assertThrows(IllegalArgumentException.class, () -> Methods.parse(List.of("dff(components=0)"), Methods.Defaults.none(), RESNET));
        assertTrue(e.getMessage().contains("components must be >= 1"), e.getMessage());
    }

    /** --target all writes one map per class (the tiny ResNet has 5), with new methods and a two-layer fusion. */
    @Test
    void targetAllWritesOneMapPerClass() throws Exception {
        Path in = input("img.npy", 1), out = tmp.resolve("out");
        assertEquals(0, explain(RESNET, "--model", in.toString(), "--input", in.toString(), "--method", "grad-cam,fem,occlusion(window=4,stride=4)",
                "--layer", "b2.relu", "--target", "all", "--threads", "1", "--out", out.toString()), err.toString());
        for (String m : List.of("grad-cam", "fem", ResultWriter.fileName("occlusion(window=4,stride=4)"))) {
            Tensor t = Npy.read(out.resolve("img").resolve(m + ".npy"));
            assertEquals(5, t.dim(0), m + ": one map per class, got " + t.shape());
        }
        assertEquals(0, explain(RESNET, "--model", in.toString(), "--input", in.toString(), "--method", "layer-cam,refine-cam",
                "--layer", "stem.relu,b2.relu", "--fusion", "tanh-max", "--target", "1", "--out", tmp.resolve("out2").toString()), err.toString());
        assertEquals(2, explain(RESNET, "--model", in.toString(), "--input", in.toString(), "--fusion", "sideways", "--out", tmp.resolve("out3").toString()));
    }

    @Test
    void perMethodOptionsParseIntoDistinctVariantsAndBadOnesAreRefusedOnce() {
        List<Method> ms = Methods.parse(List.of("grad-cam,fg-cam(base=score-cam-fg,level=stem.relu),fg-cam(level=input),lrp(composite=epsilon-plus)",
                "lrp(rule=epsilon)"), Methods.Defaults.none(), RESNET);
        assertEquals(List.of("grad-cam", "fg-cam(base=score-cam-fg,level=stem.relu)", "fg-cam(level=input)", "lrp(composite=epsilon-plus)", "lrp(rule=epsilon)"),
                ms.stream().map(Method::label).toList());
        Method.FgCam fg = (Method.FgCam) ms.get(1);
        assertEquals("score-cam-fg", fg.fg().base());
        assertEquals("stem.relu", fg.fg().fgLayer());
        assertEquals("epsilon", ((Method.Lrp) ms.get(4)).lrp().composite().name());
        var e = assertThrows(IllegalArgumentException.class, () -> Methods.parse(List.of("grad-cam(level=x)"), Methods.Defaults.none(), RESNET));
        assertTrue(e.getMessage().contains("takes none"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Methods.parse(List.of("lrp(colour=red)"), Methods.Defaults.none(), RESNET));
        assertTrue(e.getMessage().contains("its options: rule, composite, bn"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Methods.parse(List.of("lrp,lrp"), Methods.Defaults.none(), RESNET));
        assertTrue(e.getMessage().contains("given twice"), e.getMessage());
    }

    /** Relevance splitting at residual sums, per method and as the run default (--lrp-residual). */
    @Test
    void lrpResidualSplitRunsPerMethodAndAsTheRunDefault() throws Exception {
        Path in = input("img.npy", 1), out = tmp.resolve("split");
        assertEquals(0, explain(RESNET, "--model", in.toString(), "--input", in.toString(), "--method",
                "lrp(composite=epsilon-plus,residual=split),lrp", "--lrp-residual", "even", "--out", out.toString()), err.toString());
        JsonNode m = new ObjectMapper().readTree(out.resolve("img").resolve("manifest.json").toFile());
        assertEquals("epsilon-plus+residual=split", m.get("methods").get(0).get("lrp").get("composite").asText());
        assertEquals("epsilon-plus+residual=even", m.get("methods").get(1).get("lrp").get("composite").asText());
        assertEquals(2, explain(RESNET, "--model", in.toString(), "--input", in.toString(), "--method", "lrp(residual=halves)", "--out", tmp.resolve("bad").toString()));
    }

    @Test
    void explainWritesOneFolderOfFilesPerVariant() throws Exception {
        Path in = input("img.npy", 1), out = tmp.resolve("out");
        assertEquals(0, explain(RESNET, "--model", in.toString(), "--input", in.toString(), "--method",
                "fg-cam(level=input),fg-cam(level=stem.relu),lrp(composite=epsilon-plus),lrp(rule=epsilon)", "--layer", "b2.relu", "--out", out.toString()), err.toString());
        Path dir = out.resolve("img");
        assertArrayEquals(new int[]{12, 12}, Npy.read(dir.resolve("fg-cam_level=input.npy")).shape().dims());
        assertTrue(Files.exists(dir.resolve("fg-cam_level=stem.relu.raw.npy")));
        assertTrue(Files.exists(dir.resolve("lrp_rule=epsilon.attr.npy")));
        JsonNode m = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
        assertEquals("lrp(composite=epsilon-plus)", m.get("methods").get(2).get("method").asText());
        assertEquals("epsilon-plus", m.get("methods").get(2).get("lrp").get("composite").asText());
        assertTrue(m.get("methods").get(0).get("display_map").asText().contains("no second normalisation"));
    }

    /** evaluate scores lrp with each composite and fg-cam at three levels in one run. */
    @Test
    void evaluateScoresEveryLrpCompositeAndThreeFgCamLevelsInOneRun() throws Exception {
        Npy.write(tmp.resolve("fashion.npy"), TinyCnn.fashionImages(2));
        Path model = Files.writeString(tmp.resolve("model.cnd"), "stand-in"), out = tmp.resolve("eval");
        String methods = "fg-cam(level=relu1),fg-cam(level=pool),fg-cam(level=input),lrp(composite=epsilon-plus),lrp(composite=epsilon-gamma-box),"
                + "lrp(composite=epsilon-alpha2-beta1),lrp(composite=captum)";
        StringWriter e = new StringWriter();
        int code = EvaluateCommandTest.run(tmp, e, "--model", model.toString(), "--input", tmp.resolve("fashion.npy").toString(), "--layer", "relu2",
                "--method", methods, "--method", "lrp", "--rule", "epsilon", "--metric", "deletion,insertion", "--out", out.toString(), "--threads", "1");
        assertEquals(0, code, e.toString());
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        List<String> labels = List.of("fg-cam(level=relu1)", "fg-cam(level=pool)", "fg-cam(level=input)", "lrp(composite=epsilon-plus)",
                "lrp(composite=epsilon-gamma-box)", "lrp(composite=epsilon-alpha2-beta1)", "lrp(composite=captum)", "lrp");
        for (String l : labels) assertEquals(2, s.get("results").get(l).get("deletion").get("n").asInt(), l + " in " + s.get("results"));
        assertNotEquals(s.get("results").get("fg-cam(level=relu1)").get("deletion").get("mean").asDouble(),
                s.get("results").get("fg-cam(level=input)").get("deletion").get("mean").asDouble(), "levels give different maps");
        assertTrue(s.get("settings").get("display_maps").get("lrp").asText().startsWith("signed channel sum"));
        assertTrue(Files.readString(out.resolve("per-image.csv")).contains(",lrp(composite=captum),deletion,"));
    }

    @Test
    void aBatchTakesOneTargetPerImageAsACommaList() throws Exception {
        Path in = input("batch.npy", 3), out = tmp.resolve("out");
        assertEquals(0, explain(RESNET, "--model", in.toString(), "--input", in.toString(), "--method", "grad-cam,gradient", "--target", "3,0,1",
                "--out", out.toString()), err.toString());
        JsonNode m = new ObjectMapper().readTree(out.resolve("batch").resolve("manifest.json").toFile());
        for (int k = 0; k < 2; k++) {
            JsonNode ts = m.get("methods").get(k).get("targets");
            assertEquals(3, ts.size());
            assertEquals(List.of(3, 0, 1), List.of(ts.get(0).get("class").asInt(), ts.get(1).get("class").asInt(), ts.get(2).get("class").asInt()));
        }
        assertEquals(List.of(new Target.ClassIndex(3), new Target.ClassIndex(7), new Target.ClassIndex(1)), Target.parseAll(List.of("3,7,1")));
        assertEquals(List.of(new Target.Label("tabby, tabby cat")), Target.parseAll(List.of("tabby, tabby cat")), "a label with a comma stays one label");
        assertEquals(2, explain(RESNET, "--model", in.toString(), "--input", in.toString(), "--target", "3,0", "--out", out.toString()));
        assertTrue(err.toString().contains("2 targets for a batch of 3 images"), err.toString());
    }

    @Test
    void aFolderTakesEachImagesLabelFromTheAnnotations() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("in")), out = tmp.resolve("out");
        Files.copy(input("a.npy", 1), dir.resolve("a.npy"));
        Files.copy(input("b.npy", 2), dir.resolve("b.npy"));
        Path ann = Files.writeString(tmp.resolve("labels.csv"), "image,label\na,4\nb-0,2\nb-1,0\n");
        assertEquals(0, explain(RESNET, "--model", dir.resolve("a.npy").toString(), "--input", dir.toString(), "--method", "grad-cam", "--annotations", ann.toString(),
                "--out", out.toString()), err.toString());
        JsonNode a = new ObjectMapper().readTree(out.resolve("a").resolve("manifest.json").toFile()).get("methods").get(0).get("targets");
        assertEquals(4, a.get(0).get("class").asInt());
        JsonNode b = new ObjectMapper().readTree(out.resolve("b").resolve("manifest.json").toFile()).get("methods").get(0).get("targets");
        assertEquals(List.of(2, 0), List.of(b.get(0).get("class").asInt(), b.get(1).get("class").asInt()));
    }

    /** The Java API takes the same method strings and gives the same map as evaluate's path. */
    @Test
    void theJavaApiRunsEveryMethodStringThroughTheSameRegistry() throws Exception {
        Tensor x = Npy.read(input("img.npy", 1));
        try (dev.candela.explainer.Explainer ex = dev.candela.explainer.Explainer.of(Executor.fast(RESNET, Parallel.serial()))) {
            for (String spec : List.of("lrp(composite=epsilon-plus)", "fg-cam(level=input)", "deeplift", "grad-cam")) {
                dev.candela.explain.Explanation api = ex.explain(x, spec);
                assertEquals(spec, api.method());
                Method m = Methods.byName(spec, RESNET);
                Tensor viaEvaluate = EvaluateCommand.methodFunctions(List.of(m), List.of(), dev.candela.explain.cam.CamOptions.defaults(), 0)
                        .get(spec).maps(Executor.fast(RESNET, Parallel.serial()), x, new int[]{api.targets().get(0).classIndex()});
                assertArrayEquals(api.maps().data(), viaEvaluate.data(), 0f, spec);
            }
        }
    }

    @Test
    void aPerturbationMethodTakesItsOwnBatchSizeWithTheSameMap() throws Exception {
        Path in = input("img.npy", 1), out = tmp.resolve("out");
        assertEquals(0, explain(RESNET, "--model", in.toString(), "--input", in.toString(), "--method", "score-cam,score-cam(batch=3)", "--layer", "b2.relu",
                "--threads", "1", "--out", out.toString()), err.toString());
        Path dir = out.resolve("img");
        assertArrayEquals(Npy.read(dir.resolve("score-cam.npy")).data(), Npy.read(dir.resolve("score-cam_batch=3.npy")).data(), 0f);
        JsonNode m = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
        assertEquals(32, m.get("methods").get(0).get("options").get("batch_size").asInt());
        assertEquals(3, m.get("methods").get(1).get("options").get("batch_size").asInt());
        var e = assertThrows(IllegalArgumentException.class, () -> Methods.parse(List.of("score-cam(batch=0)"), Methods.Defaults.none(), RESNET));
        assertTrue(e.getMessage().contains("batch must be >= 1"), e.getMessage());
    }

    @Test
    void aSoftmaxTargetIsRefusedInOnePlaceByTheMethodsThatExplainLogits() throws Exception {
        Path in = input("img.npy", 1), out = tmp.resolve("out");
        for (String m : List.of("lrp", "deeplift", "lift-cam", "gradient")) {
            assertEquals(2, explain(RESNET, "--model", in.toString(), "--input", in.toString(), "--method", m, "--target", "softmax:1", "--out", out.toString()), m);
            assertTrue(err.toString().contains("explains logits (its conservation does not hold through a softmax)"), m + ": " + err);
        }
        assertEquals(0, explain(RESNET, "--model", in.toString(), "--input", in.toString(), "--method", "grad-cam", "--target", "softmax:1", "--out", out.toString()), err.toString());
    }
}
