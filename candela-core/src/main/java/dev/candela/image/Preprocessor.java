package dev.candela.image;

import dev.candela.graph.Model;
import dev.candela.graph.Preprocessing;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns pictures into a model's NCHW input tensor using the model's own {@link Preprocessing}.
 * <p>Geometry, in this order:
 * <ol>
 *   <li>{@code centerCrop}: cut the largest centred square;</li>
 *   <li>{@code resize = N > 0}: resize so the shorter side is N (after a square crop: N x N),
 *       then cut the centred H x W the model takes (torchvision's Resize(N) + CenterCrop(H), its rounding);</li>
 *   <li>{@code resize = 0}: resize ("squash") straight to H x W.</li>
 * </ol>
 * Resizing is bilinear with half-pixel centres, either without antialiasing (OpenCV INTER_LINEAR, PyTorch
 * {@code interpolate}) or antialiased exactly as PIL's {@code resize(BILINEAR)} ({@link AntialiasResize}).
 * Values: {@code (pixel/255 - mean[c]) / std[c]} or {@code pixel * scale + offset}; channels in the
 * model's order (RGB, BGR, or the luma for one-channel models).
 * Stateless and thread-safe.
 */
public final class Preprocessor {
    private final Preprocessing pre;
    private final int channels, height, width;

    /** What the model sees: the input tensor, and the same view as a picture (for overlays). */
    public record Prepared(Tensor input, Picture view) {}

    public Preprocessor(Preprocessing pre, Shape inputItemShape) {
        if (inputItemShape.rank() != 3) throw new IllegalArgumentException("image models take C x H x W input, this one takes " + inputItemShape);
        this.pre = pre;
        this.channels = inputItemShape.dim(0);
        this.height = inputItemShape.dim(1);
        this.width = inputItemShape.dim(2);
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("image models take 1 or 3 channels, this one takes " + channels);
        if (channels == 3 && "GRAY".equals(pre.channelOrder())) throw new IllegalArgumentException("channel order GRAY needs a one-channel model, this one takes 3 channels");
        int[] lengths = pre.mean() == null ? new int[0] : new int[]{pre.mean().length, pre.std().length};
        for (int len : lengths) {
            if (len != 1 && len != channels) throw new IllegalArgumentException("mean/std have " + len + " values but the model takes " + channels + " channel(s)");
        }
        if (pre.resize() > 0 && pre.resize() < Math.min(height, width)) {
            throw new IllegalArgumentException("resize " + pre.resize() + " is smaller than the model input " + height + "x" + width);
        }
    }

    public Preprocessor(Model model) {
        this(model.preprocessing(), model.graph().inputItemShape());
    }

    public Shape itemShape() { return Shape.of(channels, height, width); }

    /** The picture cropped and resized to the model's H x W, still in 0..255 (see {@link Preprocessing} for the geometry). */
    public Picture view(Picture p) {
        Picture v = pre.centerCrop() ? p.centerSquare() : p;
        int n = pre.resize();
        if (n <= 0) return resize(v, width, height);
        int w, h;
        if (pre.centerCrop()) {
            w = h = n; // a square stays square
        } else if (v.width() <= v.height()) { // torchvision: the longer side is int(N * long / short)
            w = n;
            h = (int) ((double) n * v.height() / v.width());
        } else {
            h = n;
            w = (int) ((double) n * v.width() / v.height());
        }
        if ((long) w * h > dev.candela.io.Limits.maxImagePixels()) {
            throw new ImageFormatException("resizing a " + v.width() + "x" + v.height() + " image to shorter side " + n + " gives " + w + "x" + h
                    + " pixels, more than the limit of " + dev.candela.io.Limits.maxImagePixels() + " (candela.maxImagePixels)");
        }
        v = resize(v, w, h);
        if (v.width() == width && v.height() == height) return v;
        // torchvision's CenterCrop: offsets int(round((size - crop) / 2)), Python's round (half to even)
        return v.crop((int) Math.rint((v.width() - width) / 2.0), (int) Math.rint((v.height() - height) / 2.0), width, height);
    }

    private Picture resize(Picture v, int w, int h) {
        if (!pre.antialias() || (w == v.width() && h == v.height())) return v.resize(w, h);
        return new Picture(w, h, AntialiasResize.resizePlanes(v.rgb(), 3, v.height(), v.width(), h, w), v.grayscale());
    }

    /** Loads an image file as this preprocessing says (embedded ICC profiles ignored or applied). */
    public Picture load(java.nio.file.Path file) {
        return ImageLoader.load(file, pre.applyIcc());
    }

    public Prepared prepare(Picture p) {
        Picture v = view(p);
        return new Prepared(new Tensor(Shape.of(1, channels, height, width), values(v)), v);
    }

    /** A batch from several pictures (each prepared on its own, stacked on the first axis). */
    public Tensor batch(List<Picture> pictures) {
        List<Tensor> items = new ArrayList<>();
        for (Picture p : pictures) items.add(prepare(p).input());
        return Tensor.concatBatch(items);
    }

    private float[] values(Picture v) {
        int n = v.plane();
        float[] out = new float[channels * n];
        if (channels == 1) {
            float[] l = v.luma();
            for (int i = 0; i < n; i++) out[i] = pre.value(0, l[i]);
            return out;
        }
        boolean bgr = "BGR".equals(pre.channelOrder());
        float[] rgb = v.rgb();
        for (int c = 0; c < 3; c++) {
            int src = bgr ? 2 - c : c;
            for (int i = 0; i < n; i++) out[c * n + i] = pre.value(c, rgb[src * n + i]);
        }
        return out;
    }
}
