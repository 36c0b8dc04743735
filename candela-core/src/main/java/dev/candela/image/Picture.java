package dev.candela.image;

import java.awt.image.BufferedImage;

/**
 * An image held as three float planes R, G, B (values 0..255, row-major, planes one after another).
 * Grayscale sources keep {@code grayscale = true} and three equal planes, so a one-channel model
 * reads the stored grey values exactly.
 *
 * @param width     pixels per row
 * @param height    rows
 * @param rgb       3 x height x width values in 0..255
 * @param grayscale true when the source had no colour
 */
public record Picture(int width, int height, float[] rgb, boolean grayscale) {
    public Picture {
        if (width < 1 || height < 1) throw new IllegalArgumentException("picture must be at least 1x1, got " + width + "x" + height);
        if (rgb.length != 3L * width * height) throw new IllegalArgumentException("expected 3x" + height + "x" + width + " values, got " + rgb.length);
    }

    /** A grey picture from one plane of 0..255 values. */
    public static Picture gray(int width, int height, float[] plane) {
        float[] rgb = new float[3 * plane.length];
        for (int c = 0; c < 3; c++) System.arraycopy(plane, 0, rgb, c * plane.length, plane.length);
        return new Picture(width, height, rgb, true);
    }

    public int plane() { return width * height; }

    /** Channel c (0 = R, 1 = G, 2 = B) as a copy. */
    public float[] channel(int c) {
        float[] out = new float[plane()];
        System.arraycopy(rgb, c * plane(), out, 0, plane());
        return out;
    }

    /**
     * Luma in 0..255: the grey plane itself for grey pictures, otherwise ITU-R BT.601
     * (0.299 R + 0.587 G + 0.114 B, the weights PIL's {@code convert("L")} uses).
     */
    public float[] luma() {
        if (grayscale) return channel(0);
        int n = plane();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = 0.299f * rgb[i] + 0.587f * rgb[n + i] + 0.114f * rgb[2 * n + i];
        return out;
    }

    /** The sub-rectangle at (x, y) of size w x h. */
    public Picture crop(int x, int y, int w, int h) {
        if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > width || y + h > height) {
            throw new IllegalArgumentException("crop " + w + "x" + h + "+" + x + "+" + y + " outside " + width + "x" + height);
        }
        float[] out = new float[3 * w * h];
        for (int c = 0; c < 3; c++) {
            for (int r = 0; r < h; r++) {
                System.arraycopy(rgb, c * plane() + (y + r) * width + x, out, c * w * h + r * w, w);
            }
        }
        return new Picture(w, h, out, grayscale);
    }

    /** The largest centred square (offsets rounded down). */
    public Picture centerSquare() {
        int s = Math.min(width, height);
        return crop((width - s) / 2, (height - s) / 2, s, s);
    }

    /** Centred crop of w x h (offsets rounded down). */
    public Picture centerCrop(int w, int h) {
        return crop((width - w) / 2, (height - h) / 2, w, h);
    }

    /** Bilinear resize (half-pixel centres, no antialiasing: OpenCV INTER_LINEAR). */
    public Picture resize(int w, int h) {
        if (w == width && h == height) return this;
        return new Picture(w, h, Resize.bilinearPlanes(rgb, 3, height, width, h, w, Resize.Mode.HALF_PIXEL), grayscale);
    }

    /** Nearest-neighbour enlargement by an integer factor (keeps small images crisp for display). */
    public Picture enlarge(int factor) {
        if (factor <= 1) return this;
        int w = width * factor, h = height * factor;
        float[] out = new float[3 * w * h];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) out[c * w * h + y * w + x] = rgb[c * plane() + (y / factor) * width + x / factor];
            }
        }
        return new Picture(w, h, out, grayscale);
    }

    /** 8-bit sRGB image (values rounded and clamped). */
    public BufferedImage toBufferedImage() {
        int n = plane();
        if (grayscale) {
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
            byte[] px = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < n; i++) px[i] = (byte) to8(rgb[i]);
            return img;
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        // the image's own pixel array: setRGB converts every pixel through the colour model (slow before the JIT)
        int[] argb = ((java.awt.image.DataBufferInt) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < n; i++) argb[i] = (to8(rgb[i]) << 16) | (to8(rgb[n + i]) << 8) | to8(rgb[2 * n + i]);
        return img;
    }

    static int to8(float v) {
        int i = Math.round(v);
        return i < 0 ? 0 : Math.min(i, 255);
    }
}
