package dev.candela.tensor;

import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix product C = A · B in the BLIS style: A is packed once into MR-row panels
 * (weights are packed at first use and kept), B is packed per KC x NC block by a {@link BPacker}
 * (a plain matrix, or im2col fused into the packing), and a 14 x 2-vector register tile of
 * {@link FloatVector} accumulators does the work. Each C element is summed in a fixed order that
 * depends only on K, never on how tiles are spread over threads, so results are bit-identical for
 * any thread count.
 *
 * <p>The species is the CPU's preferred one unless {@code -Dcandela.vector=512|256|scalar} says
 * otherwise; {@code scalar} selects a plain-Java micro-kernel with the same blocking.
 */
public final class Sgemm {
    private Sgemm() {}

    static final VectorSpecies<Float> S = pickSpecies();
    /** True when the Vector API micro-kernel is used. */
    public static final boolean VECTOR = S != null;
    /** Floats per vector (8 in scalar mode: the scalar kernel keeps the same tile shape). */
    public static final int L = VECTOR ? S.length() : 8;
    /** Register tile: MR rows x NR columns. */
    public static final int MR = 14, NR = 2 * L;
    /** Depth of one packed block (K direction): A's MR x KC and B's KC x NR micro-panels stay in cache. */
    public static final int KC = Integer.getInteger("candela.gemm.kc", 256);
    /** Rows of A swept per packed B block (keeps MC x KC of A in L2). */
    static final int MC = 16 * MR;
    /** Largest column block one task packs (in NR panels). */
    static final int MAX_PANELS = 16;

    private static VectorSpecies<Float> pickSpecies() {
        String p = System.getProperty("candela.vector", "preferred");
        return switch (p) {
            case "scalar" -> null;
            case "512" -> FloatVector.SPECIES_512;
            case "256" -> FloatVector.SPECIES_256;
            case "128" -> FloatVector.SPECIES_128;
            default -> FloatVector.SPECIES_PREFERRED.length() >= 4 ? FloatVector.SPECIES_PREFERRED : null;
        };
    }

    /** A description of the kernel in use, for benchmarks and traces. */
    public static String describe() {
        return (VECTOR ? "FloatVector " + S.vectorBitSize() + "-bit" : "scalar") + ", tile " + MR + "x" + NR + ", KC " + KC;
    }

    static int ceilDiv(int a, int b) { return (a + b - 1) / b; }

    // ---- packed operands -------------------------------------------------------------------

    /**
     * A [rows x depth] matrix packed for the micro-kernel: for each KC block of depth, for each
     * MR-row panel, kc steps of MR values (rows past {@code rows} are zero).
     */
    public record PackedA(int rows, int depth, float[] data) {
        int paddedRows() { return ceilDiv(rows, MR) * MR; }

        int offset(int k0, int kc, int row) { return k0 * paddedRows() + row * kc; }
    }

    /** Packs A[i][k] = a[off + i * rowStride + k * colStride]. */
    public static PackedA packA(float[] a, int off, int rowStride, int colStride, int rows, int depth) {
        int mp = ceilDiv(rows, MR) * MR;
        float[] d = new float[Math.max(1, mp * depth)];
        for (int k0 = 0; k0 < depth; k0 += KC) {
            int kc = Math.min(KC, depth - k0);
            for (int i0 = 0; i0 < mp; i0 += MR) {
                int base = k0 * mp + i0 * kc;
                int rn = Math.min(MR, rows - i0);
                for (int r = 0; r < rn; r++) {
                    int src = off + (i0 + r) * rowStride + k0 * colStride;
                    for (int kk = 0; kk < kc; kk++) d[base + kk * MR + r] = a[src + kk * colStride];
                }
            }
        }
        return new PackedA(rows, depth, d);
    }

