package dev.candela.tensor.simd;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernels. Only {@link KernelChoice} names this class, and only after it has seen
 * {@code jdk.incubator.vector} in the boot layer, so without that module it is never loaded.
 */
final class VectorFloatKernels implements FloatKernels {
    // Static finals: C2 intrinsifies vector operations only when the species is a constant.
    private static final VectorSpecies<Float> S = species(System.getProperty("candela.vector", "preferred"));
    private static final int L = S.length();
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

    /** {@code -Dcandela.vector=512|256|128} forces a species; anything else takes the CPU's preferred one. */
    private static VectorSpecies<Float> species(String wanted) {
        return switch (wanted) {
            case "512" -> FloatVector.SPECIES_512;
            case "256" -> FloatVector.SPECIES_256;
            case "128" -> FloatVector.SPECIES_128;
            default -> FloatVector.SPECIES_PREFERRED;
        };
    }

    @Override public int lanes() { return L; }

    @Override public String describe() { return "FloatVector " + S.vectorBitSize() + "-bit"; }

    /**
     * 12 x 32 on 512-bit vectors: 24 accumulators, 2 B vectors and a broadcast fit AVX-512's 32 registers with room,
     * where 14 rows (28 accumulators) ran at 171-191 GFLOP/s of a Zen 5 core's 205 in cache and 12 rows at 205-210.
     * Narrower vectors keep 14 rows (measured on earlier machines; not re-measured here).
     */
    @Override public int gemmRows() { return L >= 16 ? 12 : 14; }

    @Override public void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        {
            FloatVector av = FloatVector.broadcast(S, a);
            for (; i <= n - L; i += L)
                av.fma(FloatVector.fromArray(S, x, xo + i), FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = Math.fma(a, x[xo + i], y[yo + i]);
    }

    @Override public void scaleShift(float[] x, int xo, float[] scale, float[] shift, float[] y, int yo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i).mul(FloatVector.fromArray(S, scale, i));
            (shift == null ? v : v.add(FloatVector.fromArray(S, shift, i))).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = shift == null ? x[xo + i] * scale[i] : x[xo + i] * scale[i] + shift[i];
    }

    @Override public void addScalar(float[] y, int o, int n, float v) {
        int i = 0;
        {
            FloatVector vv = FloatVector.broadcast(S, v);
            for (; i <= n - L; i += L) FloatVector.fromArray(S, y, o + i).add(vv).intoArray(y, o + i);
        }
        for (; i < n; i++) y[o + i] += v;
    }

