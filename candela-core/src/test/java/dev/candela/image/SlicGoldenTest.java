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
 * noise (not square), smooth gradients and a 64 x 64 photo, plus the 12 x 12 golden inputs (one pixel per segment).
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
    }
}
