package dev.candela.example.embed;

import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.format.ModelFiles;
import dev.candela.graph.Model;
import dev.candela.image.Colormap;
import dev.candela.image.ImageLoader;
import dev.candela.image.Npy;
import dev.candela.image.Overlay;
import dev.candela.image.PngWriter;
import dev.candela.image.Preprocessor;
import java.nio.file.Path;

/**
 * Explains one image with Grad-CAM and writes the overlay as a PNG (and the map as .npy).
 * Usage: {@code ExplainOne MODEL(.cnd|.onnx) IMAGE OUT_DIR}.
 */
public final class ExplainOne {
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: ExplainOne MODEL IMAGE OUT_DIR");
            System.exit(2);
        }
        Model model = ModelFiles.load(Path.of(args[0]));                 // .cnd, or .onnx through candela-onnx
        Preprocessor.Prepared in = new Preprocessor(model).prepare(ImageLoader.load(Path.of(args[1])));
        Path out = Path.of(args[2]);
        java.nio.file.Files.createDirectories(out);
        try (Explainer explainer = Explainer.of(model)) {
            Explanation e = explainer.explain(in.input(), "grad-cam");    // predicted class, last spatial layer
            int h = in.input().dim(2), w = in.input().dim(3);
            float[] map = e.map(0).data();
            Npy.write(out.resolve("grad-cam.npy"), e.map(0));
            int scale = Math.max(1, 224 / Math.max(h, w));
            PngWriter.write(out.resolve("grad-cam.png"), Overlay.overlay(in.view().enlarge(scale), map, h, w, Colormap.JET, 0.5f));
            System.out.println(model.label(e.targets().get(0).classIndex()) + " -> " + out.resolve("grad-cam.png"));
        }
    }
}
