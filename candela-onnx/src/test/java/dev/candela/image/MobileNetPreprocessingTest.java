package dev.candela.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.candela.format.ImportOptions;
import dev.candela.format.ModelFiles;
import dev.candela.graph.Model;
import dev.candela.graph.Preprocessing;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Images loaded and preprocessed in Java (centre square, bilinear 224, pixel/127.5 - 1) give the shared
 * MobileNet's expected top-1 classes: tabby (281) for chelsea.png, espresso (967) for coffee.png.
 */
class MobileNetPreprocessingTest {
    static final Path SHARED = Path.of("../shared");

    @Test
    void catIsTabbyAndCoffeeIsEspresso() throws Exception {
        Path onnx = SHARED.resolve("models/mobilenet_v1_0.25_224_imagenet.onnx");
        assumeTrue(Files.exists(onnx), "../shared/models is absent (fresh clone): skipping the MobileNet check");
        List<String> labels = Files.readAllLines(SHARED.resolve("models/imagenet_classes.txt"));
        Preprocessing pre = new Preprocessing(224, true, null, null, 1f / 127.5f, -1f, "RGB");
        Model m = ModelFiles.load(onnx, new ImportOptions(null, false, pre, labels));
        Preprocessor p = new Preprocessor(m);
        try (Parallel par = new Parallel(2)) {
            Executor ex = Executor.fast(m, par);
            Tensor batch = p.batch(List.of(ImageLoader.load(SHARED.resolve("images/chelsea.png")),
                    ImageLoader.load(SHARED.resolve("images/coffee.png"))));
            Activations a = ex.forward(batch, java.util.Set.of());
            Tensor logits = a.output();
            int[] expected = {281, 967};
            for (int i = 0; i < 2; i++) {
                float[] row = logits.item(i).data();
                int best = 0;
                for (int k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
                double z = 0;
                for (float v : row) z += Math.exp(v - row[best]);
                System.out.printf("image %d: top-1 %d %s p=%.3f%n", i, best, labels.get(best), 1 / z);
                assertEquals(expected[i], best, "top-1 of image " + i + " (" + labels.get(best) + ")");
            }
        }
    }
}
