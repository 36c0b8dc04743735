package dev.candela.cli;

import dev.candela.graph.Model;
import dev.candela.graph.Preprocessing;
import dev.candela.image.ImageLoader;
import dev.candela.image.Npy;
import dev.candela.image.Picture;
import dev.candela.image.Preprocessor;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One input file as the model sees it, plus a view of each image (RGB 0..255, H x W) for overlays.
 * An image file is loaded and preprocessed with the model's own metadata; a .npy tensor is used
 * exactly as given (N x C x H x W) and its view inverts the model's preprocessing.
 */
record InputBatch(Tensor tensor, String kind, List<Picture> views) {

    static boolean isSupported(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".npy") || ImageLoader.isImage(f);
    }

    static InputBatch read(Path file, Model m) throws IOException {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".npy")) {
            Tensor t;
            try {
                t = Npy.read(file);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new IllegalArgumentException("cannot read " + file + ": no such file");
            }
            Shape item = m.graph().inputItemShape();
            boolean ok = t.rank() == item.rank() + 1;
            for (int i = 0; ok && i < item.rank(); i++) ok = t.dim(i + 1) == item.dim(i);
            if (!ok || t.dim(0) < 1) throw new IllegalArgumentException(file + ": tensor has shape " + t.shape() + ", the model takes Nx" + item);
            List<Picture> views = new ArrayList<>();
            if (item.rank() == 3) for (int i = 0; i < t.dim(0); i++) views.add(inverse(t, i, m.preprocessing()));
            return new InputBatch(t, "npy", views);
        }
        if (!ImageLoader.isImage(file)) {
            throw new IllegalArgumentException("cannot read " + file + ": expected an image (.png, .jpg, .jpeg) or a .npy tensor");
        }
        Preprocessor pre = new Preprocessor(m);
        Preprocessor.Prepared prepared = pre.prepare(pre.load(file));
        return new InputBatch(prepared.input(), "image", List.of(prepared.view()));
    }

    /** Image n of a tensor with the model's preprocessing undone (grey inputs repeated), clamped to 0..255. */
    private static Picture inverse(Tensor tensor, int image, Preprocessing pre) {
        int c = tensor.dim(1), h = tensor.dim(2), w = tensor.dim(3), plane = h * w;
        float[] rgb = new float[3 * plane];
        for (int ch = 0; ch < 3; ch++) {
            int src = Math.min(ch, c - 1);
            int modelCh = "BGR".equals(pre.channelOrder()) ? 2 - src : src;
            modelCh = Math.min(modelCh, c - 1);
            for (int i = 0; i < plane; i++) {
                float v = tensor.data()[(image * c + modelCh) * plane + i];
                float px = pre.mean() != null ? (v * pre.std()[Math.min(modelCh, pre.std().length - 1)] + pre.mean()[Math.min(modelCh, pre.mean().length - 1)]) * 255f
                        : (v - pre.offset()) / pre.scale();
                rgb[ch * plane + i] = Math.max(0f, Math.min(255f, px));
            }
        }
        return new Picture(w, h, rgb, c == 1);
    }
}
