package dev.candela.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.format.ModelFiles;
import dev.candela.graph.Model;
import dev.candela.image.Colormap;
import dev.candela.image.ImageLoader;
import dev.candela.image.Overlay;
import dev.candela.image.PngWriter;
import dev.candela.image.Preprocessor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Java API example, verbatim apart from the output path: it must compile and run. */
class ReadmeExampleTest {
    @TempDir
    Path tmp;

    @Test
    void readmeExampleRuns() throws Exception {
        assumeTrue(Files.exists(Path.of("weights/fashion-vgg.cnd")), "no shipped model in weights/");
        Path boot = tmp.resolve("boot.png");
        String printed;
        // --- README begins ---
        Model model = ModelFiles.load(Path.of("weights/fashion-vgg.cnd"));           // immutable, share it freely
        Preprocessor.Prepared in = new Preprocessor(model)
                .prepare(ImageLoader.load(Path.of("testdata/images/fashion-9-ankle-boot.png")));
        try (Explainer explainer = Explainer.of(model)) {                             // thread-safe
            Explanation e = explainer.explain(in.input(), "grad-cam");                // predicted class, auto layer
            System.out.println(model.label(e.targets().get(0).classIndex()));         // Ankle boot
            float[] map = e.map(0).data();                                            // 28 x 28, in [0, 1]
            PngWriter.write(boot, Overlay.overlay(in.view().enlarge(8), map, 28, 28, Colormap.JET, 0.5f));
            printed = model.label(e.targets().get(0).classIndex());
        }
        // --- README ends ---
        assertEquals("Ankle boot", printed);
        assertEquals(224, ImageLoader.load(boot).width());
        assertTrue(Files.size(boot) > 1000);
    }
}
