package dev.candela.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.candela.testkit.RandomCases;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SGEMM against a naive double-precision product on random sizes, including edge tiles (sizes just
 * off multiples of the MR-row and NR-column register tile) and depths beyond one KC block.
 * Tolerance per element: |c - ref| <= 1e-5 * sum_k |a_ik b_kj| (a bound on float accumulation error
 * for these depths).
 */
class SgemmPropertyTest {
    static final Parallel P2 = new Parallel(2), P4 = new Parallel(4);

    @AfterAll static void close() { P2.close(); P4.close(); }

    @org.junit.jupiter.api.Test
    void kernelChoiceFollowsTheSpeciesProperty() {
        String wanted = System.getProperty("candela.vector", "preferred");
        System.out.println("SGEMM kernel: " + Sgemm.describe());
        if (wanted.equals("scalar")) org.junit.jupiter.api.Assertions.assertFalse(Sgemm.VECTOR, Sgemm.describe());
        if (wanted.equals("256")) org.junit.jupiter.api.Assertions.assertEquals(8, Sgemm.L, Sgemm.describe());
        org.junit.jupiter.api.Assertions.assertEquals(2 * Sgemm.L, Sgemm.NR);
    }

    static LongStream seeds() { return RandomCases.seeds(30); }

    int size(RandomCases g, int tile) {
        return switch (g.between(0, 3)) {
            case 0 -> g.between(1, 3);
            case 1 -> tile * g.between(1, 3) + g.between(-1, 1);
            default -> g.between(1, 70);
        };
    }

    @ParameterizedTest(name = "a tile on B packed beforehand has the bits of a tile packing its own B, seed {0}")
    @MethodSource("seeds")
    void prepackedBGivesTheSameBits(long seed) {
        RandomCases g = new RandomCases(seed);
        int m = Math.max(1, size(g, Sgemm.MR)), n = Math.max(1, size(g, Sgemm.NR));
        int k = g.chance(0.5) ? 2 * Sgemm.KC + g.between(-1, 40) : Math.max(1, size(g, 8));
        float[] a = g.normal(m, k).data(), b = g.normal(k, n).data();
        Sgemm.PackedA pa = Sgemm.packA(a, 0, k, 1, m, k);
        int at = g.between(0, 5);
        Sgemm.PackedB pb = new Sgemm.PackedB(k, n, new float[at + (int) Sgemm.PackedB.size(k, n)], at);
        for (int kb = 0; kb < Sgemm.PackedB.blocks(k); kb++) pb.packBlock(Sgemm.rowMajor(b, 0, n), kb);
        // a tile of rows and a column block starting on a panel boundary
        int i0 = Sgemm.MR * g.between(0, (m - 1) / Sgemm.MR), j0 = Sgemm.NR * g.between(0, (n - 1) / Sgemm.NR);
        int i1 = g.between(i0 + 1, m), j1 = g.between(j0 + 1, n);
        float[] own = new float[m * n], shared = new float[m * n];
        Sgemm.multiplyTile(pa, i0, i1, Sgemm.rowMajor(b, 0, n), j0, j1, own, 0, n);
        Sgemm.multiplyTile(pa, i0, i1, pb, j0, j1, shared, 0, n);
        assertArrayEquals(own, shared, "seed " + seed + ": " + m + "x" + k + "x" + n + " rows " + i0 + ".." + i1 + " cols " + j0 + ".." + j1);
        double norm = 0;
        for (float v : own) norm += Math.abs(v);
        org.junit.jupiter.api.Assertions.assertTrue(norm > 0, "seed " + seed + ": the tile was computed");
    }