    /**
     * Fills a packed B block: rows k0..k0+kc, columns j0..j0+nc, as ceil(nc/NR) panels of kc x NR
     * floats (panel p at p*NR*kc, element (k, j) at (k-k0)*NR + j%NR); columns past nc are zero.
     */
    @FunctionalInterface
    public interface BPacker {
        void pack(int k0, int kc, int j0, int nc, float[] dst);
    }

    /** B[k][j] = b[off + k * ldb + j] (row-major). */
    public static BPacker rowMajor(float[] b, int off, int ldb) {
        return (k0, kc, j0, nc, dst) -> {
            for (int p = 0; p * NR < nc; p++) {
                int jn = Math.min(NR, nc - p * NR);
                int d = p * NR * kc;
                int s = off + k0 * ldb + j0 + p * NR;
                if (jn == NR) {
                    for (int kk = 0; kk < kc; kk++, d += NR, s += ldb) copyPanelRow(b, s, dst, d);
                } else {
                    for (int kk = 0; kk < kc; kk++, d += NR, s += ldb) {
                        System.arraycopy(b, s, dst, d, jn);
                        java.util.Arrays.fill(dst, d + jn, d + NR, 0f);
                    }
                }
            }
        };
    }

    /** B[k][j] = b[off + j * ldb + k] (the transpose of a row-major matrix). */
    public static BPacker transposed(float[] b, int off, int ldb) {
        return (k0, kc, j0, nc, dst) -> {
            for (int p = 0; p * NR < nc; p++) {
                int jn = Math.min(NR, nc - p * NR);
                int d = p * NR * kc;
                for (int kk = 0; kk < kc; kk++, d += NR) {
                    int s = off + (j0 + p * NR) * ldb + k0 + kk;
                    for (int jj = 0; jj < jn; jj++) dst[d + jj] = b[s + jj * ldb];
                    for (int jj = jn; jj < NR; jj++) dst[d + jj] = 0f;
                }
            }
        };
    }

    /** Copies NR contiguous floats (one full panel row). */
    static void copyPanelRow(float[] src, int s, float[] dst, int d) {
        if (VECTOR) {
            FloatVector.fromArray(S, src, s).intoArray(dst, d);
            FloatVector.fromArray(S, src, s + L).intoArray(dst, d + L);
        } else {
            System.arraycopy(src, s, dst, d, NR);
        }
    }

    // ---- driver ----------------------------------------------------------------------------

    private static final ThreadLocal<float[][]> WORK = ThreadLocal.withInitial(() -> new float[][]{new float[0], new float[MR * NR]});

    private static float[] bBuffer(int size) {
        float[][] w = WORK.get();
        if (w[0].length < size) w[0] = new float[size];
        return w[0];
    }

    /**
     * C[i][j] = sum_k A[i][k] B[k][j] for rows [i0, i1) and columns [j0, j1), written at
     * c[cOff + i * ldc + j] (overwriting). i0 must be a multiple of MR. One tile is one task's work.
     */
    public static void multiplyTile(PackedA a, int i0, int i1, BPacker b, int j0, int j1, float[] c, int cOff, int ldc) {
        int depth = a.depth(), nc = j1 - j0, panels = ceilDiv(nc, NR);
        if (nc <= 0 || i1 <= i0) return;
        if (depth == 0) {
            for (int i = i0; i < i1; i++) java.util.Arrays.fill(c, cOff + i * ldc + j0, cOff + i * ldc + j1, 0f);
            return;
        }
        float[] bw = bBuffer(Math.min(KC, depth) * panels * NR);
        float[] tile = WORK.get()[1];
        for (int k0 = 0; k0 < depth; k0 += KC) {
            int kc = Math.min(KC, depth - k0);
            boolean add = k0 > 0;
            b.pack(k0, kc, j0, nc, bw);
            for (int ib = i0; ib < i1; ib += MC) {
                int ie = Math.min(i1, ib + MC);
                for (int p = 0; p < panels; p++) {
                    int jn = Math.min(NR, nc - p * NR);
                    int bo = p * NR * kc;
                    for (int i = ib; i < ie; i += MR) {
                        int mn = Math.min(MR, ie - i);
                        int ao = a.offset(k0, kc, i);
                        int co = cOff + i * ldc + j0 + p * NR;
                        if (mn == MR && jn == NR) {
                            kernel(kc, a.data(), ao, bw, bo, c, co, ldc, add);
                        } else if (VECTOR && jn == NR && (mn == 8 || mn == 4)) {
                            if (mn == 8) vectorKernel8(kc, a.data(), ao, bw, bo, c, co, ldc, add);
                            else vectorKernel4(kc, a.data(), ao, bw, bo, c, co, ldc, add);
                        } else {
                            int rows = mn;
                            if (VECTOR && rows <= 4) vectorKernel4(kc, a.data(), ao, bw, bo, tile, 0, NR, false);
                            else if (VECTOR && rows <= 8) vectorKernel8(kc, a.data(), ao, bw, bo, tile, 0, NR, false);
                            else kernel(kc, a.data(), ao, bw, bo, tile, 0, NR, false);
                            for (int r = 0; r < mn; r++)
                                for (int jj = 0; jj < jn; jj++) {
                                    int ci = co + r * ldc + jj;
                                    c[ci] = add ? c[ci] + tile[r * NR + jj] : tile[r * NR + jj];
                                }
                        }
                    }
                }
            }
        }
    }

