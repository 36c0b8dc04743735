package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.candela.graph.GraphBuilder;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExplainCommandTest {
    @TempDir Path tmp;
    private final StringWriter err = new StringWriter();

    private static Model model() {
        GraphBuilder b = new GraphBuilder("input", Shape.of(3, 12, 10), 3);
        String x = b.conv("conv1", "input", 6, 3, 1, 1);
        x = b.relu("feat", x);
        x = b.globalAvgPool("gap", x);
        x = b.flatten("flat", x);
        b.linear("logits", x, 4);
        return b.build("logits");
    }

    private Path npy(String name, int n) throws Exception {
        Random r = new Random(n);
        float[] d = new float[n * 3 * 12 * 10];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        Path p = tmp.resolve(name);
        Npy.write(p, Tensor.of(d, n, 3, 12, 10));
        return p;
    }

    private int run(String... args) {
        ExplainCommand c = new ExplainCommand(new PrintWriter(err, true));
        c.loader = p -> model();
        return Main.execute(c, args);
    }

    @Test
    void writesMapsRawWeightsOverlayAndManifestPerMethod() throws Exception {
        Path in = npy("one.npy", 1);
        Path out = tmp.resolve("out");
        assertEquals(0, run("--model", in.toString(), "--input", in.toString(), "--method", "grad-cam,score-cam,eigen-cam", "--layer", "feat", "--out", out.toString()), err.toString());
        Path dir = out.resolve("one");
        Tensor map = Npy.read(dir.resolve("grad-cam.npy"));
        assertArrayEquals(new int[]{12, 10}, map.shape().dims());
        assertTrue(map.min() >= 0 && map.max() <= 1);
        assertArrayEquals(new int[]{12, 10}, Npy.read(dir.resolve("grad-cam.raw.npy")).shape().dims());
        assertArrayEquals(new int[]{6}, Npy.read(dir.resolve("score-cam.weights.npy")).shape().dims());
        assertTrue(Files.exists(dir.resolve("eigen-cam.png")));
        assertTrue(!Files.exists(dir.resolve("eigen-cam.weights.npy")), "eigen-cam has no coefficients");
        JsonNode m = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
        assertEquals(3, m.get("methods").size());
        assertEquals("grad-cam", m.get("methods").get(0).get("method").asText());
        assertEquals(64, m.get("model").get("sha256").asText().length());
    }

    @Test
    void anImageInputsManifestNamesThePreprocessing() throws Exception {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(10, 12, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 12; y++) for (int x = 0; x < 10; x++) img.setRGB(x, y, (x * 20) << 16 | (y * 20) << 8 | 90);
        Path png = tmp.resolve("pic.png");
        javax.imageio.ImageIO.write(img, "png", png.toFile());
        Path out = tmp.resolve("out");
        assertEquals(0, run("--model", png.toString(), "--input", png.toString(), "--method", "grad-cam", "--layer", "feat", "--out", out.toString()), err.toString());
        JsonNode pre = new ObjectMapper().readTree(out.resolve("pic/manifest.json").toFile()).get("preprocessing");
        assertEquals("squash", pre.get("geometry").asText(), pre.toString());
        assertEquals("bilinear", pre.get("interpolation").asText());
        assertEquals("ignore", pre.get("icc_profile").asText());
    }

    @Test
    void aBatchStacksResultsOnAFirstAxisAndTopKAddsOne() throws Exception {
        Path in = npy("batch.npy", 3);
        Path out = tmp.resolve("out");
        assertEquals(0, run("--model", in.toString(), "--input", in.toString(), "--method", "grad-cam", "--out", out.toString()), err.toString());
        assertArrayEquals(new int[]{3, 12, 10}, Npy.read(out.resolve("batch/grad-cam.npy")).shape().dims());
        assertTrue(err.toString().contains("layer auto -> feat"), err.toString());
        assertEquals(0, run("--model", in.toString(), "--input", in.toString(), "--method", "cam", "--target", "top2", "--out", out.toString()), err.toString());
        assertArrayEquals(new int[]{3, 2, 12, 10}, Npy.read(out.resolve("batch/cam.npy")).shape().dims());
    }

    @Test
    void badInputExitsWithTwoAndAOneLineReason() throws Exception {
        Path in = npy("batch.npy", 3);
        Path out = tmp.resolve("out");
        assertEquals(2, run("--model", in.toString(), "--input", in.toString(), "--method", "grad-cam", "--target", "1", "--target", "2", "--out", out.toString()));
        assertTrue(err.toString().contains("2 targets for a batch of 3 images"), err.toString());
        assertEquals(2, run("--model", in.toString(), "--input", in.toString(), "--method", "no-such-cam", "--out", out.toString()));
        assertTrue(err.toString().contains("unknown CAM method 'no-such-cam'"), err.toString());
        assertEquals(2, run("--model", in.toString(), "--input", tmp.resolve("missing.npy").toString(), "--method", "cam", "--out", out.toString()));
        assertEquals(2, run("--model", in.toString(), "--input", in.toString(), "--method", "cam", "--layer", "nope", "--out", out.toString()));
        assertTrue(err.toString().contains("unknown layer 'nope'"), err.toString());
        assertEquals(2, run("--model", in.toString(), "--out", out.toString()), "no input is a usage error");
        assertTrue(err.toString().contains("no input: give an image"), err.toString());
        assertEquals(0, run("--model", in.toString(), in.toString(), "--out", out.toString()), "--method defaults to grad-cam; the input may be positional");
        assertTrue(Files.exists(out.resolve("batch/grad-cam.npy")));
    }
}
