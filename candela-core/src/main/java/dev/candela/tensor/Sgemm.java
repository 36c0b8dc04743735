package dev.candela.tensor;

import dev.candela.tensor.simd.FloatKernels;
import dev.candela.tensor.simd.KernelChoice;
import java.util.function.IntConsumer;

/**
 * Single-precision matrix product C = A · B in the BLIS style: A is packed once into MR-row panels
 * (weights are packed at first use and kept), B is packed per KC x NC block by a {@link BPacker}
 * (a plain matrix, or im2col fused into the packing), and an MR x 2-vector register tile of
 * accumulators (Vector API registers, or plain floats in the scalar kernels) does the work. Each C element is summed in a fixed order that
 * depends only on K, never on how tiles are spread over threads, so results are bit-identical for
 * any thread count.
 *
 * <p>The micro-kernel comes from {@link KernelChoice}: the CPU's preferred species unless
 * {@code -Dcandela.vector=512|256|scalar} says otherwise; {@code scalar} (or no Vector API module)
 * selects a plain-Java micro-kernel with the same blocking.
 */
public final class Sgemm {
    private Sgemm() {}

    private static final FloatKernels K = KernelChoice.KERNELS;
    /** True when the Vector API micro-kernel is used. */
    public static final boolean VECTOR = KernelChoice.VECTOR;
    /** Floats per vector (8 in scalar mode: the scalar kernel keeps the same tile shape). */
    public static final int L = K.lanes();
    /** Register tile: MR rows x NR columns. */
    public static final int MR = K.gemmRows(), NR = 2 * L;
    /** Largest depth of one packed block (K direction): A's MR x KC and B's KC x NR micro-panels stay in cache. */
    public static final int KC = Integer.getInteger("candela.gemm.kc", 256);
    /** Rows of A swept per packed B block (keeps MC x KC of A in L2). */
    static final int MC = 16 * MR;
    /** Largest column block one task packs (in NR panels). */
    static final int MAX_PANELS = 16;

    /** A description of the kernel in use, for benchmarks and traces. */
    public static String describe() {
        return K.describe() + ", tile " + MR + "x" + NR + ", KC " + KC;
    }

    static int ceilDiv(int a, int b) { return (a + b - 1) / b; }