    /**
     * How an m x n product (repeated for {@code items} independent images or groups) is cut into
     * tiles: rows in blocks of {@code rowBlock} (a multiple of MR), columns in blocks of
     * {@code colBlock} (a multiple of NR). Cut finer only when there are several threads to feed.
     */
    public record Tiling(int m, int n, int rowBlock, int colBlock) {
        public int rowBlocks() { return ceilDiv(m, rowBlock); }
        public int colBlocks() { return ceilDiv(n, colBlock); }
        public int tiles() { return rowBlocks() * colBlocks(); }

        public static Tiling of(int m, int n, int items, int threads) {
            int panels = Math.max(1, ceilDiv(n, NR));
            int colBlocks = ceilDiv(panels, MAX_PANELS);
            int rowBlocks = 1;
            int want = threads > 1 ? 4 * threads : 1;
            while (items * colBlocks * rowBlocks < want && colBlocks < panels && ceilDiv(panels, colBlocks + 1) >= 2) colBlocks++;
            int rowPanels = ceilDiv(m, MR);
            while (items * colBlocks * rowBlocks < want && rowBlocks < rowPanels && ceilDiv(rowPanels, rowBlocks + 1) >= 2) rowBlocks++;
            int colBlock = ceilDiv(panels, colBlocks) * NR;
            int rowBlock = ceilDiv(rowPanels, rowBlocks) * MR;
            return new Tiling(m, n, rowBlock, colBlock);
        }

        /** Runs tile t (row-block major) of this tiling. */
        public void run(int t, PackedA a, BPacker b, float[] c, int cOff, int ldc) {
            int rb = t / colBlocks(), cb = t % colBlocks();
            int i0 = rb * rowBlock, j0 = cb * colBlock;
            multiplyTile(a, i0, Math.min(m, i0 + rowBlock), b, j0, Math.min(n, j0 + colBlock), c, cOff, ldc);
        }
    }

    /** C[m x n] = A[m x k] · B[k x n], all row-major and dense; tiles spread over {@code parallel}. */
    public static void multiply(int m, int n, int k, float[] a, float[] b, float[] c, Parallel parallel) {
        PackedA pa = packA(a, 0, k, 1, m, k);
        multiply(pa, rowMajor(b, 0, n), n, c, 0, n, parallel);
    }

    /** C = A · B with A already packed; B through its packer. */
    public static void multiply(PackedA a, BPacker b, int n, float[] c, int cOff, int ldc, Parallel parallel) {
        Tiling t = Tiling.of(a.rows(), n, 1, parallel.threads());
        parallel.forEach(t.tiles(), (IntConsumer) i -> t.run(i, a, b, c, cOff, ldc));
    }

