package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.candela.format.ImportOptions;
import dev.candela.onnx.OnnxImporter;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.tensor.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Zoo goldens (tools/make_zoo_goldens.py): pytorch-grad-cam's GradCAM and Captum's DeepLift on efficientnet_b0,
 * shufflenet_v2_x0_5 and convnext_tiny (DeepLift with the manifest's --deeplift-rules: captum on ShuffleNet, whose
 * ops all have a Captum rule, captum-exact on the other two, where Captum has none for SiLU, the gates, GELU and
 * LayerNorm and passes their gradient), compared on the committed centre crops
 * (rows and columns 16..47 of the 64 x 64 maps). The models come from the zoo folder (CANDELA_ZOO); without
 * it the test skips. Tolerances: GradCAM 1e-4 absolute on the [0, 1] map, DeepLIFT 1e-4 of the largest |value|.
 */
class ZooGoldenTest {
    static final Path GOLDEN = Path.of("testdata/golden/zoo");

    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"efficientnet_b0", "shufflenet_v2_x0_5", "convnext_tiny"})
    void matchesTheReferenceLibraries(String name) throws Exception {
        Path zoo = ZooTest.zoo();
        Assumptions.assumeTrue(zoo != null && Files.exists(zoo.resolve(name + ".onnx")), "zoo not exported (CANDELA_ZOO); skipping");
        JsonNode c = new ObjectMapper().readTree(GOLDEN.resolve("manifest.json").toFile()).get("cases").get(name);
        Model model = OnnxImporter.importFile(zoo.resolve(name + ".onnx"), ImportOptions.defaults());
        Path in = tmp.resolve("x.npy");
        Files.copy(zoo.resolve(name + ".input.npy"), in);
        List<String> args = new ArrayList<>(List.of("--model", in.toString(), "--input", in.toString(), "--method", "grad-cam,deeplift",
                "--deeplift-rules", c.get("deeplift_rules").asText(),
                "--layer", c.get("layer").asText(), "--target", c.get("class").asText(), "--out", tmp.resolve("out").toString()));
        StringWriter err = new StringWriter();
        ExplainCommand cmd = new ExplainCommand(new PrintWriter(err, true));
        cmd.loader = p -> model;
        assertEquals(0, Main.execute(cmd, args.toArray(String[]::new)), err.toString());
        Path out = tmp.resolve("out").resolve("x");
        compare(name + " grad-cam", crop(Npy.read(out.resolve("grad-cam.npy"))), Npy.read(GOLDEN.resolve(c.get("gradcam").asText())), 1e-4);
        Tensor g = Npy.read(GOLDEN.resolve(c.get("deeplift").asText()));
        double m = 0;
        for (float v : g.data()) m = Math.max(m, Math.abs(v));
        compare(name + " deeplift (" + c.get("deeplift_rules").asText() + ")", crop(Npy.read(out.resolve("deeplift.attr.npy"))), g, 1e-4 * m);
    }

    /** Rows and columns 16..47 of the last two axes. */
    static Tensor crop(Tensor t) {
        int lead = t.size() / (t.dim(-2) * t.dim(-1)), w = t.dim(-1), h = t.dim(-2);
        float[] o = new float[lead * 32 * 32];
        for (int k = 0; k < lead; k++)
            for (int i = 0; i < 32; i++)
                System.arraycopy(t.data(), (k * h + 16 + i) * w + 16, o, (k * 32 + i) * 32, 32);
        return lead == 1 ? Tensor.of(o, 32, 32) : Tensor.of(o, lead, 32, 32);
    }

    static void compare(String what, Tensor got, Tensor want, double tol) {
        assertEquals(want.shape(), got.shape(), what);
        double d = 0;
        for (int i = 0; i < got.size(); i++) d = Math.max(d, Math.abs((double) got.data()[i] - want.data()[i]));
        System.out.println("[zoo-golden] " + what + " max abs diff " + d);
        assertTrue(d <= tol, what + ": max |candela - reference| " + d + " > " + tol);
    }
}
