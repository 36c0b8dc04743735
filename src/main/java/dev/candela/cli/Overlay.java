package dev.candela.cli;

import dev.candela.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Heatmap over the image: a jet colormap blended 50/50 with the image (pytorch-grad-cam's show_cam_on_image default). */
final class Overlay {
    private Overlay() {}

    static void write(Path file, float[][] rgb, Tensor map) throws IOException {
        int h = map.dim(0), w = map.dim(1);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                float v = Math.max(0f, Math.min(1f, map.data()[i]));
                float[] c = jet(v);
                int r = Math.round(0.5f * c[0] * 255f + 0.5f * rgb[0][i]);
                int g = Math.round(0.5f * c[1] * 255f + 0.5f * rgb[1][i]);
                int b = Math.round(0.5f * c[2] * 255f + 0.5f * rgb[2][i]);
                img.setRGB(x, y, (clamp(r) << 16) | (clamp(g) << 8) | clamp(b));
            }
        }
        if (!ImageIO.write(img, "png", file.toFile())) throw new IOException("no PNG writer available for " + file);
    }

    private static int clamp(int v) { return Math.max(0, Math.min(255, v)); }

    /** The classic jet ramp: dark blue, blue, cyan, yellow, red, dark red. */
    static float[] jet(float v) {
        float r = Math.max(0f, Math.min(1f, 1.5f - Math.abs(4f * v - 3f)));
        float g = Math.max(0f, Math.min(1f, 1.5f - Math.abs(4f * v - 2f)));
        float b = Math.max(0f, Math.min(1f, 1.5f - Math.abs(4f * v - 1f)));
        return new float[]{r, g, b};
    }
}
