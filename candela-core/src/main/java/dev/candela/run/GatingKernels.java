package dev.candela.run;

import dev.candela.graph.LayerNorm;
import dev.candela.graph.Mul;
import dev.candela.graph.Resize2d;
import dev.candela.graph.Pad2d;
import dev.candela.graph.Pointwise;
import dev.candela.graph.Slice;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.List;

/**
 * Kernels of the ops added for the torchvision zoo (issue 13): {@link Pointwise}, broadcasting {@link Mul},
 * {@link Slice} and {@link Pad2d}. Each has a scalar reference (plain loops, double arithmetic, an
 * odometer over the broadcast) and a fast version (float arithmetic, a precomputed broadcast index,
 * split over fixed chunks of the output so the bits do not depend on the thread count). Self-contained
 * so the ops can move with their rules.
 */
final class GatingKernels {
    private GatingKernels() {}

    private static final int CHUNK = 1 << 14;

    // ---- reference ---------------------------------------------------------------------------

    static Tensor pointwiseRef(Pointwise p, Tensor x) {
        float[] d = x.data(), o = new float[d.length];
        for (int i = 0; i < d.length; i++) o[i] = (float) p.value(d[i]);
        return new Tensor(x.shape(), o);
    }

    static Tensor pointwiseBackwardRef(Pointwise p, Tensor x, Tensor gy) {
        float[] d = x.data(), g = gy.data(), o = new float[d.length];
        for (int i = 0; i < d.length; i++) o[i] = (float) (g[i] * p.slope(d[i]));
        return new Tensor(x.shape(), o);
    }

    /** Reference broadcast product: output multi-index -> input multi-index with size-1 axes held at 0. */
    static Tensor mulRef(Tensor a, Tensor b) {
        Shape os = Mul.broadcast(a.shape(), b.shape());
        float[] o = new float[os.size()];
        int[] pos = new int[os.rank()];
        for (int k = 0; k < o.length; k++) {
            o[k] = (float) ((double) a.data()[at(a.shape(), pos)] * b.data()[at(b.shape(), pos)]);
            next(pos, os);
        }
        return new Tensor(os, o);
    }

    /** dL/da = sum over broadcast copies of gy * b (and symmetrically), accumulated in double. */
    static List<Tensor> mulBackwardRef(Tensor a, Tensor b, Tensor gy) {
        Shape os = gy.shape();
        double[] ga = new double[a.size()], gb = new double[b.size()];
        int[] pos = new int[os.rank()];
        for (int k = 0; k < os.size(); k++) {
            int ia = at(a.shape(), pos), ib = at(b.shape(), pos);
            ga[ia] += (double) gy.data()[k] * b.data()[ib];
            gb[ib] += (double) gy.data()[k] * a.data()[ia];
            next(pos, os);
        }
        return List.of(new Tensor(a.shape(), toFloat(ga)), new Tensor(b.shape(), toFloat(gb)));
    }

    private static int at(Shape s, int[] pos) {
        int idx = 0;
        for (int i = 0; i < pos.length; i++) idx = idx * s.dim(i) + (s.dim(i) == 1 ? 0 : pos[i]);
        return idx;
    }

    private static void next(int[] pos, Shape s) {
        for (int i = pos.length - 1; i >= 0; i--) {
            if (++pos[i] < s.dim(i)) return;
            pos[i] = 0;
        }
    }

    static Tensor sliceRef(Slice s, Tensor x) {
        Shape is = x.shape(), os = s.outputShape(List.of(is));
        float[] o = new float[os.size()];
        int[] pos = new int[os.rank()];
        for (int k = 0; k < o.length; k++) {
            int[] src = pos.clone();
            src[s.axis()] += s.start();
            o[k] = x.data()[x.offset(src)];
            next(pos, os);
        }
        return new Tensor(os, o);
    }

