package dev.candela.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.graph.Preprocessing;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Resizing and cropping against PIL and torchvision themselves ({@code testdata/golden/preprocess}, made by
 * {@code tools/make_preprocess_goldens.py}): PIL's antialiased bilinear resize bit for bit, torchvision's
 * Resize(N) + CenterCrop(C) geometry (size truncation, half-to-even crop offsets) with and without antialias;
 * and embedded ICC profiles ignored by default.
 */
class PreprocessingParityTest {
    static final Path GOLD = Path.of("testdata/golden/preprocess");
    @TempDir Path tmp;

    static Picture input(String hw) throws Exception {
        Tensor t = Npy.read(GOLD.resolve("input_" + hw + ".npy"));
        return new Picture(t.dim(2), t.dim(1), t.data().clone(), false);
    }

    static Stream<String> antialiasCases() throws Exception {
        try (Stream<Path> s = Files.list(GOLD)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("antialias_")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("antialiasCases")
    void antialiasedResizeIsPilBitForBit(String file) throws Exception {
        Matcher m = Pattern.compile("antialias_(\\d+x\\d+)_to_(\\d+)x(\\d+)\\.npy").matcher(file);
        assertTrue(m.matches(), file);
        Picture in = input(m.group(1));
        int oh = Integer.parseInt(m.group(2)), ow = Integer.parseInt(m.group(3));
        Tensor gold = Npy.read(GOLD.resolve(file));
        float[] got = AntialiasResize.resizePlanes(in.rgb(), 3, in.height(), in.width(), oh, ow);
        assertArrayEquals(gold.data(), got, 0f, file + ": PIL resize(BILINEAR), exact");
    }

    static Stream<String> torchvisionCases() throws Exception {
        try (Stream<Path> s = Files.list(GOLD)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("tv_")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("torchvisionCases")
    void shorterSideThenCentreCropIsTorchvision(String file) throws Exception {
        Matcher m = Pattern.compile("tv_(\\d+x\\d+)_r(\\d+)_c(\\d+)_(antialias|bilinear)\\.npy").matcher(file);
        assertTrue(m.matches(), file);
        int n = Integer.parseInt(m.group(2)), c = Integer.parseInt(m.group(3));
        String interp = m.group(4).equals("antialias") ? Preprocessing.BILINEAR_ANTIALIAS : Preprocessing.BILINEAR;
        Preprocessing pre = new Preprocessing(n, false, null, null, 1f, 0f, "RGB", interp, Preprocessing.ICC_IGNORE);
        assertEquals("shorter-side", pre.geometry());
        Tensor got = new Preprocessor(pre, Shape.of(3, c, c)).prepare(input(m.group(1))).input();
        Tensor gold = Npy.read(GOLD.resolve(file));
        // antialias: 8-bit results, exact; bilinear: float32 arithmetic in a different order, 1e-3 on 0..255
        assertArrayEquals(gold.data(), got.data(), interp.equals(Preprocessing.BILINEAR) ? 1e-3f : 0f, file);
    }

    /** A 16 x 16 mid-grey JPEG whose embedded ICC profile says its values are linear RGB. */
    Path linearRgbJpeg() throws Exception {
        ColorSpace linear = new ICC_ColorSpace(ICC_Profile.getInstance(ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData()));
        ComponentColorModel cm = new ComponentColorModel(linear, false, false, java.awt.Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        WritableRaster r = cm.createCompatibleWritableRaster(16, 16);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) r.setPixel(x, y, new int[]{128, 128, 128});
        BufferedImage img = new BufferedImage(cm, r, false, null);
        Path f = tmp.resolve("linear.jpg");
        assertTrue(ImageIO.write(img, "jpeg", f.toFile()), "the JDK wrote a JPEG");
        return f;
    }

    @Test
    void embeddedIccProfileIsIgnoredByDefaultAndAppliedOnRequest() throws Exception {
        Path f = linearRgbJpeg();
        Picture ignored = ImageLoader.load(f), applied = ImageLoader.load(f, true);
        // the stored values, as PIL reads them
        assertEquals(128f, ignored.rgb()[0], 1f, "ICC ignored: stored value");
        // linear 128/255 is sRGB ~188
        assertTrue(applied.rgb()[0] > 170, "ICC applied: linear 0.5 becomes sRGB ~188, got " + applied.rgb()[0]);
        Preprocessing base = new Preprocessing(0, false, null, null, 1f, 0f, "RGB");
        assertEquals(ignored.rgb()[0], new Preprocessor(base, Shape.of(3, 16, 16)).load(f).rgb()[0]);
        assertEquals(applied.rgb()[0], new Preprocessor(base.with(Preprocessing.BILINEAR, Preprocessing.ICC_APPLY), Shape.of(3, 16, 16)).load(f).rgb()[0]);
    }

    @Test
    void geometryNames() {
        assertEquals("squash", new Preprocessing(0, false, null, null, 1, 0, "RGB").geometry());
        assertEquals("center-square", new Preprocessing(224, true, null, null, 1, 0, "RGB").geometry());
        assertEquals("shorter-side", new Preprocessing(256, false, null, null, 1, 0, "RGB").geometry());
        Preprocessing p = new Preprocessing(0, false, null, null, 1, 0, "RGB");
        assertEquals(Preprocessing.BILINEAR, p.interpolation());
        assertEquals(Preprocessing.ICC_IGNORE, p.iccProfile());
    }
}
