package dev.candela.cli;

import dev.candela.graph.Model;
import dev.candela.graph.Preprocessing;
import dev.candela.image.Npy;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One input file as the model sees it, plus an RGB view (0..255, H x W) of each image for overlays.
 * A .npy tensor is used exactly as given (N x C x H x W); its view inverts the model's preprocessing.
 */
record InputBatch(Tensor tensor, String kind) {

    static boolean isSupported(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".npy") || n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    static InputBatch read(Path file, Model m) throws IOException {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".npy")) {
            Tensor t = Npy.read(file);
            Shape item = m.graph().inputItemShape();
            boolean ok = t.rank() == item.rank() + 1;
            for (int i = 0; ok && i < item.rank(); i++) ok = t.dim(i + 1) == item.dim(i);
            if (!ok || t.dim(0) < 1) throw new IllegalArgumentException(file + ": tensor has shape " + t.shape() + ", the model takes Nx" + item);
            return new InputBatch(t, "npy");
        }
        throw new IllegalArgumentException(file + ": image files are not supported by this build yet; pass a .npy tensor (N x C x H x W)");
    }

    /** Image n as interleaved-free planes: float[3][H*W] in 0..255 (grey inputs repeated). */
    float[][] view(int image, Preprocessing pre) {
        int c = tensor.dim(1), h = tensor.dim(2), w = tensor.dim(3), plane = h * w;
        float[][] rgb = new float[3][plane];
        for (int ch = 0; ch < 3; ch++) {
            int src = Math.min(ch, c - 1);
            int modelCh = "BGR".equals(pre.channelOrder()) ? 2 - src : src;
            modelCh = Math.min(modelCh, c - 1);
            for (int i = 0; i < plane; i++) {
                float v = tensor.data()[(image * c + modelCh) * plane + i];
                float px = pre.mean() != null ? (v * pre.std()[Math.min(modelCh, pre.std().length - 1)] + pre.mean()[Math.min(modelCh, pre.mean().length - 1)]) * 255f
                        : (v - pre.offset()) / pre.scale();
                rgb[ch][i] = Math.max(0f, Math.min(255f, px));
            }
        }
        return rgb;
    }
}