    static Tensor sliceBackwardRef(Slice s, Shape inShape, Tensor gy) {
        float[] o = new float[inShape.size()];
        Tensor gx = new Tensor(inShape, o);
        int[] pos = new int[gy.rank()];
        for (int k = 0; k < gy.size(); k++) {
            int[] dst = pos.clone();
            dst[s.axis()] += s.start();
            o[gx.offset(dst)] = gy.data()[k];
            next(pos, gy.shape());
        }
        return gx;
    }

    static Tensor padRef(Pad2d p, Tensor x) {
        Shape os = p.outputShape(List.of(x.shape()));
        int[] pd = p.pads();
        float[] o = new float[os.size()];
        int n = os.dim(0), c = os.dim(1), h = os.dim(2), w = os.dim(3);
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < w; j++) {
                        int si = i - pd[0], sj = j - pd[1];
                        boolean in = si >= 0 && sj >= 0 && si < x.dim(2) && sj < x.dim(3);
                        o[((b * c + ch) * h + i) * w + j] = in ? x.get(b, ch, si, sj) : p.value();
                    }
        return new Tensor(os, o);
    }

    static Tensor padBackwardRef(Pad2d p, Shape inShape, Tensor gy) {
        int[] pd = p.pads();
        float[] o = new float[inShape.size()];
        Tensor gx = new Tensor(inShape, o);
        for (int b = 0; b < inShape.dim(0); b++)
            for (int ch = 0; ch < inShape.dim(1); ch++)
                for (int i = 0; i < inShape.dim(2); i++)
                    for (int j = 0; j < inShape.dim(3); j++) o[gx.offset(b, ch, i, j)] = gy.get(b, ch, i + pd[0], j + pd[1]);
        return gx;
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    /** Reference LayerNorm: mean and biased variance per row of the last axis, in double. */
    static Tensor layerNormRef(LayerNorm l, Tensor x) {
        int c = l.features(), rows = x.size() / c;
        float[] d = x.data(), o = new float[d.length], g = l.gamma().data(), b = l.beta().data();
        for (int r = 0; r < rows; r++) {
            double mean = 0, var = 0;
            for (int i = 0; i < c; i++) mean += d[r * c + i];
            mean /= c;
            for (int i = 0; i < c; i++) { double a = d[r * c + i] - mean; var += a * a; }
            double rstd = 1 / Math.sqrt(var / c + l.epsilon());
            for (int i = 0; i < c; i++) o[r * c + i] = (float) ((d[r * c + i] - mean) * rstd * g[i] + b[i]);
        }
        return new Tensor(x.shape(), o);
    }

    /** dx = rstd (g' - mean(g') - xhat mean(g' xhat)) with g' = gy gamma, per row, in double. */
    static Tensor layerNormBackwardRef(LayerNorm l, Tensor x, Tensor gy) {
        int c = l.features(), rows = x.size() / c;
        float[] d = x.data(), gd = gy.data(), o = new float[d.length], g = l.gamma().data();
        double[] xh = new double[c], gp = new double[c];
        for (int r = 0; r < rows; r++) {
            double mean = 0, var = 0;
            for (int i = 0; i < c; i++) mean += d[r * c + i];
            mean /= c;
            for (int i = 0; i < c; i++) { double a = d[r * c + i] - mean; var += a * a; }
            double rstd = 1 / Math.sqrt(var / c + l.epsilon()), mg = 0, mgx = 0;
            for (int i = 0; i < c; i++) {
                xh[i] = (d[r * c + i] - mean) * rstd;
                gp[i] = (double) gd[r * c + i] * g[i];
                mg += gp[i];
                mgx += gp[i] * xh[i];
            }
            mg /= c;
            mgx /= c;
            for (int i = 0; i < c; i++) o[r * c + i] = (float) (rstd * (gp[i] - mg - xh[i] * mgx));
        }
        return new Tensor(x.shape(), o);
    }

    /** Reference resize: every output pixel as the sum of its (at most 4) weighted taps, coordinates recomputed per pixel. */
    static Tensor resizeRef(Resize2d r, Tensor x) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3), oh = r.outH(), ow = r.outW();
        float[] o = new float[n * c * oh * ow];
        for (int p = 0; p < n * c; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    double[] ti = r.tapsH(i, h), tj = r.tapsW(j, w);
                    double v = 0;
                    for (int a = 0; a < 2; a++) for (int b = 0; b < 2; b++)
                        v += ti[2 + a] * tj[2 + b] * x.data()[(p * h + (int) ti[a]) * w + (int) tj[b]];
                    o[(p * oh + i) * ow + j] = (float) v;
                }
        return new Tensor(Shape.of(n, c, oh, ow), o);
    }

    /** The transpose of the resize map, in double. */
    static Tensor resizeBackwardRef(Resize2d r, Shape is, Tensor gy) {
        int nc = is.dim(0) * is.dim(1), h = is.dim(2), w = is.dim(3), oh = r.outH(), ow = r.outW();
        double[] g = new double[is.size()];
        for (int p = 0; p < nc; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    double[] ti = r.tapsH(i, h), tj = r.tapsW(j, w);
                    for (int a = 0; a < 2; a++) for (int b = 0; b < 2; b++)
                        g[(p * h + (int) ti[a]) * w + (int) tj[b]] += ti[2 + a] * tj[2 + b] * gy.data()[(p * oh + i) * ow + j];
                }
        return new Tensor(is, toFloat(g));
    }

    // ---- fast --------------------------------------------------------------------------------

    static Tensor pointwise(Parallel par, Pointwise p, Tensor x) {
        float[] d = x.data(), o = ActivationArena.take(d.length);
        chunks(par, d.length, (from, to) -> {
            switch (p.fn()) {
                case SIGMOID -> dev.candela.tensor.VectorOps.sigmoid(d, o, from, to - from);
                case SILU -> dev.candela.tensor.VectorOps.silu(d, o, from, to - from);
                case HARD_SIGMOID -> { for (int i = from; i < to; i++) o[i] = Math.max(0f, Math.min(1f, p.alpha() * d[i] + p.beta())); }
                case HARD_SWISH -> { for (int i = from; i < to; i++) o[i] = d[i] * Math.max(0f, Math.min(1f, p.alpha() * d[i] + p.beta())); }
                default -> { for (int i = from; i < to; i++) o[i] = (float) p.value(d[i]); }
            }
        });
        return new Tensor(x.shape(), o);
    }

    static Tensor pointwiseBackward(Parallel par, Pointwise p, Tensor x, Tensor gy) {
        float[] d = x.data(), g = gy.data(), o = new float[d.length];
        chunks(par, d.length, (from, to) -> {
            for (int i = from; i < to; i++) o[i] = (float) (g[i] * p.slope(d[i]));
        });
        return new Tensor(x.shape(), o);
    }

    static Tensor mul(Parallel par, Tensor a, Tensor b) {
        Shape os = Mul.broadcast(a.shape(), b.shape());
        float[] x = a.data(), y = b.data(), o = ActivationArena.take(os.size()); // every element written below
        int innerB = a.shape().equals(os) ? trailingBroadcast(b.shape(), os) : -1;
        int innerA = b.shape().equals(os) ? trailingBroadcast(a.shape(), os) : -1;
        if (a.shape().equals(os) && b.shape().equals(os)) {
            chunks(par, o.length, (from, to) -> { for (int i = from; i < to; i++) o[i] = x[i] * y[i]; });
        } else if (innerB > 0) {
            scaleRuns(par, x, y, innerB, false, o);
        } else if (innerA > 0) {
            scaleRuns(par, y, x, innerA, true, o);
        } else {
            int[] ia = a.shape().equals(os) ? null : Mul.sourceIndex(a.shape(), os), ib = b.shape().equals(os) ? null : Mul.sourceIndex(b.shape(), os);
            chunks(par, o.length, (from, to) -> {
                for (int i = from; i < to; i++) o[i] = x[ia == null ? i : ia[i]] * y[ib == null ? i : ib[i]];
            });
        }
        return new Tensor(os, o);
    }

    /** Gradients of the broadcast product; the reduction over broadcast copies runs in output order per input element (serial, so bits are fixed). */
    static List<Tensor> mulBackward(Parallel par, Tensor a, Tensor b, Tensor gy) {
        return List.of(reduceProduct(par, gy, b, a.shape()), reduceProduct(par, gy, a, b.shape()));
    }

    /** sum over broadcast copies of gy * other, into {@code target}'s shape. */
    private static Tensor reduceProduct(Parallel par, Tensor gy, Tensor other, Shape target) {
        Shape os = gy.shape();
        float[] g = gy.data(), v = other.data();
        int innerOther = target.equals(os) ? trailingBroadcast(other.shape(), os) : -1;
        int innerTarget = other.shape().equals(os) ? trailingBroadcast(target, os) : -1;
        if (innerOther > 0) {
            float[] o = new float[os.size()];
            scaleRuns(par, g, v, innerOther, false, o);
            return new Tensor(os, o);
        }
        if (innerTarget > 0) {
            // each target element sums its own contiguous run in output order, as the general loop below does
            float[] o = new float[target.size()];
            int perChunk = Math.max(1, CHUNK / innerTarget);
            chunks(par, o.length, perChunk, (from, to) -> {
                for (int p = from; p < to; p++) {
                    float acc = 0f;
                    for (int i = p * innerTarget, end = i + innerTarget; i < end; i++) acc += g[i] * v[i];
                    o[p] = acc;
                }
            });
            return new Tensor(target, o);
        }
        int[] io = other.shape().equals(os) ? null : Mul.sourceIndex(other.shape(), os);
        if (target.equals(os)) {
            float[] o = new float[os.size()];
            chunks(par, o.length, (from, to) -> { for (int i = from; i < to; i++) o[i] = g[i] * v[io == null ? i : io[i]]; });
            return new Tensor(os, o);
        }
        int[] it = Mul.sourceIndex(target, os);
        float[] o = new float[target.size()];
        for (int i = 0; i < g.length; i++) o[it[i]] += g[i] * v[io == null ? i : io[i]];
        return new Tensor(target, o);
    }

    static Tensor slice(Slice s, Tensor x) {
        Shape is = x.shape(), os = s.outputShape(List.of(is));
        int outer = 1, inner = 1;
        for (int i = 0; i < s.axis(); i++) outer *= is.dim(i);
        for (int i = s.axis() + 1; i < is.rank(); i++) inner *= is.dim(i);
        int len = (s.end() - s.start()) * inner, full = is.dim(s.axis()) * inner;
        float[] o = new float[os.size()];
        for (int b = 0; b < outer; b++) System.arraycopy(x.data(), b * full + s.start() * inner, o, b * len, len);
        return new Tensor(os, o);
    }

    static Tensor sliceBackward(Slice s, Shape is, Tensor gy) {
        int outer = 1, inner = 1;
        for (int i = 0; i < s.axis(); i++) outer *= is.dim(i);
        for (int i = s.axis() + 1; i < is.rank(); i++) inner *= is.dim(i);
        int len = (s.end() - s.start()) * inner, full = is.dim(s.axis()) * inner;
        float[] o = new float[is.size()];
        for (int b = 0; b < outer; b++) System.arraycopy(gy.data(), b * len, o, b * full + s.start() * inner, len);
        return new Tensor(is, o);
    }

    static Tensor pad(Pad2d p, Tensor x) {
        Shape os = p.outputShape(List.of(x.shape()));
        int[] pd = p.pads();
        int planes = os.dim(0) * os.dim(1), h = x.dim(2), w = x.dim(3), oh = os.dim(2), ow = os.dim(3);
        float[] o = new float[os.size()];
        if (p.value() != 0f) java.util.Arrays.fill(o, p.value());
        for (int q = 0; q < planes; q++)
            for (int i = 0; i < h; i++) System.arraycopy(x.data(), (q * h + i) * w, o, (q * oh + i + pd[0]) * ow + pd[1], w);
        return new Tensor(os, o);
    }

    static Tensor padBackward(Pad2d p, Shape is, Tensor gy) {
        int[] pd = p.pads();
        int planes = is.dim(0) * is.dim(1), h = is.dim(2), w = is.dim(3), oh = gy.dim(2), ow = gy.dim(3);
        float[] o = new float[is.size()];
        for (int q = 0; q < planes; q++)
            for (int i = 0; i < h; i++) System.arraycopy(gy.data(), (q * oh + i + pd[0]) * ow + pd[1], o, (q * h + i) * w, w);
        return new Tensor(is, o);
    }

    /** LayerNorm rows in parallel (a row's mean and variance summed in double, serially: bits independent of the thread count). */
    static Tensor layerNorm(Parallel par, LayerNorm l, Tensor x) {
        int c = l.features(), rows = x.size() / c;
        float[] d = x.data(), o = new float[d.length], g = l.gamma().data(), b = l.beta().data();
        rowsInParallel(par, rows, c, r -> {
            int base = r * c;
            double sum = 0, var = 0;
            for (int i = 0; i < c; i++) sum += d[base + i];
            float mean = (float) (sum / c);
            for (int i = 0; i < c; i++) { double a = (double) d[base + i] - sum / c; var += a * a; }
            float rstd = (float) (1 / Math.sqrt(var / c + l.epsilon()));
            double meanD = sum / c, rstdD = 1 / Math.sqrt(var / c + l.epsilon());
            // (x - mean) in double: a row with a small spread around a large mean would lose its digits in float.
            for (int i = 0; i < c; i++) o[base + i] = (float) (((double) d[base + i] - meanD) * rstdD) * g[i] + b[i];
        });
        return new Tensor(x.shape(), o);
    }

    static Tensor layerNormBackward(Parallel par, LayerNorm l, Tensor x, Tensor gy) {
        int c = l.features(), rows = x.size() / c;
        float[] d = x.data(), gd = gy.data(), o = new float[d.length], g = l.gamma().data();
        rowsInParallel(par, rows, c, r -> {
            int base = r * c;
            double sum = 0, var = 0;
            for (int i = 0; i < c; i++) sum += d[base + i];
            float mean = (float) (sum / c);
            for (int i = 0; i < c; i++) { double a = (double) d[base + i] - sum / c; var += a * a; }
            float rstd = (float) (1 / Math.sqrt(var / c + l.epsilon())), mg = 0, mgx = 0;
            for (int i = 0; i < c; i++) {
                float gp = gd[base + i] * g[i];
                mg += gp;
                mgx += gp * (float) (((double) d[base + i] - sum / c) * rstd);
            }
            mg /= c;
            mgx /= c;
            for (int i = 0; i < c; i++) o[base + i] = rstd * (gd[base + i] * g[i] - mg - (float) (((double) d[base + i] - sum / c) * rstd) * mgx);
        });
        return new Tensor(x.shape(), o);
    }

    private static void rowsInParallel(Parallel par, int rows, int c, java.util.function.IntConsumer row) {
        int per = Math.max(1, CHUNK / Math.max(1, c)), count = (rows + per - 1) / per;
        par.forEach(count, k -> { for (int r = k * per; r < Math.min(rows, (k + 1) * per); r++) row.accept(r); });
    }

    /** Fast resize: per-axis tap tables computed once, planes in parallel, float arithmetic. */
    static Tensor resize(Parallel par, Resize2d r, Tensor x) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3), oh = r.outH(), ow = r.outW();
        int[] hi = new int[2 * oh], wi = new int[2 * ow];
        float[] hw = new float[2 * oh], ww = new float[2 * ow];
        table(r, true, h, oh, hi, hw);
        table(r, false, w, ow, wi, ww);
        float[] d = x.data(), o = new float[n * c * oh * ow];
        par.forEach(n * c, p -> {
            int in = p * h * w, out = p * oh * ow;
            for (int i = 0; i < oh; i++) {
                int r0 = in + hi[2 * i] * w, r1 = in + hi[2 * i + 1] * w;
                float a0 = hw[2 * i], a1 = hw[2 * i + 1];
                for (int j = 0; j < ow; j++) {
                    int c0 = wi[2 * j], c1 = wi[2 * j + 1];
                    o[out + i * ow + j] = a0 * (ww[2 * j] * d[r0 + c0] + ww[2 * j + 1] * d[r0 + c1]) + a1 * (ww[2 * j] * d[r1 + c0] + ww[2 * j + 1] * d[r1 + c1]);
                }
            }
        });
        return new Tensor(Shape.of(n, c, oh, ow), o);
    }

    static Tensor resizeBackward(Parallel par, Resize2d r, Shape is, Tensor gy) {
        int nc = is.dim(0) * is.dim(1), h = is.dim(2), w = is.dim(3), oh = r.outH(), ow = r.outW();
        int[] hi = new int[2 * oh], wi = new int[2 * ow];
        float[] hw = new float[2 * oh], ww = new float[2 * ow];
        table(r, true, h, oh, hi, hw);
        table(r, false, w, ow, wi, ww);
        float[] g = gy.data(), o = new float[is.size()];
        par.forEach(nc, p -> {
            int in = p * h * w, out = p * oh * ow;
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    float v = g[out + i * ow + j];
                    for (int a = 0; a < 2; a++) for (int b = 0; b < 2; b++)
                        o[in + hi[2 * i + a] * w + wi[2 * j + b]] += hw[2 * i + a] * ww[2 * j + b] * v;
                }
        });
        return new Tensor(is, o);
    }

    private static void table(Resize2d r, boolean vertical, int in, int out, int[] idx, float[] wt) {
        for (int k = 0; k < out; k++) {
            double[] t = vertical ? r.tapsH(k, in) : r.tapsW(k, in);
            idx[2 * k] = (int) t[0];
            idx[2 * k + 1] = (int) t[1];
            wt[2 * k] = (float) t[2];
            wt[2 * k + 1] = (float) t[3];
        }
    }

    private interface Range { void run(int from, int to); }

    private static void chunks(Parallel par, int n, Range body) { chunks(par, n, CHUNK, body); }

    private static void chunks(Parallel par, int n, int chunk, Range body) {
        int count = (n + chunk - 1) / chunk;
        if (count <= 1) { body.run(0, n); return; }
        par.forEach(count, c -> body.run(c * chunk, Math.min(n, (c + 1) * chunk)));
    }

    /**
     * o[i] = full[i] * gate[i / run], or gate[i / run] * full[i] when {@code gateFirst} (the product's own operand
     * order, so a NaN's payload comes from the same side as in the general path).
     */
    private static void scaleRuns(Parallel par, float[] full, float[] gate, int run, boolean gateFirst, float[] o) {
        chunks(par, o.length, (from, to) -> {
            for (int i = from; i < to; ) {
                int p = i / run, end = Math.min(to, (p + 1) * run);
                float s = gate[p];
                if (gateFirst) for (; i < end; i++) o[i] = s * full[i];
                else for (; i < end; i++) o[i] = full[i] * s;
            }
        });
    }

    /**
     * The length of the runs over which {@code small} is constant when it equals {@code out} on its leading axes
     * and is 1 on the rest (squeeze-and-excitation's x * s: [N, C, 1, 1] against [N, C, H, W]), else -1; such a
     * product is a scale per run, with no index array of the output's size.
     */
    private static int trailingBroadcast(Shape small, Shape out) {
        int r = out.rank(), k = r;
        while (k > 0 && small.dim(k - 1) == 1) k--;
        for (int i = 0; i < k; i++) if (small.dim(i) != out.dim(i)) return -1;
        int inner = 1;
        for (int i = k; i < r; i++) inner *= out.dim(i);
        return inner;
    }
}
