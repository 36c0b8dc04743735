package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.candela.explain.ShapedModels;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.tensor.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code candela explain} with fg-cam (--base, --fg-layer, --denoise), lrp-cam and lrp (--rule / --composite). */
class FgCamLrpCommandTest {
    @TempDir Path tmp;
    private final StringWriter err = new StringWriter();

    private static Model model() { return ShapedModels.build(ShapedModels.Kind.RESNET, 7, true); }

    private int run(String... args) {
        ExplainCommand c = new ExplainCommand(new PrintWriter(err, true));
        c.loader = p -> model();
        return Main.execute(c, args);
    }

    private Path input() throws Exception {
        Random r = new Random(5);
        float[] d = new float[3 * 12 * 12];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        Path in = tmp.resolve("img.npy");
        Npy.write(in, Tensor.of(d, 1, 3, 12, 12));
        return in;
    }

    @Test
    void fgCamToTheInputWritesAFullResolutionMapAndConservesInTheManifest() throws Exception {
        Path in = input(), out = tmp.resolve("out");
        assertEquals(0, run("--model", in.toString(), "--input", in.toString(), "--method", "fg-cam,lrp-cam", "--base", "grad-cam++",
                "--fg-layer", "input", "--fg-zero", "spread", "--layer", "b2.relu", "--target", "3", "--out", out.toString()), err.toString());
        Path dir = out.resolve("img");
        assertArrayEquals(new int[]{12, 12}, Npy.read(dir.resolve("fg-cam.npy")).shape().dims());
        assertArrayEquals(new int[]{12, 12}, Npy.read(dir.resolve("fg-cam.raw.npy")).shape().dims());
        assertArrayEquals(new int[]{8}, Npy.read(dir.resolve("lrp-cam.weights.npy")).shape().dims());
        JsonNode fg = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile()).get("methods").get(0).get("fg_cam");
        assertEquals("grad-cam++", fg.get("base").asText());
        double c = fg.get("components_sum").get(0).asDouble(), s = fg.get("map_sum").get(0).asDouble();
        assertEquals(c, s, 1e-4 * Math.abs(c), "fg-cam map total vs component total");
    }

    @Test
    void fgCamWithDenoisingToAnInnerLayer() throws Exception {
        Path in = input(), out = tmp.resolve("out");
        assertEquals(0, run("--model", in.toString(), "--input", in.toString(), "--method", "fg-cam", "--denoise", "--fg-layer", "stem.relu",
                "--layer", "b2.relu", "--out", out.toString()), err.toString());
        assertArrayEquals(new int[]{12, 12}, Npy.read(out.resolve("img").resolve("fg-cam.raw.npy")).shape().dims());
        JsonNode fg = new ObjectMapper().readTree(out.resolve("img").resolve("manifest.json").toFile()).get("methods").get(0).get("fg_cam");
        assertEquals("official", fg.get("denoise").asText());
    }

    @Test
    void lrpWritesSignedInputRelevanceWithItsRulesInTheManifest() throws Exception {
        Path in = input(), out = tmp.resolve("out");
        assertEquals(0, run("--model", in.toString(), "--input", in.toString(), "--method", "lrp", "--rule", "epsilon", "--target", "1",
                "--out", out.toString()), err.toString());
        Tensor attr = Npy.read(out.resolve("img").resolve("lrp.attr.npy"));
        assertArrayEquals(new int[]{3, 12, 12}, attr.shape().dims());
        JsonNode m = new ObjectMapper().readTree(out.resolve("img").resolve("manifest.json").toFile()).get("methods").get(0);
        assertEquals("epsilon", m.get("lrp").get("composite").asText());
        Tensor map = Npy.read(out.resolve("img").resolve("lrp.npy"));
        assertTrue(map.min() >= 0 && map.max() <= 1);
    }

    @Test
    void badLrpAndFgCamOptionsAreOneLineUsageErrors() throws Exception {
        Path in = input();
        assertEquals(2, run("--model", in.toString(), "--input", in.toString(), "--method", "lrp", "--rule", "nope", "--out", tmp.resolve("a").toString()));
        assertTrue(err.toString().contains("unknown LRP rule"), err.toString());
        assertEquals(2, run("--model", in.toString(), "--input", in.toString(), "--method", "fg-cam", "--base", "eigen-cam", "--out", tmp.resolve("b").toString()));
        assertTrue(err.toString().contains("no per-channel components"), err.toString());
        assertEquals(2, run("--model", in.toString(), "--input", in.toString(), "--method", "fg-cam", "--fg-layer", "fc", "--out", tmp.resolve("c").toString()));
    }
}
