package dev.candela.spark;

import dev.candela.graph.Model;
import dev.candela.image.ImageFormatException;
import dev.candela.image.Picture;
import dev.candela.image.Preprocessor;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Row;

/**
 * Turns a row of Spark's {@code binaryFile} source (encoded bytes) or {@code image} source (decoded BGR bytes)
 * into the model input exactly as {@code candela explain} reads a file: encoded bytes go through Candela's own
 * decoder (the same header checks, ICC and grey handling) via a private temporary file, so a {@code binaryFile}
 * row gives the same tensor, bit for bit, as the CLI on that file.
 */
final class ImageRows {
    private ImageRows() {}

    /** The image's name as the CLI names it: the file name without its extension (seeds are derived from it). */
    static String stem(String pathOrUri) {
        if (pathOrUri == null || pathOrUri.isEmpty()) return "";
        String p = pathOrUri;
        try {
            URI u = new URI(pathOrUri);
            if (u.getPath() != null) p = u.getPath();
        } catch (URISyntaxException e) {
            // a plain path: use it as it is
        }
        int slash = p.lastIndexOf('/');
        String name = slash >= 0 ? p.substring(slash + 1) : p;
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** Encoded image bytes (PNG or JPEG) as the model's 1 x C x H x W input. */
    static Tensor fromEncoded(byte[] bytes, String name, Model model) {
        if (bytes == null) throw new IllegalArgumentException("no image bytes");
        Preprocessor pre = new Preprocessor(model);
        Path tmp = null;
        try {
            tmp = Files.createTempFile("candela-spark-", ".img");
            Files.write(tmp, bytes);
            Picture p = pre.load(tmp);
            return pre.prepare(p).input();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage image bytes: " + e.getMessage(), e);
        } catch (ImageFormatException e) {
            // the message names the temporary file: name the image instead
            String m = e.getMessage() == null ? "unreadable image" : e.getMessage();
            if (tmp != null) m = m.replace(tmp.toString(), name);
            throw new IllegalArgumentException(m, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the temporary folder is the JVM's; nothing else to do
                }
            }
        }
    }

    /**
     * A row of Spark's image source ({@code origin, height, width, nChannels, mode, data}; data in OpenCV's
     * order: B, G, R[, A] bytes per pixel, row by row) as the model's input. One channel is grey; alpha is dropped.
     */
    static Tensor fromImageStruct(Row image, Model model) {
        if (image == null) throw new IllegalArgumentException("no image (null struct: Spark could not decode the file)");
        int h = image.getInt(image.fieldIndex("height")), w = image.getInt(image.fieldIndex("width"));
        int c = image.getInt(image.fieldIndex("nChannels"));
        byte[] data = (byte[]) image.get(image.fieldIndex("data"));
        if (h < 1 || w < 1 || data == null) throw new IllegalArgumentException("image struct without pixels (" + w + " x " + h + ")");
        if (c != 1 && c != 3 && c != 4) throw new IllegalArgumentException("image struct with " + c + " channels; 1, 3 or 4 (8-bit) are supported");
        long n = (long) w * h;
        if (n > dev.candela.io.Limits.maxImagePixels()) {
            throw new IllegalArgumentException("image of " + w + " x " + h + " pixels, more than the limit of " + dev.candela.io.Limits.maxImagePixels());
        }
        if (data.length != n * c) throw new IllegalArgumentException("image struct data has " + data.length + " bytes, " + w + " x " + h + " x " + c + " expected");
        int plane = (int) n;
        Picture p;
        if (c == 1) {
            float[] g = new float[plane];
            for (int i = 0; i < plane; i++) g[i] = data[i] & 0xFF;
            p = Picture.gray(w, h, g);
        } else {
            float[] rgb = new float[3 * plane];
            for (int i = 0; i < plane; i++) {
                int o = i * c;
                rgb[i] = data[o + 2] & 0xFF;             // R
                rgb[plane + i] = data[o + 1] & 0xFF;     // G
                rgb[2 * plane + i] = data[o] & 0xFF;     // B
            }
            p = new Picture(w, h, rgb, false);
        }
        return new Preprocessor(model).prepare(p).input();
    }
}
