package dev.candela.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.candela.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SLIC against scikit-image 0.19's {@code slic(image, start_label=0)} (Quantus's superpixels for IROF), on the
 * images of testdata/golden/quantus (made by tools/make_quantus_goldens.py): colour blocks with noise, uniform
 * noise (not square), smooth gradients, a 64 x 64 photo and a 224 x 224 image given by a formula, plus the 12 x 12
 * golden inputs (one pixel per segment).
 * Tolerance: none, every label must agree.
 */
class SlicGoldenTest {
    static final Path DIR = Path.of("testdata/golden/quantus");

    static int[] ints(float[] f) {
        int[] r = new int[f.length];
        for (int i = 0; i < f.length; i++) r[i] = (int) f[i];
        return r;
    }

    @Test void labelsEqualScikitImage() throws Exception {
        for (String name : List.of("blocks", "noise", "smooth", "chelsea64")) {
            Tensor im = Npy.read(DIR.resolve("slic_image_" + name + ".npy"));
            int[] want = ints(Npy.read(DIR.resolve("slic_labels_" + name + ".npy")).data());
            int[] got = Slic.QUANTUS.labels(im.data(), im.dim(0), im.dim(1), im.dim(2));
            int same = 0;
            for (int i = 0; i < want.length; i++) if (want[i] == got[i]) same++;
            System.out.printf("slic %-10s %d x %d: %d of %d labels agree%n", name, im.dim(1), im.dim(2), same, want.length);
            assertArrayEquals(want, got, "slic labels of " + name);
        }
    }

    /** The 224 x 224 image of the manifest's formula (exact in float64 as in NumPy, then float32), evaluate's usual size. */
    @Test void labelsEqualScikitImageAt224() throws Exception {
        float[] im = new float[3 * 224 * 224];
        for (int c = 0; c < 3; c++) for (long y = 0; y < 224; y++) for (long x = 0; x < 224; x++) {
            double block = (((x / 28) * 37 + (y / 32) * 11 + c * 5L) % 17) / 17.0;
            double noise = ((x * 7919 + y * 104729 + c * 15485863L) % 1000) / 1000.0;
            im[(int) ((c * 224 + y) * 224 + x)] = (float) (0.8 * block + 0.2 * noise);
        }
        int[] want = ints(Npy.read(DIR.resolve("slic_labels_synthetic224.npy")).data());
        assertArrayEquals(want, Slic.QUANTUS.labels(im, 3, 224, 224), "slic labels of the 224 x 224 image");
    }

    @Test void goldenInputsGetOnePixelPerSegment() throws Exception {
        Tensor x = Npy.read(DIR.resolve("inputs.npy"));
        float[] want = Npy.read(DIR.resolve("slic_labels_inputs.npy")).data();
        int hw = x.dim(2) * x.dim(3);
        for (int i = 0; i < x.dim(0); i++) {
            int[] got = Slic.QUANTUS.labels(x.item(i).data(), x.dim(1), x.dim(2), x.dim(3));
            assertArrayEquals(ints(java.util.Arrays.copyOfRange(want, i * hw, (i + 1) * hw)), got, "input " + i);
        }
    }

    @Test void regularGridAsScikitImage() {
        // skimage.util.regular_grid((1, 224, 224), 100): slices (0::1, 11::22, 11::22)
        assertEquals(new Slic.Grid(0, 1, 11, 22, 11, 22), Slic.regularGrid(1, 224, 224, 100));
        // (1, 12, 12) with 100 points: space 144 > 100, steps sqrt(1.44) = 1.2 -> start 0, step 1
        assertEquals(new Slic.Grid(0, 1, 0, 1, 0, 1), Slic.regularGrid(1, 12, 12, 100));
    }

    @Test void badImageIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Slic.QUANTUS.labels(new float[5], 3, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> new Slic(0, 10, 10, 0.5, 3));
        assertThrows(IllegalArgumentException.class, () -> new Slic(100, 10, 10, 0.5, 0));
    }
}
