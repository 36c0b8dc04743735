package dev.candela.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class OverlayTest {
    @Test
    void heatmapPutsColoursInRgbPlaneOrder() {
        Picture p = Overlay.heatmap(new float[]{0f, 1f}, 1, 2, Colormap.DIVERGING);
        // pixel 0 blue, pixel 1 red; planes are R, G, B
        assertEquals(0f, p.rgb()[0]);
        assertEquals(255f, p.rgb()[1]);
        assertEquals(255f, p.rgb()[4]);
        assertEquals(0f, p.rgb()[5]);
    }

    @ParameterizedTest(name = "overlay is the opacity-weighted mix of colour and pixel, seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void overlayIsConvexMix(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int h = 5, w = 7;
        float[] px = new float[3 * h * w], map = new float[h * w];
        for (int i = 0; i < px.length; i++) px[i] = rnd.nextInt(256);
        for (int i = 0; i < map.length; i++) map[i] = (float) rnd.nextDouble();
        Picture img = new Picture(w, h, px, false);
        float a = (float) rnd.nextDouble();
        Picture heat = Overlay.heatmap(map, h, w, Colormap.JET);
        Picture o = Overlay.overlay(img, map, h, w, Colormap.JET, a);
        for (int i = 0; i < px.length; i++) {
            assertEquals(a * heat.rgb()[i] + (1 - a) * px[i], o.rgb()[i], 1e-3, "seed " + seed + " index " + i);
        }
        Picture full = Overlay.overlay(img, map, h, w, Colormap.JET, 1f);
        for (int i = 0; i < px.length; i++) assertEquals(heat.rgb()[i], full.rgb()[i], 1e-4, "seed " + seed);
    }

    @Test
    void overlayResizesTheMapToThePicture() {
        Picture img = Picture.gray(8, 8, new float[64]);
        float[] map = {0, 0, 1, 1};
        Picture o = Overlay.overlay(img, map, 2, 2, Colormap.JET, 1f);
        assertEquals(8, o.width());
        // bottom rows are hot (red dominant), top rows cold (blue dominant)
        assertEquals(true, o.rgb()[63] > o.rgb()[2 * 64 + 63]);
        assertEquals(true, o.rgb()[0] < o.rgb()[2 * 64]);
    }

    @Test
    void signedIsWhiteAtZeroAndSymmetric() {
        float[] a = {-2, 0, 2, 1};
        Picture p = Overlay.signed(a, 1, 4, 100);
        float[] rgb = p.rgb();
        // zero -> white
        assertEquals(255f, rgb[1]); assertEquals(255f, rgb[4 + 1]); assertEquals(255f, rgb[8 + 1]);
        // -2 -> blue, +2 -> red, +1 -> half-saturated red
        assertEquals(0f, rgb[0]); assertEquals(255f, rgb[8]);
        assertEquals(255f, rgb[2]); assertEquals(0f, rgb[8 + 2]);
        assertEquals(128f, rgb[4 + 3], 1f);
    }

    @Test
    void badArgumentsAreRejected() {
        Picture img = Picture.gray(2, 2, new float[4]);
        assertThrows(IllegalArgumentException.class, () -> Overlay.overlay(img, new float[4], 2, 2, Colormap.JET, 1.5f));
        assertThrows(IllegalArgumentException.class, () -> Overlay.heatmap(new float[3], 2, 2, Colormap.JET));
    }
}
