package dev.candela.explain.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explainer.Method;
import dev.candela.explainer.Methods;
import dev.candela.explain.Target;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Deep Feature Factorization against pytorch-grad-cam's DeepFeatureFactorization with scikit-learn 1.2.1's NMF
 * (tools/make_dff_goldens.py) on the seeded VGG- and ResNet-like models, one image per case, through the method
 * registry. Tolerances (abs + rel of max |golden|): concept embeddings and the chosen NMF map abs 1e-5 + rel
 * 1e-5, concept maps and the final map (in [0,1]) abs 1e-5, head outputs abs 1e-5 + rel 1e-5,
 * class scores abs 1e-5; the NMF's iteration count
 * and the chosen concept exactly. Measured on this machine: embeddings 3.4e-5 at most (scale 12.8), NMF map
 * 7.2e-6 (scale 3.7), concept and final maps 1.7e-6, class scores 2.0e-6; iteration counts equal (96 to 200). scikit-learn's Gram products are float32 sgemm in BLAS order, Candela's are
 * rounded once from double: the one difference, which the 200 coordinate-descent sweeps of the cases that do
 * not converge carry along.
 */
class DffGoldenTest {
    static final Path DIR = Path.of("testdata/golden/dff"), ATTR = Path.of("testdata/golden/attribution");

    static Stream<Arguments> cases() {
        return dev.candela.testkit.Goldens.cases(DIR, "cases", c -> c.get("model").asText() + " " + c.get("method").asText() + " image " + c.get("image").asInt());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPytorchGradCam(String label, JsonNode c) throws IOException {
        String model = c.get("model").asText();
        Model m = GoldenModels.named(model);
        Executor ex = new Executor(m, ReferenceKernels.INSTANCE);
        Tensor all = Npy.read(ATTR.resolve("x.npy"));
        int i = c.get("image").asInt(), item = all.shape().itemSize();
        Tensor x = new Tensor(all.shape().withDim(0, 1), Arrays.copyOfRange(all.data(), i * item, (i + 1) * item));
        Method method = Methods.parse(List.of(c.get("method").asText()), Methods.Defaults.none(), m).get(0);
        Explanation e = Explainer.of(ex).explain(x, method, Explainer.Request.defaults()
                .layers(GoldenModels.tensor(model, c.get("layer").asText())).targets(List.of(Target.classIndex(3))));
        int n = c.get("components").asInt();
        Tensor concepts = (Tensor) e.audit().get("concepts");
        Tensor conceptMaps = (Tensor) e.audit().get("concept_maps");
        Tensor scores = (Tensor) e.audit().get("class_scores");
        assertEquals(c.get("nmf_iterations").asInt(), ((int[]) e.audit().get("nmf_iterations"))[0], label + " NMF iterations");
        SampledGoldenTest.assertClose(Npy.read(DIR.resolve(c.get("concepts").asText())), concepts, 1e-5, 1e-5, label + " concepts");
        SampledGoldenTest.assertClose(Npy.read(DIR.resolve(c.get("concept_maps").asText())), conceptMaps, 1e-5, 0, label + " concept maps");
        SampledGoldenTest.assertClose(Npy.read(DIR.resolve(c.get("head_outputs").asText())), (Tensor) e.audit().get("head_outputs"), 1e-5, 1e-5, label + " head outputs");
        SampledGoldenTest.assertClose(Npy.read(DIR.resolve(c.get("class_scores").asText())), scores, 1e-5, 0, label + " class scores");
        // the raw map is the chosen concept's NMF map
        Tensor nmf = Npy.read(DIR.resolve(c.get("nmf_maps").asText()));
        int chosen = ((int[]) e.audit().get("concept"))[0], hw = nmf.shape().itemSize();
        Tensor want = new Tensor(Shape.of(hw), Arrays.copyOfRange(nmf.data(), chosen * hw, (chosen + 1) * hw));
        SampledGoldenTest.assertClose(want, e.rawMaps(), 1e-5, 1e-5, label + " raw map (NMF map of concept " + chosen + ")");
        // the chosen concept is the one whose softmax score of the target class is highest
        Tensor golden = Npy.read(DIR.resolve(c.get("class_scores").asText()));
        int best = 0;
        for (int j = 1; j < n; j++) if (golden.data()[j * 10 + 3] > golden.data()[best * 10 + 3]) best = j;
        assertEquals(best, chosen, label + " chosen concept");
        Tensor map = Npy.read(DIR.resolve(c.get("concept_maps").asText()));
        int plane = map.shape().itemSize();
        SampledGoldenTest.assertClose(new Tensor(Shape.of(plane), Arrays.copyOfRange(map.data(), best * plane, (best + 1) * plane)), e.maps(), 1e-5, 0, label + " map");
        assertTrue(e.maps().size() == plane);
    }

    /**
     * The concept picture against show_factorization_on_image (image_weight 0.5, no legend) on the golden concept
     * maps: every channel value within 1 level of 255 (OpenCV's HSV conversions are reproduced, its vectorised
     * paths may round differently; measured: identical in all six cases).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void conceptPictureMatchesShowFactorizationOnImage(String label, JsonNode c) throws IOException {
        Tensor img = Npy.read(DIR.resolve(c.get("picture_input").asText())), want = Npy.read(DIR.resolve(c.get("picture").asText()));
        Tensor maps = Npy.read(DIR.resolve(c.get("concept_maps").asText()));
        int h = img.dim(0), w = img.dim(1), plane = h * w, n = c.get("components").asInt();
        float[] rgb = new float[3 * plane];
        for (int p = 0; p < plane; p++) for (int ch = 0; ch < 3; ch++) rgb[ch * plane + p] = img.data()[p * 3 + ch];
        dev.candela.image.Picture pic = dev.candela.image.ConceptPicture.draw(new dev.candela.image.Picture(w, h, rgb, false), maps.data(), n, h, w, 0.5f);
        int differ = 0;
        float worst = 0;
        for (int p = 0; p < plane; p++) {
            for (int ch = 0; ch < 3; ch++) {
                float d = Math.abs(pic.rgb()[ch * plane + p] - want.data()[p * 3 + ch]);
                if (d > 0) differ++;
                worst = Math.max(worst, d);
            }
        }
        System.out.printf("%s picture: %d of %d values differ, by at most %.0f%n", label, differ, 3 * plane, worst);
        assertTrue(worst <= 1, label + ": picture differs by " + worst + " levels");
    }
}
