package dev.candela.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ColormapTest {
    static int r(int c) { return (c >> 16) & 0xff; }
    static int g(int c) { return (c >> 8) & 0xff; }
    static int b(int c) { return c & 0xff; }

    @Test
    void jetMatchesOpenCvLookupTableWithinTwoLevels() throws Exception {
        // Golden: cv2.applyColorMap(arange(256), COLORMAP_JET) converted to RGB (tools/colormaps.py).
        Tensor lut = dev.candela.image.Npy.read(Path.of("testdata/golden/colormaps/jet_opencv.npy"));
        int worst = 0;
        for (int i = 0; i < 256; i++) {
            int c = Colormap.JET.rgb(i / 255.0);
            int[] mine = {r(c), g(c), b(c)};
            for (int k = 0; k < 3; k++) {
                int d = Math.abs(mine[k] - (int) lut.get(i, k));
                worst = Math.max(worst, d);
                assertTrue(d <= 2, "jet level " + i + " channel " + k + ": " + mine[k] + " vs OpenCV " + lut.get(i, k));
            }
        }
        System.out.println("jet vs OpenCV: largest difference " + worst + " levels");
    }

    @Test
    void perceptualMapsHaveIncreasingLuminance() {
        for (Colormap cm : new Colormap[]{Colormap.VIRIDIS, Colormap.INFERNO}) {
            double prev = -1;
            for (int i = 0; i < 256; i++) {
                int c = cm.rgb(i / 255.0);
                double y = 0.2126 * r(c) + 0.7152 * g(c) + 0.0722 * b(c);
                assertTrue(y >= prev - 0.5, cm + " luminance falls at level " + i);
                prev = y;
            }
        }
    }

    @Test
    void knownEndpoints() {
        assertEquals(0x440154, Colormap.VIRIDIS.rgb(0));   // viridis starts dark purple
        assertEquals(0xfde725, Colormap.VIRIDIS.rgb(1));   // and ends yellow
        assertEquals(0x000004, Colormap.INFERNO.rgb(0));
        assertEquals(0x000080, Colormap.JET.rgb(0)); // dark blue
        assertEquals(0x800000, Colormap.JET.rgb(1)); // dark red
        assertTrue(r(Colormap.TURBO.rgb(0)) < 0x40 && b(Colormap.TURBO.rgb(0.2)) > 0xc0, "turbo starts dark, then blue");
        assertEquals(0x0000ff, Colormap.DIVERGING.rgb(0));
        assertEquals(0xffffff, Colormap.DIVERGING.rgb(0.5));
        assertEquals(0xff0000, Colormap.DIVERGING.rgb(1));
    }

    @Test
    void outOfRangeAndNanAreClamped() {
        for (Colormap cm : Colormap.values()) {
            assertEquals(cm.rgb(0), cm.rgb(-3));
            assertEquals(cm.rgb(1), cm.rgb(7));
            assertEquals(cm.rgb(0), cm.rgb(Double.NaN));
        }
    }

    @Test
    void parseSuggestsNearestName() {
        assertEquals(Colormap.TURBO, Colormap.parse("Turbo"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Colormap.parse("virdis"));
        assertTrue(e.getMessage().contains("did you mean 'viridis'"), e.getMessage());
    }
}
