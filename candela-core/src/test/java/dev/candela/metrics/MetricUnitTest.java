package dev.candela.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Small exact facts about the metric building blocks. */
class MetricUnitTest {
    static LongStream seeds() { return Seeds.some(); }

    @Test void pointingGameCountsTheEnergyInsideTheBoxes() {
        float[] m = new float[4 * 4];
        m[5] = 1; m[6] = 1; m[15] = 2; // (1,1), (2,1) and (3,3)
        assertEquals(0.5, PointingGame.energy(m, 4, 4, List.of(new Box(1, 1, 3, 2))), 1e-12);
        // overlapping boxes count each pixel once
        assertEquals(0.5, PointingGame.energy(m, 4, 4, List.of(new Box(1, 1, 3, 2), new Box(0, 0, 3, 3))), 1e-12);
        assertEquals(1.0, PointingGame.energy(m, 4, 4, List.of(new Box(0, 0, 4, 4))), 1e-12);
        assertEquals(0.0, PointingGame.energy(new float[16], 4, 4, List.of(new Box(0, 0, 4, 4))), 0);
        assertThrows(IllegalArgumentException.class, () -> new Box(2, 0, 2, 1));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void ssimOfAMapWithItselfIsOneAndSymmetric(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int h = 7 + r.nextInt(20), w = 7 + r.nextInt(20);
        float[] a = new float[h * w], b = new float[h * w];
        for (int i = 0; i < a.length; i++) { a[i] = (float) r.nextDouble(); b[i] = (float) r.nextDouble(); }
        assertEquals(1.0, MapSimilarity.ssim(a, a, h, w), 1e-12, "seed " + seed);
        assertEquals(MapSimilarity.ssim(a, b, h, w), MapSimilarity.ssim(b, a, h, w), 1e-12, "seed " + seed);
        assertTrue(MapSimilarity.ssim(a, b, h, w) < 0.5, "seed " + seed + ": independent noise maps should not look alike");
        assertEquals(1.0, MapSimilarity.spearman(a, a), 1e-12, "seed " + seed);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void imputedPixelsAreTheWeightedMeanOfTheirNeighbours(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int c = 2, h = 5 + r.nextInt(8), w = 5 + r.nextInt(8), hw = h * w;
        float[] img = new float[c * hw];
        for (int i = 0; i < img.length; i++) img[i] = (float) r.nextGaussian();
        boolean[] keep = new boolean[hw];
        for (int p = 0; p < hw; p++) keep[p] = r.nextDouble() < 0.4;
        keep[0] = true;
        float[] out = new NoisyLinearImputer(0).impute(img, c, h, w, keep, NoiseSource.seeded(seed));
        int[][] off = {{1, 1, 1}, {0, 1, 2}, {-1, 1, 1}, {1, -1, 1}, {0, -1, 2}, {-1, -1, 1}, {1, 0, 2}, {-1, 0, 2}};
        for (int ch = 0; ch < c; ch++) {
            for (int p = 0; p < hw; p++) {
                if (keep[p]) { assertEquals(img[ch * hw + p], out[ch * hw + p], 0, "kept pixels are unchanged"); continue; }
                double s = 0, ws = 0;
                for (int[] o : off) {
                    int y = p / w + o[0], x = p % w + o[1];
                    if (y < 0 || x < 0 || y >= h || x >= w) continue;
                    s += o[2] * out[ch * hw + y * w + x];
                    ws += o[2];
                }
                assertEquals(s / ws, out[ch * hw + p], 1e-5, "seed " + seed + " channel " + ch + " pixel " + p);
            }
        }
    }

    @Test void roadWithTheSameSeedGivesTheSameNumbers() {
        Scorer s = (x, t) -> { float[] v = new float[t.length]; for (int i = 0; i < v.length; i++) v[i] = (float) x.item(i).sum(); return v; };
        SplittableRandom r = new SplittableRandom(5);
        float[] x = new float[2 * 3 * 10 * 10], m = new float[2 * 100];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < m.length; i++) m[i] = (float) r.nextDouble();
        MapBatch b = new MapBatch(Tensor.of(x, 2, 3, 10, 10), Tensor.of(m, 2, 10, 10), new int[]{0, 0});
        float[] a1 = Road.seeded(7).combined(Road.DEFAULT_PERCENTILES, s, b);
        float[] a2 = Road.seeded(7).combined(Road.DEFAULT_PERCENTILES, s, b);
        float[] a3 = Road.seeded(8).combined(Road.DEFAULT_PERCENTILES, s, b);
        org.junit.jupiter.api.Assertions.assertArrayEquals(a1, a2);
        assertTrue(a1[0] != a3[0], "a different seed draws different noise");
    }

    @Test void batchShapesAreCheckedWithAReason() {
        var e = assertThrows(IllegalArgumentException.class, () -> new MapBatch(Tensor.zeros(2, 3, 4, 4), Tensor.zeros(2, 4, 5), new int[]{0, 1}));
        assertTrue(e.getMessage().contains("maps must be 2x4x4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MapBatch(Tensor.zeros(2, 3, 4, 4), Tensor.zeros(2, 4, 4), new int[]{0}));
    }
}