    @Override public void addScalarInto(float[] x, int xo, float[] y, int yo, int n, float v) {
        int i = 0;
        {
            FloatVector vv = FloatVector.broadcast(S, v);
            for (; i <= n - L; i += L) FloatVector.fromArray(S, x, xo + i).add(vv).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = x[xo + i] + v;
    }

    @Override public void affine(float[] x, float[] y, int o, int n, float scale, float shift) {
        int i = 0;
        {
            FloatVector sv = FloatVector.broadcast(S, scale), tv = FloatVector.broadcast(S, shift);
            for (; i <= n - L; i += L) FloatVector.fromArray(S, x, o + i).fma(sv, tv).intoArray(y, o + i);
        }
        for (; i < n; i++) y[o + i] = Math.fma(x[o + i], scale, shift);
    }

    @Override public void clamp(float[] x, float[] y, int o, int n, float lo, float hi) {
        int i = 0;
        {
            FloatVector lv = FloatVector.broadcast(S, lo), hv = FloatVector.broadcast(S, hi);
            for (; i <= n - L; i += L) FloatVector.fromArray(S, x, o + i).max(lv).min(hv).intoArray(y, o + i);
        }
        for (; i < n; i++) y[o + i] = Math.min(Math.max(x[o + i], lo), hi);
    }

    @Override public boolean affineClamp(float[] y, int o, int n, float scale, float shift, float lo, float hi) {
        FloatVector sv = FloatVector.broadcast(S, scale), tv = FloatVector.broadcast(S, shift);
        FloatVector lv = FloatVector.broadcast(S, lo), hv = FloatVector.broadcast(S, hi), bad = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(S, y, o + i).fma(sv, tv);
            bad = bad.add(v.mul(0f));
            v.max(lv).min(hv).intoArray(y, o + i);
        }
        float t = bad.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float v = Math.fma(y[o + i], scale, shift);
            t += v * 0f;
            y[o + i] = Math.min(Math.max(v, lo), hi);
        }
        return t == 0f;
    }

    @Override public boolean affineRelu(float[] y, int o, int n, float scale, float shift) {
        FloatVector sv = FloatVector.broadcast(S, scale), tv = FloatVector.broadcast(S, shift), z = FloatVector.zero(S), bad = z;
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(S, y, o + i).fma(sv, tv);
            bad = bad.add(v.mul(0f));
            z.blend(v, v.compare(VectorOperators.GT, 0f).or(v.test(VectorOperators.IS_NAN))).intoArray(y, o + i);
        }
        float t = bad.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float v = Math.fma(y[o + i], scale, shift);
            t += v * 0f;
            y[o + i] = v > 0 || v != v ? v : 0f;
        }
        return t == 0f;
    }

    @Override public boolean allFinite(float[] x, int o, int n) {
        FloatVector a = FloatVector.zero(S), b = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - 2 * L; i += 2 * L) {
            a = a.add(FloatVector.fromArray(S, x, o + i).mul(0f));
            b = b.add(FloatVector.fromArray(S, x, o + i + L).mul(0f));
        }
        float t = a.add(b).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) t += x[o + i] * 0f;
        return t == 0f;
    }

    @Override public void maxInto(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (; i <= n - L; i += L)
            FloatVector.fromArray(S, y, yo + i).max(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        for (; i < n; i++) y[yo + i] = Math.max(y[yo + i], x[xo + i]);
    }

    @Override public void laterMaxInto(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i), best = FloatVector.fromArray(S, y, yo + i);
            best.blend(v, v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN))).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            if (v > y[yo + i] || v != v) y[yo + i] = v;
        }
    }

    private static FloatVector sigmoid(FloatVector v) {
        FloatVector t = v.abs().neg().max(EXP_FLOOR);
        FloatVector k = t.mul(LOG2E).add(ROUND).sub(ROUND);
        FloatVector r = k.fma(FloatVector.broadcast(S, -LN2_HI), t);
        r = k.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, E5).fma(r, FloatVector.broadcast(S, E4)).fma(r, FloatVector.broadcast(S, E3))
                .fma(r, FloatVector.broadcast(S, E2)).fma(r, FloatVector.broadcast(S, E1)).fma(r, FloatVector.broadcast(S, E0));
        FloatVector e = p.fma(r.mul(r), r).add(1f);
        IntVector bits = ((IntVector) k.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        e = e.mul(bits.reinterpretAsFloats());
        FloatVector d = e.add(1f);
        return e.div(d).blend(FloatVector.broadcast(S, 1f).div(d), v.compare(VectorOperators.GE, 0f));
    }

    @Override public void sigmoid(float[] x, float[] y, int o, int n) {
        int i = 0;
        for (; i <= n - L; i += L) sigmoid(FloatVector.fromArray(S, x, o + i)).intoArray(y, o + i);
        for (; i < n; i++) y[o + i] = ScalarFloatKernels.sigmoid(x[o + i]);
    }

    @Override public void silu(float[] x, float[] y, int o, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, o + i);
            v.mul(sigmoid(v)).intoArray(y, o + i);
        }
        for (; i < n; i++) y[o + i] = x[o + i] * ScalarFloatKernels.sigmoid(x[o + i]);
    }

    @Override public void relu(float[] x, float[] y, int o, int n) {
        int i = 0;
        {
            FloatVector z = FloatVector.zero(S);
            for (; i <= n - L; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, o + i);
                // NaN propagates, as in PyTorch: a NaN input must not become a confident 0
                z.blend(v, v.compare(VectorOperators.GT, 0f).or(v.test(VectorOperators.IS_NAN))).intoArray(y, o + i);
            }
        }
        for (; i < n; i++) y[o + i] = x[o + i] > 0 || x[o + i] != x[o + i] ? x[o + i] : 0f;
    }

    @Override public void leaky(float[] x, float[] y, int o, int n, float alpha) {
        int i = 0;
        {
            for (; i <= n - L; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, o + i);
                v.blend(v.mul(alpha), v.compare(VectorOperators.LT, 0f)).intoArray(y, o + i);
            }
        }
        for (; i < n; i++) y[o + i] = x[o + i] >= 0 ? x[o + i] : alpha * x[o + i];
    }

    @Override public void passBetween(float[] g, float[] x, float[] gx, int o, int n, float lo, float hi) {
        int i = 0;
        {
            for (; i <= n - L; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, o + i);
                VectorMask<Float> keep = v.compare(VectorOperators.GT, lo).and(v.compare(VectorOperators.LT, hi));
                FloatVector.zero(S).blend(FloatVector.fromArray(S, g, o + i), keep).intoArray(gx, o + i);
            }
        }
        for (; i < n; i++) gx[o + i] = x[o + i] > lo && x[o + i] < hi ? g[o + i] : 0f;
    }

    @Override public void leakyGrad(float[] g, float[] x, float[] gx, int o, int n, float alpha) {
        int i = 0;
        {
            for (; i <= n - L; i += L) {
                FloatVector gv = FloatVector.fromArray(S, g, o + i);
                gv.mul(alpha).blend(gv, FloatVector.fromArray(S, x, o + i).compare(VectorOperators.GT, 0f)).intoArray(gx, o + i);
            }
        }
        for (; i < n; i++) gx[o + i] = x[o + i] > 0 ? g[o + i] : alpha * g[o + i];
    }

    @Override public void add(float[] a, float[] b, float[] y, int o, int n) {
        int i = 0;
        for (; i <= n - L; i += L) FloatVector.fromArray(S, a, o + i).add(FloatVector.fromArray(S, b, o + i)).intoArray(y, o + i);
        for (; i < n; i++) y[o + i] = a[o + i] + b[o + i];
    }

    // sum and dot keep R partial sums whatever L is (the scalar kernels' order): the first R lanes of one S vector
    // when the CPU has more lanes (512-bit), one vector when it has R, two when it has R / 2. Never a second float
    // species: FloatVector's shared methods keep one receiver-type profile for all callers, and 256-bit vectors
    // seen there made C2 give up the store and FMA intrinsics of the 512-bit GEMM kernel in some processes
    // (EfficientNet-B0's forward 24 ms in most processes, 110-150 ms in one in three; VectorSpeciesProfileTest).
    private static final int RL = Math.min(L, R);
    private static final VectorMask<Float> RM = S.indexInRange(0, RL);

    private static FloatVector partials(float[] x, int o) {
        return L > R ? FloatVector.fromArray(S, x, o, RM) : FloatVector.fromArray(S, x, o);
    }

    @Override public float sum(float[] x, int o, int n) {
        int i = 0;
        float s = 0f;
        if (n >= R) {
            FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S);
            for (; i <= n - R; i += R) {
                acc0 = acc0.add(partials(x, o + i));
                if (RL < R) acc1 = acc1.add(partials(x, o + i + RL));
            }
            s = sumLanes(acc0, s);
            if (RL < R) s = sumLanes(acc1, s);
        }
        for (; i < n; i++) s += x[o + i];
        return s;
    }

    @Override public float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        float s = 0f;
        if (n >= R) {
            FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S);
            for (; i <= n - R; i += R) {
                acc0 = partials(a, ao + i).fma(partials(b, bo + i), acc0);
                if (RL < R) acc1 = partials(a, ao + i + RL).fma(partials(b, bo + i + RL), acc1);
            }
            s = sumLanes(acc0, s);
            if (RL < R) s = sumLanes(acc1, s);
        }
        for (; i < n; i++) s = Math.fma(a[ao + i], b[bo + i], s);
        return s;
    }

    /**
     * Sum of the lanes in lane order. FloatVector.reduceLanes(ADD) leaves the order unspecified, and
     * the interpreter and the compiled intrinsic do differ, which would break same-bits guarantees.
     */
    private static float sumLanes(FloatVector v, float s) {
        float[] lanes = v.toArray();
        for (int j = 0; j < RL; j++) s += lanes[j];
        return s;
    }

    // The double dot keeps DR partial sums whatever D's lane count is (the scalar kernels' order), and adds
    // them in order: reduceLanes(ADD) leaves the order open, and the interpreter and the intrinsic differ.
    private static final VectorSpecies<Double> DS = D.length() >= DR ? DoubleVector.SPECIES_256 : DoubleVector.SPECIES_128;
    private static final int DL = DS.length();

    /** sum_k a[ao+k] * b[bo+k] in DR partial sums, the imputer's inner loop. */
    @Override public double dot(double[] a, int ao, double[] b, int bo, int n) {
        int k = 0;
        double s = 0;
        if (n >= DR) {
            DoubleVector acc0 = DoubleVector.zero(DS), acc1 = DoubleVector.zero(DS);
            for (; k <= n - DR; k += DR) {
                acc0 = DoubleVector.fromArray(DS, a, ao + k).fma(DoubleVector.fromArray(DS, b, bo + k), acc0);
                if (DL < DR) acc1 = DoubleVector.fromArray(DS, a, ao + k + DL).fma(DoubleVector.fromArray(DS, b, bo + k + DL), acc1);
            }
            for (double x : acc0.toArray()) s += x;
            if (DL < DR) for (double x : acc1.toArray()) s += x;
        }
        for (; k < n; k++) s = Math.fma(a[ao + k], b[bo + k], s);
        return s;
    }

    @Override public void tapSum(float[] w, int wo, int[] offsets, int taps, float start, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector s0 = FloatVector.broadcast(S, start);
        int j = 0;
        for (; j <= n - 4 * L; j += 4 * L) {
            FloatVector a0 = s0, a1 = s0, a2 = s0, a3 = s0;
            for (int t = 0; t < taps; t++) {
                FloatVector wv = FloatVector.broadcast(S, w[wo + t]);
                int i = xo + offsets[t] + j;
                a0 = wv.fma(FloatVector.fromArray(S, x, i), a0);
                a1 = wv.fma(FloatVector.fromArray(S, x, i + L), a1);
                a2 = wv.fma(FloatVector.fromArray(S, x, i + 2 * L), a2);
                a3 = wv.fma(FloatVector.fromArray(S, x, i + 3 * L), a3);
            }
            a0.intoArray(y, yo + j);
            a1.intoArray(y, yo + j + L);
            a2.intoArray(y, yo + j + 2 * L);
            a3.intoArray(y, yo + j + 3 * L);
        }
        for (; j <= n - L; j += L) {
            FloatVector a = s0;
            for (int t = 0; t < taps; t++) a = FloatVector.broadcast(S, w[wo + t]).fma(FloatVector.fromArray(S, x, xo + offsets[t] + j), a);
            a.intoArray(y, yo + j);
        }
        if (j < n) SCALAR.tapSum(w, wo, offsets, taps, start, x, xo + j, y, yo + j, n - j);
    }

    @Override public void blockTapSum(float[] w, int wo, int[] offsets, int taps, float[] x, int xo, int xStride, float[] acc, int ao, int count) {
        if (L > BLOCK) { // vectors wider than a block: the scalar chains
            SCALAR.blockTapSum(w, wo, offsets, taps, x, xo, xStride, acc, ao, count);
            return;
        }
        for (int c = 0; c < BLOCK; c += L) {
            int j = 0;
            for (; j <= count - 4; j += 4) {
                int a = ao + j * BLOCK + c, xi = xo + j * xStride + c;
                FloatVector a0 = FloatVector.fromArray(S, acc, a), a1 = FloatVector.fromArray(S, acc, a + BLOCK);
                FloatVector a2 = FloatVector.fromArray(S, acc, a + 2 * BLOCK), a3 = FloatVector.fromArray(S, acc, a + 3 * BLOCK);
                for (int t = 0; t < taps; t++) {
                    FloatVector wv = FloatVector.fromArray(S, w, wo + t * BLOCK + c);
                    int i = xi + offsets[t];
                    a0 = wv.fma(FloatVector.fromArray(S, x, i), a0);
                    a1 = wv.fma(FloatVector.fromArray(S, x, i + xStride), a1);
                    a2 = wv.fma(FloatVector.fromArray(S, x, i + 2 * xStride), a2);
                    a3 = wv.fma(FloatVector.fromArray(S, x, i + 3 * xStride), a3);
                }
                a0.intoArray(acc, a);
                a1.intoArray(acc, a + BLOCK);
                a2.intoArray(acc, a + 2 * BLOCK);
                a3.intoArray(acc, a + 3 * BLOCK);
            }
            for (; j < count; j++) {
                int a = ao + j * BLOCK + c, xi = xo + j * xStride + c;
                FloatVector a0 = FloatVector.fromArray(S, acc, a);
                for (int t = 0; t < taps; t++) a0 = FloatVector.fromArray(S, w, wo + t * BLOCK + c).fma(FloatVector.fromArray(S, x, xi + offsets[t]), a0);
                a0.intoArray(acc, a);
            }
        }
    }

    @Override public void blockFma(float[] w, int wo, float[] x, int xo, int xStride, float[] acc, int ao, int count) {
        if (L > BLOCK) { // vectors wider than a block (a 1024-bit or wider SVE): per lane, the same fused sums
            for (int j = 0; j < count; j++, xo += xStride, ao += BLOCK)
                for (int c = 0; c < BLOCK; c++) acc[ao + c] = Math.fma(w[wo + c], x[xo + c], acc[ao + c]);
            return;
        }
        for (int c = 0; c < BLOCK; c += L) {
            FloatVector wv = FloatVector.fromArray(S, w, wo + c);
            for (int j = 0, xi = xo + c, ai = ao + c; j < count; j++, xi += xStride, ai += BLOCK)
                wv.fma(FloatVector.fromArray(S, x, xi), FloatVector.fromArray(S, acc, ai)).intoArray(acc, ai);
        }
    }

    private static final ScalarFloatKernels SCALAR = new ScalarFloatKernels();

    /**
     * On 16 lanes a block is one vector: 4 blocks x 6 pixels are 24 accumulators, with 4 weight vectors and a
     * broadcast within AVX-512's 32 registers; each input value is broadcast once for 64 output channels and each
     * weight vector serves 6 pixels. The pixels and the blocks sit at fixed distances (BLOCK floats apart), and the
     * input channels come from a table in one flat loop: nested loops over blocks, taps and channels with trip counts
     * C2 cannot see ran at 66-95 GFLOP/s against 190-205 (a Zen 5 core). 8-lane vectors run a block as two halves
     * (12 accumulators), 4-lane ones as four slices of six chains, wider ones (no such CPU here) the scalar chains.
     * The same bits in every case.
     */
    @Override public void blockedConv(int nb, int pixels, float[] x, int xo, int[] offsets, int count, float[] w, int wo,
                                      float[] y, int[] yo, int yStride, boolean add) {
        boolean six = pixels == STRIP;
        if (L > BLOCK || BLOCK % L != 0 || !six && pixels != ROW_STRIP) SCALAR.blockedConv(nb, pixels, x, xo, offsets, count, w, wo, y, yo, yStride, add);
        else if (L == BLOCK && nb == 4 && six) blocked4x6(x, xo, offsets, count, w, wo, y, yo, yStride, add);
        else if (L == BLOCK && nb == 3 && !six) blocked3x7(x, xo, offsets, count, w, wo, y, yo, yStride, add);
        else if (2 * L == BLOCK && six) for (int j = 0; j < nb; j++) blockedHalves1x6(x, xo, offsets, count, w, wo + j * BLOCK, nb * BLOCK, y, yo, j * yStride, add);
        else for (int j = 0; j < nb; j++) // a block's lanes L at a time (L = BLOCK: one slice), six or seven chains each
            for (int h = 0; h < BLOCK; h += L) {
                if (six) blocked1x6(x, xo, offsets, count, w, wo + j * BLOCK + h, nb * BLOCK, y, yo, j * yStride + h, add);
                else blocked1x7(x, xo, offsets, count, w, wo + j * BLOCK + h, nb * BLOCK, y, yo, j * yStride + h, add);
            }
    }

    private static FloatVector start(float[] y, int at, boolean add) {
        return add ? FloatVector.fromArray(S, y, at) : FloatVector.zero(S);
    }

    private void blocked4x6(float[] x, int xo, int[] offsets, int count, float[] w, int wo,
                            float[] y, int[] yo, int yStride, boolean add) {
        int y0 = yo[0], y1 = yo[1], y2 = yo[2], y3 = yo[3], y4 = yo[4], y5 = yo[5];
        int s1 = yStride, s2 = 2 * yStride, s3 = 3 * yStride;
        FloatVector a00 = start(y, y0, add), a01 = start(y, y1, add), a02 = start(y, y2, add), a03 = start(y, y3, add), a04 = start(y, y4, add), a05 = start(y, y5, add);
        FloatVector a10 = start(y, y0 + s1, add), a11 = start(y, y1 + s1, add), a12 = start(y, y2 + s1, add), a13 = start(y, y3 + s1, add), a14 = start(y, y4 + s1, add), a15 = start(y, y5 + s1, add);
        FloatVector a20 = start(y, y0 + s2, add), a21 = start(y, y1 + s2, add), a22 = start(y, y2 + s2, add), a23 = start(y, y3 + s2, add), a24 = start(y, y4 + s2, add), a25 = start(y, y5 + s2, add);
        FloatVector a30 = start(y, y0 + s3, add), a31 = start(y, y1 + s3, add), a32 = start(y, y2 + s3, add), a33 = start(y, y3 + s3, add), a34 = start(y, y4 + s3, add), a35 = start(y, y5 + s3, add);
        for (int k = 0; k < count; k++, wo += 4 * BLOCK) {
            int xi = xo + offsets[k];
            FloatVector v0 = FloatVector.fromArray(S, w, wo), v1 = FloatVector.fromArray(S, w, wo + BLOCK),
                    v2 = FloatVector.fromArray(S, w, wo + 2 * BLOCK), v3 = FloatVector.fromArray(S, w, wo + 3 * BLOCK);
            FloatVector e = FloatVector.broadcast(S, x[xi]);
            a00 = v0.fma(e, a00); a10 = v1.fma(e, a10); a20 = v2.fma(e, a20); a30 = v3.fma(e, a30);
            e = FloatVector.broadcast(S, x[xi + BLOCK]);
            a01 = v0.fma(e, a01); a11 = v1.fma(e, a11); a21 = v2.fma(e, a21); a31 = v3.fma(e, a31);
            e = FloatVector.broadcast(S, x[xi + 2 * BLOCK]);
            a02 = v0.fma(e, a02); a12 = v1.fma(e, a12); a22 = v2.fma(e, a22); a32 = v3.fma(e, a32);
            e = FloatVector.broadcast(S, x[xi + 3 * BLOCK]);
            a03 = v0.fma(e, a03); a13 = v1.fma(e, a13); a23 = v2.fma(e, a23); a33 = v3.fma(e, a33);
            e = FloatVector.broadcast(S, x[xi + 4 * BLOCK]);
            a04 = v0.fma(e, a04); a14 = v1.fma(e, a14); a24 = v2.fma(e, a24); a34 = v3.fma(e, a34);
            e = FloatVector.broadcast(S, x[xi + 5 * BLOCK]);
            a05 = v0.fma(e, a05); a15 = v1.fma(e, a15); a25 = v2.fma(e, a25); a35 = v3.fma(e, a35);
        }
        a00.intoArray(y, y0); a01.intoArray(y, y1); a02.intoArray(y, y2); a03.intoArray(y, y3); a04.intoArray(y, y4); a05.intoArray(y, y5);
        a10.intoArray(y, y0 + s1); a11.intoArray(y, y1 + s1); a12.intoArray(y, y2 + s1); a13.intoArray(y, y3 + s1); a14.intoArray(y, y4 + s1); a15.intoArray(y, y5 + s1);
        a20.intoArray(y, y0 + s2); a21.intoArray(y, y1 + s2); a22.intoArray(y, y2 + s2); a23.intoArray(y, y3 + s2); a24.intoArray(y, y4 + s2); a25.intoArray(y, y5 + s2);
        a30.intoArray(y, y0 + s3); a31.intoArray(y, y1 + s3); a32.intoArray(y, y2 + s3); a33.intoArray(y, y3 + s3); a34.intoArray(y, y4 + s3); a35.intoArray(y, y5 + s3);
    }

    /** 3 blocks x 7 pixels (an output row of 7 or 14): 21 accumulators, 3 weight vectors and a broadcast. */
    private void blocked3x7(float[] x, int xo, int[] offsets, int count, float[] w, int wo,
                            float[] y, int[] yo, int yStride, boolean add) {
        int y0 = yo[0], y1 = yo[1], y2 = yo[2], y3 = yo[3], y4 = yo[4], y5 = yo[5], y6 = yo[6];
        int s1 = yStride, s2 = 2 * yStride;
        FloatVector a00 = start(y, y0, add), a01 = start(y, y1, add), a02 = start(y, y2, add), a03 = start(y, y3, add), a04 = start(y, y4, add), a05 = start(y, y5, add), a06 = start(y, y6, add);
        FloatVector a10 = start(y, y0 + s1, add), a11 = start(y, y1 + s1, add), a12 = start(y, y2 + s1, add), a13 = start(y, y3 + s1, add), a14 = start(y, y4 + s1, add), a15 = start(y, y5 + s1, add), a16 = start(y, y6 + s1, add);
        FloatVector a20 = start(y, y0 + s2, add), a21 = start(y, y1 + s2, add), a22 = start(y, y2 + s2, add), a23 = start(y, y3 + s2, add), a24 = start(y, y4 + s2, add), a25 = start(y, y5 + s2, add), a26 = start(y, y6 + s2, add);
        for (int k = 0; k < count; k++, wo += 3 * BLOCK) {
            int xi = xo + offsets[k];
            FloatVector v0 = FloatVector.fromArray(S, w, wo), v1 = FloatVector.fromArray(S, w, wo + BLOCK), v2 = FloatVector.fromArray(S, w, wo + 2 * BLOCK);
            FloatVector e = FloatVector.broadcast(S, x[xi]);
            a00 = v0.fma(e, a00); a10 = v1.fma(e, a10); a20 = v2.fma(e, a20);
            e = FloatVector.broadcast(S, x[xi + BLOCK]);
            a01 = v0.fma(e, a01); a11 = v1.fma(e, a11); a21 = v2.fma(e, a21);
            e = FloatVector.broadcast(S, x[xi + 2 * BLOCK]);
            a02 = v0.fma(e, a02); a12 = v1.fma(e, a12); a22 = v2.fma(e, a22);
            e = FloatVector.broadcast(S, x[xi + 3 * BLOCK]);
            a03 = v0.fma(e, a03); a13 = v1.fma(e, a13); a23 = v2.fma(e, a23);
            e = FloatVector.broadcast(S, x[xi + 4 * BLOCK]);
            a04 = v0.fma(e, a04); a14 = v1.fma(e, a14); a24 = v2.fma(e, a24);
            e = FloatVector.broadcast(S, x[xi + 5 * BLOCK]);
            a05 = v0.fma(e, a05); a15 = v1.fma(e, a15); a25 = v2.fma(e, a25);
            e = FloatVector.broadcast(S, x[xi + 6 * BLOCK]);
            a06 = v0.fma(e, a06); a16 = v1.fma(e, a16); a26 = v2.fma(e, a26);
        }
        a00.intoArray(y, y0); a01.intoArray(y, y1); a02.intoArray(y, y2); a03.intoArray(y, y3); a04.intoArray(y, y4); a05.intoArray(y, y5); a06.intoArray(y, y6);
        a10.intoArray(y, y0 + s1); a11.intoArray(y, y1 + s1); a12.intoArray(y, y2 + s1); a13.intoArray(y, y3 + s1); a14.intoArray(y, y4 + s1); a15.intoArray(y, y5 + s1); a16.intoArray(y, y6 + s1);
        a20.intoArray(y, y0 + s2); a21.intoArray(y, y1 + s2); a22.intoArray(y, y2 + s2); a23.intoArray(y, y3 + s2); a24.intoArray(y, y4 + s2); a25.intoArray(y, y5 + s2); a26.intoArray(y, y6 + s2);
    }

    /** One block as two 8-lane halves x 6 pixels: 12 accumulators, two weight vectors and a broadcast in AVX2's 16 registers. */
    private void blockedHalves1x6(float[] x, int xo, int[] offsets, int count, float[] w, int wo, int wStep,
                                  float[] y, int[] yo, int ys, boolean add) {
        int y0 = yo[0] + ys, y1 = yo[1] + ys, y2 = yo[2] + ys, y3 = yo[3] + ys, y4 = yo[4] + ys, y5 = yo[5] + ys;
        FloatVector a0 = start(y, y0, add), a1 = start(y, y1, add), a2 = start(y, y2, add), a3 = start(y, y3, add), a4 = start(y, y4, add), a5 = start(y, y5, add);
        FloatVector b0 = start(y, y0 + L, add), b1 = start(y, y1 + L, add), b2 = start(y, y2 + L, add), b3 = start(y, y3 + L, add), b4 = start(y, y4 + L, add), b5 = start(y, y5 + L, add);
        for (int k = 0; k < count; k++, wo += wStep) {
            int xi = xo + offsets[k];
            FloatVector v = FloatVector.fromArray(S, w, wo), u = FloatVector.fromArray(S, w, wo + L);
            FloatVector e = FloatVector.broadcast(S, x[xi]);
            a0 = v.fma(e, a0); b0 = u.fma(e, b0);
            e = FloatVector.broadcast(S, x[xi + BLOCK]);
            a1 = v.fma(e, a1); b1 = u.fma(e, b1);
            e = FloatVector.broadcast(S, x[xi + 2 * BLOCK]);
            a2 = v.fma(e, a2); b2 = u.fma(e, b2);
            e = FloatVector.broadcast(S, x[xi + 3 * BLOCK]);
            a3 = v.fma(e, a3); b3 = u.fma(e, b3);
            e = FloatVector.broadcast(S, x[xi + 4 * BLOCK]);
            a4 = v.fma(e, a4); b4 = u.fma(e, b4);
            e = FloatVector.broadcast(S, x[xi + 5 * BLOCK]);
            a5 = v.fma(e, a5); b5 = u.fma(e, b5);
        }
        a0.intoArray(y, y0); a1.intoArray(y, y1); a2.intoArray(y, y2); a3.intoArray(y, y3); a4.intoArray(y, y4); a5.intoArray(y, y5);
        b0.intoArray(y, y0 + L); b1.intoArray(y, y1 + L); b2.intoArray(y, y2 + L); b3.intoArray(y, y3 + L); b4.intoArray(y, y4 + L); b5.intoArray(y, y5 + L);
    }

    private void blocked1x7(float[] x, int xo, int[] offsets, int count, float[] w, int wo, int wStep,
                            float[] y, int[] yo, int ys, boolean add) {
        int y0 = yo[0] + ys, y1 = yo[1] + ys, y2 = yo[2] + ys, y3 = yo[3] + ys, y4 = yo[4] + ys, y5 = yo[5] + ys, y6 = yo[6] + ys;
        FloatVector a0 = start(y, y0, add), a1 = start(y, y1, add), a2 = start(y, y2, add), a3 = start(y, y3, add), a4 = start(y, y4, add), a5 = start(y, y5, add), a6 = start(y, y6, add);
        for (int k = 0; k < count; k++, wo += wStep) {
            int xi = xo + offsets[k];
            FloatVector v = FloatVector.fromArray(S, w, wo);
            a0 = v.fma(FloatVector.broadcast(S, x[xi]), a0); a1 = v.fma(FloatVector.broadcast(S, x[xi + BLOCK]), a1);
            a2 = v.fma(FloatVector.broadcast(S, x[xi + 2 * BLOCK]), a2); a3 = v.fma(FloatVector.broadcast(S, x[xi + 3 * BLOCK]), a3);
            a4 = v.fma(FloatVector.broadcast(S, x[xi + 4 * BLOCK]), a4); a5 = v.fma(FloatVector.broadcast(S, x[xi + 5 * BLOCK]), a5);
            a6 = v.fma(FloatVector.broadcast(S, x[xi + 6 * BLOCK]), a6);
        }
        a0.intoArray(y, y0); a1.intoArray(y, y1); a2.intoArray(y, y2); a3.intoArray(y, y3); a4.intoArray(y, y4); a5.intoArray(y, y5); a6.intoArray(y, y6);
    }

    private void blocked1x6(float[] x, int xo, int[] offsets, int count, float[] w, int wo, int wStep,
                            float[] y, int[] yo, int ys, boolean add) {
        int y0 = yo[0] + ys, y1 = yo[1] + ys, y2 = yo[2] + ys, y3 = yo[3] + ys, y4 = yo[4] + ys, y5 = yo[5] + ys;
        FloatVector a0 = start(y, y0, add), a1 = start(y, y1, add), a2 = start(y, y2, add), a3 = start(y, y3, add), a4 = start(y, y4, add), a5 = start(y, y5, add);
        for (int k = 0; k < count; k++, wo += wStep) {
            int xi = xo + offsets[k];
            FloatVector v = FloatVector.fromArray(S, w, wo);
            a0 = v.fma(FloatVector.broadcast(S, x[xi]), a0); a1 = v.fma(FloatVector.broadcast(S, x[xi + BLOCK]), a1);
            a2 = v.fma(FloatVector.broadcast(S, x[xi + 2 * BLOCK]), a2); a3 = v.fma(FloatVector.broadcast(S, x[xi + 3 * BLOCK]), a3);
            a4 = v.fma(FloatVector.broadcast(S, x[xi + 4 * BLOCK]), a4); a5 = v.fma(FloatVector.broadcast(S, x[xi + 5 * BLOCK]), a5);
        }
        a0.intoArray(y, y0); a1.intoArray(y, y1); a2.intoArray(y, y2); a3.intoArray(y, y3); a4.intoArray(y, y4); a5.intoArray(y, y5);
    }

    @Override public void copyPanelRow(float[] src, int s, float[] dst, int d) {
        FloatVector.fromArray(S, src, s).intoArray(dst, d);
        FloatVector.fromArray(S, src, s + L).intoArray(dst, d + L);
    }

    @Override public void gemm(int rows, int mr, int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, boolean add) {
        switch (rows) {
            case 14 -> kernel14(mr, kc, a, ao, b, bo, c, co, ldc, add);
            case 12 -> kernel12(mr, kc, a, ao, b, bo, c, co, ldc, add);
            case 8 -> kernel8(mr, kc, a, ao, b, bo, c, co, ldc, add);
            case 4 -> kernel4(mr, kc, a, ao, b, bo, c, co, ldc, add);
            default -> throw new IllegalArgumentException("micro-kernel rows " + rows);
        }
    }

    private void kernel14(int mr, int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, boolean add) {
        FloatVector c0a = FloatVector.zero(S), c0b = FloatVector.zero(S), c1a = FloatVector.zero(S), c1b = FloatVector.zero(S), c2a = FloatVector.zero(S), c2b = FloatVector.zero(S), c3a = FloatVector.zero(S), c3b = FloatVector.zero(S), c4a = FloatVector.zero(S), c4b = FloatVector.zero(S), c5a = FloatVector.zero(S), c5b = FloatVector.zero(S), c6a = FloatVector.zero(S), c6b = FloatVector.zero(S), c7a = FloatVector.zero(S), c7b = FloatVector.zero(S), c8a = FloatVector.zero(S), c8b = FloatVector.zero(S), c9a = FloatVector.zero(S), c9b = FloatVector.zero(S), c10a = FloatVector.zero(S), c10b = FloatVector.zero(S), c11a = FloatVector.zero(S), c11b = FloatVector.zero(S), c12a = FloatVector.zero(S), c12b = FloatVector.zero(S), c13a = FloatVector.zero(S), c13b = FloatVector.zero(S);
        for (int k = 0; k < kc; k++, ao += mr, bo += 2 * L) {
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

    private void kernel12(int mr, int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, boolean add) {
        FloatVector c0a = FloatVector.zero(S), c0b = FloatVector.zero(S), c1a = FloatVector.zero(S), c1b = FloatVector.zero(S), c2a = FloatVector.zero(S), c2b = FloatVector.zero(S), c3a = FloatVector.zero(S), c3b = FloatVector.zero(S), c4a = FloatVector.zero(S), c4b = FloatVector.zero(S), c5a = FloatVector.zero(S), c5b = FloatVector.zero(S), c6a = FloatVector.zero(S), c6b = FloatVector.zero(S), c7a = FloatVector.zero(S), c7b = FloatVector.zero(S), c8a = FloatVector.zero(S), c8b = FloatVector.zero(S), c9a = FloatVector.zero(S), c9b = FloatVector.zero(S), c10a = FloatVector.zero(S), c10b = FloatVector.zero(S), c11a = FloatVector.zero(S), c11b = FloatVector.zero(S);
        for (int k = 0; k < kc; k++, ao += mr, bo += 2 * L) {
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
    }

    private void kernel8(int mr, int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, boolean add) {
        FloatVector c0a = FloatVector.zero(S), c0b = FloatVector.zero(S), c1a = FloatVector.zero(S), c1b = FloatVector.zero(S), c2a = FloatVector.zero(S), c2b = FloatVector.zero(S), c3a = FloatVector.zero(S), c3b = FloatVector.zero(S), c4a = FloatVector.zero(S), c4b = FloatVector.zero(S), c5a = FloatVector.zero(S), c5b = FloatVector.zero(S), c6a = FloatVector.zero(S), c6b = FloatVector.zero(S), c7a = FloatVector.zero(S), c7b = FloatVector.zero(S);
        for (int k = 0; k < kc; k++, ao += mr, bo += 2 * L) {
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

    private void kernel4(int mr, int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, boolean add) {
        FloatVector c0a = FloatVector.zero(S), c0b = FloatVector.zero(S), c1a = FloatVector.zero(S), c1b = FloatVector.zero(S), c2a = FloatVector.zero(S), c2b = FloatVector.zero(S), c3a = FloatVector.zero(S), c3b = FloatVector.zero(S);
        for (int k = 0; k < kc; k++, ao += mr, bo += 2 * L) {
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