    // ---- micro-kernel ----------------------------------------------------------------------

    /** c[MR x NR] (+)= a-panel · b-panel over kc steps. */
    static void kernel(int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, boolean add) {
        if (VECTOR) vectorKernel(kc, a, ao, b, bo, c, co, ldc, add);
        else scalarKernel(kc, a, ao, b, bo, c, co, ldc, add);
    }

    static void scalarKernel(int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, boolean add) {
        float[] acc = new float[MR * NR];
        for (int k = 0; k < kc; k++, ao += MR, bo += NR)
            for (int r = 0; r < MR; r++) {
                float av = a[ao + r];
                for (int j = 0; j < NR; j++) acc[r * NR + j] = Math.fma(av, b[bo + j], acc[r * NR + j]);
            }
        for (int r = 0; r < MR; r++)
            for (int j = 0; j < NR; j++) c[co + r * ldc + j] = add ? c[co + r * ldc + j] + acc[r * NR + j] : acc[r * NR + j];
    }

    // 28 accumulators in named locals so C2 keeps them in registers.
    static void vectorKernel(int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, boolean add) {
        FloatVector c0a = FloatVector.zero(S), c0b = FloatVector.zero(S), c1a = FloatVector.zero(S), c1b = FloatVector.zero(S), c2a = FloatVector.zero(S), c2b = FloatVector.zero(S), c3a = FloatVector.zero(S), c3b = FloatVector.zero(S), c4a = FloatVector.zero(S), c4b = FloatVector.zero(S), c5a = FloatVector.zero(S), c5b = FloatVector.zero(S), c6a = FloatVector.zero(S), c6b = FloatVector.zero(S), c7a = FloatVector.zero(S), c7b = FloatVector.zero(S), c8a = FloatVector.zero(S), c8b = FloatVector.zero(S), c9a = FloatVector.zero(S), c9b = FloatVector.zero(S), c10a = FloatVector.zero(S), c10b = FloatVector.zero(S), c11a = FloatVector.zero(S), c11b = FloatVector.zero(S), c12a = FloatVector.zero(S), c12b = FloatVector.zero(S), c13a = FloatVector.zero(S), c13b = FloatVector.zero(S);
        for (int k = 0; k < kc; k++, ao += MR, bo += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo), b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector av;
            av = FloatVector.broadcast(S, a[ao + 0]); c0a = av.fma(b0, c0a); c0b = av.fma(b1, c0b);
            av = FloatVector.broadcast(S, a[ao + 1]); c1a = av.fma(b0, c1a); c1b = av.fma(b1, c1b);
            av = FloatVector.broadcast(S, a[ao + 2]); c2a = av.fma(b0, c2a); c2b = av.fma(b1, c2b);
            av = FloatVector.broadcast(S, a[ao + 3]); c3a = av.fma(b0, c3a); c3b = av.fma(b1, c3b);
            av = FloatVector.broadcast(S, a[ao + 4]); c4a = av.fma(b0, c4a); c4b = av.fma(b1, c4b);
            av = FloatVector.broadcast(S, a[ao + 5]); c5a = av.fma(b0, c5a); c5b = av.fma(b1, c5b);
            av = FloatVector.broadcast(S, a[ao + 6]); c6a = av.fma(b0, c6a); c6b = av.fma(b1, c6b);
            av = FloatVector.broadcast(S, a[ao + 7]); c7a = av.fma(b0, c7a); c7b = av.fma(b1, c7b);
            av = FloatVector.broadcast(S, a[ao + 8]); c8a = av.fma(b0, c8a); c8b = av.fma(b1, c8b);
            av = FloatVector.broadcast(S, a[ao + 9]); c9a = av.fma(b0, c9a); c9b = av.fma(b1, c9b);
            av = FloatVector.broadcast(S, a[ao + 10]); c10a = av.fma(b0, c10a); c10b = av.fma(b1, c10b);
            av = FloatVector.broadcast(S, a[ao + 11]); c11a = av.fma(b0, c11a); c11b = av.fma(b1, c11b);
            av = FloatVector.broadcast(S, a[ao + 12]); c12a = av.fma(b0, c12a); c12b = av.fma(b1, c12b);
            av = FloatVector.broadcast(S, a[ao + 13]); c13a = av.fma(b0, c13a); c13b = av.fma(b1, c13b);
        }
        if (add) {
            c0a = c0a.add(FloatVector.fromArray(S, c, co + 0 * ldc)); c0b = c0b.add(FloatVector.fromArray(S, c, co + 0 * ldc + L));
            c1a = c1a.add(FloatVector.fromArray(S, c, co + 1 * ldc)); c1b = c1b.add(FloatVector.fromArray(S, c, co + 1 * ldc + L));
            c2a = c2a.add(FloatVector.fromArray(S, c, co + 2 * ldc)); c2b = c2b.add(FloatVector.fromArray(S, c, co + 2 * ldc + L));
            c3a = c3a.add(FloatVector.fromArray(S, c, co + 3 * ldc)); c3b = c3b.add(FloatVector.fromArray(S, c, co + 3 * ldc + L));
            c4a = c4a.add(FloatVector.fromArray(S, c, co + 4 * ldc)); c4b = c4b.add(FloatVector.fromArray(S, c, co + 4 * ldc + L));
            c5a = c5a.add(FloatVector.fromArray(S, c, co + 5 * ldc)); c5b = c5b.add(FloatVector.fromArray(S, c, co + 5 * ldc + L));
            c6a = c6a.add(FloatVector.fromArray(S, c, co + 6 * ldc)); c6b = c6b.add(FloatVector.fromArray(S, c, co + 6 * ldc + L));
            c7a = c7a.add(FloatVector.fromArray(S, c, co + 7 * ldc)); c7b = c7b.add(FloatVector.fromArray(S, c, co + 7 * ldc + L));
            c8a = c8a.add(FloatVector.fromArray(S, c, co + 8 * ldc)); c8b = c8b.add(FloatVector.fromArray(S, c, co + 8 * ldc + L));
            c9a = c9a.add(FloatVector.fromArray(S, c, co + 9 * ldc)); c9b = c9b.add(FloatVector.fromArray(S, c, co + 9 * ldc + L));
            c10a = c10a.add(FloatVector.fromArray(S, c, co + 10 * ldc)); c10b = c10b.add(FloatVector.fromArray(S, c, co + 10 * ldc + L));
            c11a = c11a.add(FloatVector.fromArray(S, c, co + 11 * ldc)); c11b = c11b.add(FloatVector.fromArray(S, c, co + 11 * ldc + L));
            c12a = c12a.add(FloatVector.fromArray(S, c, co + 12 * ldc)); c12b = c12b.add(FloatVector.fromArray(S, c, co + 12 * ldc + L));
            c13a = c13a.add(FloatVector.fromArray(S, c, co + 13 * ldc)); c13b = c13b.add(FloatVector.fromArray(S, c, co + 13 * ldc + L));
        }
        c0a.intoArray(c, co + 0 * ldc); c0b.intoArray(c, co + 0 * ldc + L);
        c1a.intoArray(c, co + 1 * ldc); c1b.intoArray(c, co + 1 * ldc + L);
        c2a.intoArray(c, co + 2 * ldc); c2b.intoArray(c, co + 2 * ldc + L);
        c3a.intoArray(c, co + 3 * ldc); c3b.intoArray(c, co + 3 * ldc + L);
        c4a.intoArray(c, co + 4 * ldc); c4b.intoArray(c, co + 4 * ldc + L);
        c5a.intoArray(c, co + 5 * ldc); c5b.intoArray(c, co + 5 * ldc + L);
        c6a.intoArray(c, co + 6 * ldc); c6b.intoArray(c, co + 6 * ldc + L);
        c7a.intoArray(c, co + 7 * ldc); c7b.intoArray(c, co + 7 * ldc + L);
        c8a.intoArray(c, co + 8 * ldc); c8b.intoArray(c, co + 8 * ldc + L);
        c9a.intoArray(c, co + 9 * ldc); c9b.intoArray(c, co + 9 * ldc + L);
        c10a.intoArray(c, co + 10 * ldc); c10b.intoArray(c, co + 10 * ldc + L);
        c11a.intoArray(c, co + 11 * ldc); c11b.intoArray(c, co + 11 * ldc + L);
        c12a.intoArray(c, co + 12 * ldc); c12b.intoArray(c, co + 12 * ldc + L);
        c13a.intoArray(c, co + 13 * ldc); c13b.intoArray(c, co + 13 * ldc + L);
    }

    /** The first 8 rows of a 14-row panel (edge panels: M = 64 leaves 8 rows, 3-channel inputs 3). */
    static void vectorKernel8(int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, boolean add) {
        FloatVector c0a = FloatVector.zero(S), c0b = FloatVector.zero(S), c1a = FloatVector.zero(S), c1b = FloatVector.zero(S), c2a = FloatVector.zero(S), c2b = FloatVector.zero(S), c3a = FloatVector.zero(S), c3b = FloatVector.zero(S), c4a = FloatVector.zero(S), c4b = FloatVector.zero(S), c5a = FloatVector.zero(S), c5b = FloatVector.zero(S), c6a = FloatVector.zero(S), c6b = FloatVector.zero(S), c7a = FloatVector.zero(S), c7b = FloatVector.zero(S);
        for (int k = 0; k < kc; k++, ao += MR, bo += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo), b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector av;
            av = FloatVector.broadcast(S, a[ao + 0]); c0a = av.fma(b0, c0a); c0b = av.fma(b1, c0b);
            av = FloatVector.broadcast(S, a[ao + 1]); c1a = av.fma(b0, c1a); c1b = av.fma(b1, c1b);
            av = FloatVector.broadcast(S, a[ao + 2]); c2a = av.fma(b0, c2a); c2b = av.fma(b1, c2b);
            av = FloatVector.broadcast(S, a[ao + 3]); c3a = av.fma(b0, c3a); c3b = av.fma(b1, c3b);
            av = FloatVector.broadcast(S, a[ao + 4]); c4a = av.fma(b0, c4a); c4b = av.fma(b1, c4b);
            av = FloatVector.broadcast(S, a[ao + 5]); c5a = av.fma(b0, c5a); c5b = av.fma(b1, c5b);
            av = FloatVector.broadcast(S, a[ao + 6]); c6a = av.fma(b0, c6a); c6b = av.fma(b1, c6b);
            av = FloatVector.broadcast(S, a[ao + 7]); c7a = av.fma(b0, c7a); c7b = av.fma(b1, c7b);
        }
        if (add) {
            c0a = c0a.add(FloatVector.fromArray(S, c, co + 0 * ldc)); c0b = c0b.add(FloatVector.fromArray(S, c, co + 0 * ldc + L));
            c1a = c1a.add(FloatVector.fromArray(S, c, co + 1 * ldc)); c1b = c1b.add(FloatVector.fromArray(S, c, co + 1 * ldc + L));
            c2a = c2a.add(FloatVector.fromArray(S, c, co + 2 * ldc)); c2b = c2b.add(FloatVector.fromArray(S, c, co + 2 * ldc + L));
            c3a = c3a.add(FloatVector.fromArray(S, c, co + 3 * ldc)); c3b = c3b.add(FloatVector.fromArray(S, c, co + 3 * ldc + L));
            c4a = c4a.add(FloatVector.fromArray(S, c, co + 4 * ldc)); c4b = c4b.add(FloatVector.fromArray(S, c, co + 4 * ldc + L));
            c5a = c5a.add(FloatVector.fromArray(S, c, co + 5 * ldc)); c5b = c5b.add(FloatVector.fromArray(S, c, co + 5 * ldc + L));
            c6a = c6a.add(FloatVector.fromArray(S, c, co + 6 * ldc)); c6b = c6b.add(FloatVector.fromArray(S, c, co + 6 * ldc + L));
            c7a = c7a.add(FloatVector.fromArray(S, c, co + 7 * ldc)); c7b = c7b.add(FloatVector.fromArray(S, c, co + 7 * ldc + L));
        }
        c0a.intoArray(c, co + 0 * ldc); c0b.intoArray(c, co + 0 * ldc + L);
        c1a.intoArray(c, co + 1 * ldc); c1b.intoArray(c, co + 1 * ldc + L);
        c2a.intoArray(c, co + 2 * ldc); c2b.intoArray(c, co + 2 * ldc + L);
        c3a.intoArray(c, co + 3 * ldc); c3b.intoArray(c, co + 3 * ldc + L);
        c4a.intoArray(c, co + 4 * ldc); c4b.intoArray(c, co + 4 * ldc + L);
        c5a.intoArray(c, co + 5 * ldc); c5b.intoArray(c, co + 5 * ldc + L);
        c6a.intoArray(c, co + 6 * ldc); c6b.intoArray(c, co + 6 * ldc + L);
        c7a.intoArray(c, co + 7 * ldc); c7b.intoArray(c, co + 7 * ldc + L);
    }

    /** The first 4 rows of a 14-row panel (edge panels: M = 64 leaves 8 rows, 3-channel inputs 3). */
    static void vectorKernel4(int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, boolean add) {
        FloatVector c0a = FloatVector.zero(S), c0b = FloatVector.zero(S), c1a = FloatVector.zero(S), c1b = FloatVector.zero(S), c2a = FloatVector.zero(S), c2b = FloatVector.zero(S), c3a = FloatVector.zero(S), c3b = FloatVector.zero(S);
        for (int k = 0; k < kc; k++, ao += MR, bo += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo), b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector av;
            av = FloatVector.broadcast(S, a[ao + 0]); c0a = av.fma(b0, c0a); c0b = av.fma(b1, c0b);
            av = FloatVector.broadcast(S, a[ao + 1]); c1a = av.fma(b0, c1a); c1b = av.fma(b1, c1b);
            av = FloatVector.broadcast(S, a[ao + 2]); c2a = av.fma(b0, c2a); c2b = av.fma(b1, c2b);
            av = FloatVector.broadcast(S, a[ao + 3]); c3a = av.fma(b0, c3a); c3b = av.fma(b1, c3b);
        }
        if (add) {
            c0a = c0a.add(FloatVector.fromArray(S, c, co + 0 * ldc)); c0b = c0b.add(FloatVector.fromArray(S, c, co + 0 * ldc + L));
            c1a = c1a.add(FloatVector.fromArray(S, c, co + 1 * ldc)); c1b = c1b.add(FloatVector.fromArray(S, c, co + 1 * ldc + L));
            c2a = c2a.add(FloatVector.fromArray(S, c, co + 2 * ldc)); c2b = c2b.add(FloatVector.fromArray(S, c, co + 2 * ldc + L));
            c3a = c3a.add(FloatVector.fromArray(S, c, co + 3 * ldc)); c3b = c3b.add(FloatVector.fromArray(S, c, co + 3 * ldc + L));
        }
        c0a.intoArray(c, co + 0 * ldc); c0b.intoArray(c, co + 0 * ldc + L);
        c1a.intoArray(c, co + 1 * ldc); c1b.intoArray(c, co + 1 * ldc + L);
        c2a.intoArray(c, co + 2 * ldc); c2b.intoArray(c, co + 2 * ldc + L);
        c3a.intoArray(c, co + 3 * ldc); c3b.intoArray(c, co + 3 * ldc + L);
    }
}