    /**
     * The depth of every packed block but the last: the depth split into as few blocks as KC allows, of
     * equal size, so that no thin last block (576 = 256 + 256 + 64) pays a C round trip for little work.
     * It depends on the depth alone, so each C element is still summed in one order for any tiling.
     */
    static int blockDepth(int depth) { return depth <= 0 ? 1 : ceilDiv(depth, ceilDiv(depth, KC)); }

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
        int kb = blockDepth(depth);
        for (int k0 = 0; k0 < depth; k0 += kb) {
            int kc = Math.min(kb, depth - k0);
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
     * floats (panel p at at+p*NR*kc, element (k, j) at at+(k-k0)*NR + j%NR); columns past nc are zero.
     */
    @FunctionalInterface
    public interface BPacker {
        void pack(int k0, int kc, int j0, int nc, float[] dst, int at);
    }

    /**
     * B packed whole, every KC block over all columns, at {@code at} in {@code data}: tiles of one product that
     * differ only in their rows read it instead of each packing the same columns again (a product with few
     * columns, such as a late convolution layer, is split over threads by rows).
     */
    public record PackedB(int depth, int cols, float[] data, int at) {
        /** Floats of one packed B (long: a caller checks it fits an array). */
        public static long size(int depth, int cols) { return (long) depth * paddedCols(cols); }

        static int paddedCols(int cols) { return ceilDiv(cols, NR) * NR; }

        public static int blocks(int depth) { return ceilDiv(depth, blockDepth(depth)); }

        /** Packs block {@code kb} of {@code b} (blocks are independent: one task each). */
        public void packBlock(BPacker b, int kb) {
            int k0 = kb * blockDepth(depth);
            b.pack(k0, Math.min(blockDepth(depth), depth - k0), 0, cols, data, at + k0 * paddedCols(cols));
        }

        int offset(int k0, int kc, int j0) { return at + k0 * paddedCols(cols) + j0 * kc; }
    }

    /** B[k][j] = b[off + k * ldb + j] (row-major). */
    public static BPacker rowMajor(float[] b, int off, int ldb) {
        return (k0, kc, j0, nc, dst, at) -> {
            for (int p = 0; p * NR < nc; p++) {
                int jn = Math.min(NR, nc - p * NR);
                int d = at + p * NR * kc;
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
        return (k0, kc, j0, nc, dst, at) -> {
            // each source row is read front to back (a Linear layer's weights stream from memory once);
            // the panel being written is small enough to stay in the first-level cache
            for (int p = 0; p * NR < nc; p++) {
                int jn = Math.min(NR, nc - p * NR);
                int d = at + p * NR * kc;
                for (int jj = 0; jj < jn; jj++) {
                    int s = off + (j0 + p * NR + jj) * ldb + k0;
                    for (int kk = 0, e = d + jj; kk < kc; kk++, e += NR) dst[e] = b[s + kk];
                }
                for (int jj = jn; jj < NR; jj++)
                    for (int kk = 0, e = d + jj; kk < kc; kk++, e += NR) dst[e] = 0f;
            }
        };
    }

    /** Copies NR contiguous floats (one full panel row). */
    static void copyPanelRow(float[] src, int s, float[] dst, int d) { K.copyPanelRow(src, s, dst, d); }

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
        multiplyTile(a, i0, i1, b, null, j0, j1, c, cOff, ldc);
    }

    /** The same with B packed beforehand (j0 a multiple of NR). */
    public static void multiplyTile(PackedA a, int i0, int i1, PackedB b, int j0, int j1, float[] c, int cOff, int ldc) {
        multiplyTile(a, i0, i1, null, b, j0, j1, c, cOff, ldc);
    }

    private static void multiplyTile(PackedA a, int i0, int i1, BPacker packer, PackedB packed, int j0, int j1, float[] c, int cOff, int ldc) {
        int depth = a.depth(), nc = j1 - j0, panels = ceilDiv(nc, NR);
        if (nc <= 0 || i1 <= i0) return;
        if (depth == 0) {
            for (int i = i0; i < i1; i++) java.util.Arrays.fill(c, cOff + i * ldc + j0, cOff + i * ldc + j1, 0f);
            return;
        }
        int kb = blockDepth(depth);
        float[] bw = packed != null ? packed.data() : bBuffer(Math.min(kb, depth) * panels * NR);
        float[] tile = WORK.get()[1];
        for (int k0 = 0; k0 < depth; k0 += kb) {
            int kc = Math.min(kb, depth - k0);
            boolean add = k0 > 0;
            int base = 0;
            if (packed != null) base = packed.offset(k0, kc, j0);
            else packer.pack(k0, kc, j0, nc, bw, 0);
            for (int ib = i0; ib < i1; ib += MC) {
                int ie = Math.min(i1, ib + MC);
                for (int p = 0; p < panels; p++) {
                    int jn = Math.min(NR, nc - p * NR);
                    int bo = base + p * NR * kc;
                    for (int i = ib; i < ie; i += MR) {
                        int mn = Math.min(MR, ie - i);
                        int ao = a.offset(k0, kc, i);
                        int co = cOff + i * ldc + j0 + p * NR;
                        if (jn == NR && (mn == MR || mn == 8 || mn == 4)) {
                            K.gemm(mn, MR, kc, a.data(), ao, bw, bo, c, co, ldc, add);
                        } else {
                            // An edge tile: a full-width product into the scratch tile, then the part that fits.
                            K.gemm(mn <= 4 ? 4 : mn <= 8 ? 8 : MR, MR, kc, a.data(), ao, bw, bo, tile, 0, NR, false);
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
            run(t, a, b, null, c, cOff, ldc);
        }

        /** The same with B packed beforehand. */
        public void run(int t, PackedA a, PackedB b, float[] c, int cOff, int ldc) {
            run(t, a, null, b, c, cOff, ldc);
        }

        private void run(int t, PackedA a, BPacker packer, PackedB packed, float[] c, int cOff, int ldc) {
            int rb = t / colBlocks(), cb = t % colBlocks();
            int i0 = rb * rowBlock, j0 = cb * colBlock;
            multiplyTile(a, i0, Math.min(m, i0 + rowBlock), packer, packed, j0, Math.min(n, j0 + colBlock), c, cOff, ldc);
        }
    }

    /** Fewest rows for which {@link #multiplyTransposed} packs B; below it, W streams once in its own order. */
    public static final int STREAM_ROWS = 4;

    /**
     * Y[m x n] = X[m x k] · W^T for row-major X[m x k] and W[n x k], each element summed exactly as
     * {@code multiply(packA(X), transposed(W))} sums it (a chain of fused multiply-adds from zero per
     * block of {@link #blockDepth}, the blocks added in order), so the bits do not depend on m. With
     * fewer than {@link #STREAM_ROWS} rows the product is memory-bound on W: packing W's transpose for every
     * call read it three times over in cache-hostile strides (VGG-16's first dense layer, 411 MB: 66 ms),
     * so W's rows are read once, front to back, eight outputs' chains at a time.
     */
    public static void multiplyTransposed(int m, int n, int k, float[] x, float[] w, float[] y, Parallel parallel) {
        if (m >= STREAM_ROWS || k == 0) {
            multiply(packA(x, 0, k, 1, m, k), transposed(w, 0, k), n, y, 0, n, parallel);
            return;
        }
        int groups = ceilDiv(n, 8), perTask = Math.max(1, ceilDiv(groups, 4 * parallel.threads()));
        int kb = blockDepth(k);
        parallel.forEach(ceilDiv(groups, perTask), (IntConsumer) t -> {
            int g1 = Math.min(groups, (t + 1) * perTask);
            for (int gr = t * perTask; gr < g1; gr++) {
                int j0 = gr * 8;
                for (int r = 0; r < m; r++) {
                    if (j0 + 8 <= n) streamEight(x, r * k, w, j0, k, kb, y, r * n + j0);
                    else for (int j = j0; j < n; j++) y[r * n + j] = streamOne(x, r * k, w, j * k, k, kb);
                }
            }
        });
    }

    private static float streamOne(float[] x, int xo, float[] w, int wo, int k, int kb) {
        float c = 0f;
        for (int k0 = 0; k0 < k; k0 += kb) {
            int k1 = Math.min(k, k0 + kb);
            float s = 0f;
            for (int i = k0; i < k1; i++) s = Math.fma(x[xo + i], w[wo + i], s);
            c = k0 == 0 ? s : c + s;
        }
        return c;
    }

    /** Outputs j0..j0+7 of one row: eight independent chains keep both FMA pipes busy. */
    private static void streamEight(float[] x, int xo, float[] w, int j0, int k, int kb, float[] y, int yo) {
        int w0 = j0 * k, w1 = w0 + k, w2 = w1 + k, w3 = w2 + k, w4 = w3 + k, w5 = w4 + k, w6 = w5 + k, w7 = w6 + k;
        java.util.Objects.checkFromIndexSize(w0, 8 * k, w.length);
        java.util.Objects.checkFromIndexSize(xo, k, x.length);
        float c0 = 0f, c1 = 0f, c2 = 0f, c3 = 0f, c4 = 0f, c5 = 0f, c6 = 0f, c7 = 0f;
        for (int k0 = 0; k0 < k; k0 += kb) {
            int k1 = Math.min(k, k0 + kb);
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
            for (int i = k0; i < k1; i++) {
                float v = x[xo + i];
                s0 = Math.fma(v, w[w0 + i], s0); s1 = Math.fma(v, w[w1 + i], s1);
                s2 = Math.fma(v, w[w2 + i], s2); s3 = Math.fma(v, w[w3 + i], s3);
                s4 = Math.fma(v, w[w4 + i], s4); s5 = Math.fma(v, w[w5 + i], s5);
                s6 = Math.fma(v, w[w6 + i], s6); s7 = Math.fma(v, w[w7 + i], s7);
            }
            if (k0 == 0) { c0 = s0; c1 = s1; c2 = s2; c3 = s3; c4 = s4; c5 = s5; c6 = s6; c7 = s7; }
            else { c0 += s0; c1 += s1; c2 += s2; c3 += s3; c4 += s4; c5 += s5; c6 += s6; c7 += s7; }
        }
        y[yo] = c0; y[yo + 1] = c1; y[yo + 2] = c2; y[yo + 3] = c3; y[yo + 4] = c4; y[yo + 5] = c5; y[yo + 6] = c6; y[yo + 7] = c7;
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
}
