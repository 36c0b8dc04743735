package dev.candela.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.candela.graph.Preprocessing;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreprocessorTest {
    /** A w x h picture whose R value is the column index, G the row index, B constant 7. */
    static Picture ramp(int w, int h) {
        float[] rgb = new float[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                rgb[y * w + x] = x;
                rgb[w * h + y * w + x] = y;
                rgb[2 * w * h + y * w + x] = 7;
            }
        }
        return new Picture(w, h, rgb, false);
    }

    @Test
    void centreCropTakesTheMiddleSquareThenScaleOffset() {
        Preprocessing pre = new Preprocessing(4, true, null, null, 2f, -1f, "RGB");
        Preprocessor p = new Preprocessor(pre, Shape.of(3, 4, 4));
        Tensor t = p.prepare(ramp(8, 4)).input();
        assertEquals(Shape.of(1, 3, 4, 4), t.shape());
        // columns 2..5 survive; value = pixel*2 - 1
        assertEquals(2 * 2 - 1, t.get(0, 0, 0, 0));
        assertEquals(5 * 2 - 1, t.get(0, 0, 3, 3));
        assertEquals(3 * 2 - 1, t.get(0, 1, 3, 0));
        assertEquals(7 * 2 - 1, t.get(0, 2, 1, 1));
    }

    @Test
    void bgrSwapsChannelsAndMeanStdFollowModelOrder() {
        Preprocessing pre = new Preprocessing(0, false, new float[]{0.1f, 0.2f, 0.3f}, new float[]{0.5f, 0.25f, 2f}, 1, 0, "BGR");
        Tensor t = new Preprocessor(pre, Shape.of(3, 2, 3)).prepare(ramp(3, 2)).input();
        // model channel 0 is blue (7), channel 2 is red (column index)
        assertEquals((7 / 255f - 0.1f) / 0.5f, t.get(0, 0, 1, 1), 1e-6);
        assertEquals((1 / 255f - 0.2f) / 0.25f, t.get(0, 1, 1, 2), 1e-6);
        assertEquals((2 / 255f - 0.3f) / 2f, t.get(0, 2, 0, 2), 1e-6);
    }

    @Test
    void oneChannelModelReadsGreyValuesExactly() {
        float[] g = {0, 50, 100, 255};
        Preprocessing pre = new Preprocessing(0, false, new float[]{0.2860f}, new float[]{0.3530f}, 1, 0, "GRAY");
        Tensor t = new Preprocessor(pre, Shape.of(1, 2, 2)).prepare(Picture.gray(2, 2, g)).input();
        for (int i = 0; i < 4; i++) assertEquals((g[i] / 255f - 0.2860f) / 0.3530f, t.data()[i], 0f);
    }

    @Test
    void oneChannelModelOnColourImageUsesBt601Luma() {
        Picture c = new Picture(1, 1, new float[]{100, 200, 50}, false);
        Tensor t = new Preprocessor(new Preprocessing(0, false, null, null, 1, 0, "GRAY"), Shape.of(1, 1, 1)).prepare(c).input();
        assertEquals(0.299f * 100 + 0.587f * 200 + 0.114f * 50, t.data()[0], 1e-3);
    }

    @Test
    void resizeLargerThanInputCentreCropsLikeTorchvision() {
        // 8x8 -> resize 6 -> centre 4x4
        Preprocessing pre = new Preprocessing(6, false, null, null, 1, 0, "RGB");
        Preprocessor p = new Preprocessor(pre, Shape.of(3, 4, 4));
        Picture v = p.view(ramp(8, 8));
        assertEquals(4, v.width());
        Picture six = ramp(8, 8).resize(6, 6);
        assertArrayEquals(six.crop(1, 1, 4, 4).rgb(), v.rgb());
    }

    @Test
    void squashResizesBothSides() {
        Preprocessor p = new Preprocessor(Preprocessing.unit(), Shape.of(3, 3, 5));
        Picture v = p.view(ramp(10, 9));
        assertEquals(5, v.width());
        assertEquals(3, v.height());
        Tensor b = p.batch(List.of(ramp(10, 9), ramp(4, 4)));
        assertEquals(Shape.of(2, 3, 3, 5), b.shape());
    }

    @Test
    void inconsistentMetadataIsRejectedWithTheReason() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Preprocessor(
                new Preprocessing(0, false, new float[]{0.1f, 0.2f}, new float[]{1, 1}, 1, 0, "RGB"), Shape.of(3, 4, 4)));
        assertEquals("mean/std have 2 values but the model takes 3 channel(s)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Preprocessor(new Preprocessing(0, false, null, null, 1, 0, "GRAY"), Shape.of(3, 4, 4)));
        assertThrows(IllegalArgumentException.class, () -> new Preprocessor(new Preprocessing(2, true, null, null, 1, 0, "RGB"), Shape.of(3, 4, 4)));
    }
}
