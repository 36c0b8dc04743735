package dev.candela.image;

import dev.candela.io.AtomicFile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Base64;
import javax.imageio.ImageIO;

/**
 * PNG output: 8-bit RGB (grey pictures as 8-bit grey), values rounded and clamped to 0..255. Files are
 * written atomically (temporary file, then rename), so an interrupted run leaves no broken PNG.
 */
public final class PngWriter {
    private PngWriter() {}

    public static void write(Path file, Picture p) {
        AtomicFile.write(file, encode(p));
    }

    public static byte[] encode(Picture p) {
        return encode(p.toBufferedImage());
    }

    public static byte[] encode(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", out)) throw new IllegalStateException("no PNG writer in this JDK");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A {@code data:image/png;base64,...} URI, for pages that must stand alone. */
    public static String dataUri(Picture p) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(encode(p));
    }
}