    @ParameterizedTest(name = "sgemm equals the naive product within float accumulation error, bit-identical for 1/2/4 threads, seed {0}")
    @MethodSource("seeds")
    void sgemmMatchesNaiveProduct(long seed) {
        RandomCases g = new RandomCases(seed);
        int m = Math.max(1, size(g, Sgemm.MR)), n = Math.max(1, size(g, Sgemm.NR));
        int k = g.chance(0.25) ? Sgemm.KC + g.between(-1, 40) : Math.max(1, size(g, 8));
        float[] a = g.normal(m, k).data(), b = g.normal(k, n).data();
        float[] c1 = new float[m * n], c2 = new float[m * n], c4 = new float[m * n];
        java.util.Arrays.fill(c1, Float.NaN); // every element must be written
        Sgemm.multiply(m, n, k, a, b, c1, Parallel.serial());
        Sgemm.multiply(m, n, k, a, b, c2, P2);
        Sgemm.multiply(m, n, k, a, b, c4, P4);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double ref = 0, mag = 0;
                for (int kk = 0; kk < k; kk++) {
                    double t = (double) a[i * k + kk] * b[kk * n + j];
                    ref += t;
                    mag += Math.abs(t);
                }
                double err = Math.abs(c1[i * n + j] - ref);
                if (!(err <= 1e-5 * mag + 1e-30)) {
                    throw new AssertionError("C[" + i + "][" + j + "] of " + m + "x" + k + "x" + n + " off by " + err + " (bound " + 1e-5 * mag + "), seed " + seed);
                }
            }
        assertArrayEquals(c1, c2, "1 vs 2 threads differ, seed " + seed);
        assertArrayEquals(c1, c4, "1 vs 4 threads differ, seed " + seed);
    }

    @ParameterizedTest(name = "packed B from a transposed matrix gives the same product as the row-major one, seed {0}")
    @MethodSource("seeds")
    void transposedPackerAgreesWithRowMajor(long seed) {
        RandomCases g = new RandomCases(seed);
        int m = g.between(1, 30), n = g.between(1, 70), k = g.between(1, 60);
        float[] a = g.normal(m, k).data(), b = g.normal(k, n).data(), bt = new float[n * k];
        for (int i = 0; i < k; i++) for (int j = 0; j < n; j++) bt[j * k + i] = b[i * n + j];
        Sgemm.PackedA pa = Sgemm.packA(a, 0, k, 1, m, k);
        float[] c1 = new float[m * n], c2 = new float[m * n];
        Sgemm.multiply(pa, Sgemm.rowMajor(b, 0, n), n, c1, 0, n, Parallel.serial());
        Sgemm.multiply(pa, Sgemm.transposed(bt, 0, k), n, c2, 0, n, Parallel.serial());
        assertArrayEquals(c1, c2, "seed " + seed);
    }

    @ParameterizedTest(name = "a few rows times W^T streamed from W has the bits of the packed product, for 1/2/4 threads, seed {0}")
    @MethodSource("seeds")
    void streamedFewRowsGiveThePackedProductsBits(long seed) {
        RandomCases g = new RandomCases(seed);
        int m = g.between(1, Sgemm.STREAM_ROWS - 1), n = g.chance(0.5) ? 8 * g.between(1, 6) + g.between(-1, 1) : g.between(1, 70);
        // depths of one, several equal and uneven blocks (the block split is where the two paths could part)
        int k = switch (g.between(0, 2)) {
            case 0 -> g.between(1, 40);
            case 1 -> 2 * Sgemm.KC + g.between(-1, 40);
            default -> 3 * Sgemm.KC + g.between(1, 200);
        };
        float[] x = g.normal(m, k).data(), w = g.normal(n, k).data();
        if (g.chance(0.3)) x[g.between(0, m * k - 1)] = Float.NaN;
        float[] packed = new float[m * n];
        Sgemm.multiply(Sgemm.packA(x, 0, k, 1, m, k), Sgemm.transposed(w, 0, k), n, packed, 0, n, Parallel.serial());
        for (Parallel p : new Parallel[]{Parallel.serial(), P2, P4}) {
            float[] streamed = new float[m * n];
            java.util.Arrays.fill(streamed, -7f); // every element must be written
            Sgemm.multiplyTransposed(m, n, k, x, w, streamed, p);
            for (int i = 0; i < m * n; i++)
                if (Float.floatToIntBits(streamed[i]) != Float.floatToIntBits(packed[i]))
                    throw new AssertionError("seed " + seed + ": " + m + "x" + k + "x" + n + " on " + p.threads() + " threads, element " + i
                        + ": streamed " + streamed[i] + ", packed " + packed[i]);
        }
    }
}
