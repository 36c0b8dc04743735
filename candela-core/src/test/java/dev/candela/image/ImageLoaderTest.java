package dev.candela.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageLoaderTest {
    @TempDir
    Path dir;

    @Test
    void greyPngKeepsStoredValuesExactly() throws Exception {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        int[] v = {0, 1, 17, 128, 200, 255};
        img.getRaster().setSamples(0, 0, 3, 2, 0, v);
        Path f = dir.resolve("g.png");
        ImageIO.write(img, "png", f.toFile());
        Picture p = ImageLoader.load(f);
        assertTrue(p.grayscale());
        float[] expected = new float[6];
        for (int i = 0; i < 6; i++) expected[i] = v[i];
        assertArrayEquals(expected, p.luma());   // no gamma conversion on the way
        assertArrayEquals(expected, p.channel(2));
    }

    @Test
    void rgbaPngDropsAlphaWithoutCompositing() throws Exception {
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, (0x40 << 24) | (10 << 16) | (20 << 8) | 30);
        Path f = dir.resolve("a.png");
        ImageIO.write(img, "png", f.toFile());
        Picture p = ImageLoader.load(f);
        assertFalse(p.grayscale());
        assertArrayEquals(new float[]{10, 20, 30}, p.rgb());
    }

    @Test
    void writtenPngReadsBackTheSame() {
        float[] rgb = new float[3 * 4];
        for (int i = 0; i < rgb.length; i++) rgb[i] = i * 20;
        Picture p = new Picture(2, 2, rgb, false);
        Path f = dir.resolve("sub/rt.png");
        PngWriter.write(f, p);
        assertEquals(p, withSameArray(ImageLoader.load(f), p));
        assertEquals(1, countFiles(f.getParent()), "only the PNG, no temporary file left");
    }

    @Test
    void writtenPngReadsBackTheSameWithValuesRoundedAndClamped() {
        float[] rgb = {-3f, 0.4f, 0.5f, 254.6f, 300f, 17f, 99.5f, 128f, 1f, 2f, 3f, 4f};
        float[] expected = {0, 0, 1, 255, 255, 17, 100, 128, 1, 2, 3, 4}; // Math.round, then 0..255
        Picture p = new Picture(2, 2, rgb, false);
        Path f = dir.resolve("rc.png");
        PngWriter.write(f, p);
        assertArrayEquals(expected, ImageLoader.load(f).rgb());
        Picture grey = new Picture(3, 1, new float[]{-1f, 127.5f, 256f, -1f, 127.5f, 256f, -1f, 127.5f, 256f}, true);
        Path g = dir.resolve("grey.png");
        PngWriter.write(g, grey);
        assertArrayEquals(new float[]{0, 128, 255, 0, 128, 255, 0, 128, 255}, ImageLoader.load(g).rgb());
    }

    @Test
    void missingFileSaysSoAndNamesIt() {
        Path f = dir.resolve("nope.png");
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> ImageLoader.load(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void notAnImageSaysWhatItStartsWith() throws Exception {
        Path f = dir.resolve("model.png");
        Files.writeString(f, "CNDL this is not a png");
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> ImageLoader.load(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("not a PNG or JPEG"), e.getMessage());
        Path empty = dir.resolve("empty.jpg");
        Files.write(empty, new byte[0]);
        e = assertThrows(ImageFormatException.class, () -> ImageLoader.load(empty));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void truncatedFilesAreRejectedNotHalfRead() throws Exception {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) img.setRGB(x, y, (x * 4 << 16) | (y * 4 << 8) | ((x ^ y) & 0xff));
        for (String fmt : new String[]{"png", "jpg"}) {
            Path f = dir.resolve("full." + fmt);
            ImageIO.write(img, fmt, f.toFile());
            byte[] all = Files.readAllBytes(f);
            Path cut = dir.resolve("cut." + fmt);
            Files.write(cut, Arrays.copyOf(all, all.length / 2));
            ImageFormatException e = assertThrows(ImageFormatException.class, () -> ImageLoader.load(cut), fmt);
            assertTrue(e.getMessage().contains(cut.toString()) && e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void directoryIsNotAnImage() {
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> ImageLoader.load(dir));
        assertTrue(e.getMessage().contains("directory"), e.getMessage());
    }

    private static Picture withSameArray(Picture read, Picture ref) {
        return Arrays.equals(read.rgb(), ref.rgb()) ? ref : read;
    }

    private static long countFiles(Path d) {
        try (var s = Files.list(d)) {
            return s.count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
