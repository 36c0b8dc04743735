package dev.candela.run;

import dev.candela.graph.Add;
import dev.candela.graph.AvgPool2d;
import dev.candela.graph.BatchNorm2d;
import dev.candela.graph.ChannelAffine;
import dev.candela.graph.Clip;
import dev.candela.graph.Concat;
import dev.candela.graph.ElementAffine;
import dev.candela.graph.Conv2d;
import dev.candela.graph.ConvTranspose2d;
import dev.candela.graph.Flatten;
import dev.candela.graph.GlobalAvgPool;
import dev.candela.graph.Identity;
import dev.candela.graph.LeakyRelu;
import dev.candela.graph.Linear;
import dev.candela.graph.Lrn;
import dev.candela.graph.MaxPool2d;
import dev.candela.graph.Op;
import dev.candela.graph.Relu;
import dev.candela.graph.Reshape;
import dev.candela.graph.Softmax;
import dev.candela.graph.Transpose;
import dev.candela.graph.Pointwise;
import dev.candela.graph.Mul;
import dev.candela.graph.Slice;
import dev.candela.graph.Pad2d;
import dev.candela.graph.LayerNorm;
import dev.candela.graph.Resize2d;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** The scalar definition of every op: plain loops, double accumulation, no parallelism. */
public final class ReferenceKernels implements Kernels {
    public static final ReferenceKernels INSTANCE = new ReferenceKernels();

    private ReferenceKernels() {}

    /** One op after another: the definition the fast kernels' fused pass is checked against. */
    @Override public Tensor forwardFused(dev.candela.graph.Conv2d conv, Tensor x, List<Op> after, Tensor residual, boolean check) {
        return Kernels.opByOp(this, conv, x, after, residual, check);
    }

    @Override public Tensor forward(Op op, List<Tensor> in) {
        Tensor x = in.get(0);
        Shape outShape = op.outputShape(in.stream().map(Tensor::shape).toList());
        return switch (op) {
            case Conv2d c -> conv(x, c, outShape);
            case ConvTranspose2d t -> convTranspose(x, t, outShape);
            case BatchNorm2d b -> affine(x, b.scale(), b.shift());
            case ChannelAffine a -> affine(x, a.scale().data(), a.shift().data());
            case ElementAffine a -> elementAffine(x, a.scale().data(), a.shift().data());
            case Relu r -> map(x, v -> v > 0 || Float.isNaN(v) ? v : 0f);
            case Clip c -> map(x, v -> Math.min(Math.max(v, c.min()), c.max()));
            case LeakyRelu l -> map(x, v -> v >= 0 ? v : l.alpha() * v);
            case MaxPool2d p -> maxPool(x, p, outShape, null);
            case AvgPool2d p -> avgPool(x, p, outShape);
            case GlobalAvgPool g -> globalAvg(x);
            case Flatten f -> x.reshape(outShape);
            case Reshape r -> x.reshape(outShape);
            case Identity i -> x;
            case Linear l -> linear(Linear.rows(x, l.inFeatures()), l).reshape(outShape);
            case Add a -> add(in);
            case Concat c -> concat(in, c.axis(), outShape);
            case Lrn l -> lrn(x, l);
            case Transpose t -> transpose(x, t.perm(), outShape);
            case Softmax s -> softmax(x, s);
            case Pointwise p -> GatingKernels.pointwiseRef(p, x);
            case Mul m -> GatingKernels.mulRef(x, in.get(1));
            case Slice s -> GatingKernels.sliceRef(s, x);
            case Pad2d p -> GatingKernels.padRef(p, x);
            case LayerNorm n -> GatingKernels.layerNormRef(n, x);
            case Resize2d r -> GatingKernels.resizeRef(r, x);
        };
    }

    @Override public List<Tensor> inputGradients(Op op, List<Tensor> in, Tensor out, Tensor gy) {
        Tensor x = in.get(0);
        return switch (op) {
            case Conv2d c -> List.of(convBackwardInput(gy, c, x.shape()));
            case ConvTranspose2d t -> List.of(convTransposeBackwardInput(gy, t, x.shape()));
            case BatchNorm2d b -> List.of(affine(gy, b.scale(), new float[b.channels()]));
            case ChannelAffine a -> List.of(affine(gy, a.scale().data(), new float[a.channels()]));
            case ElementAffine a -> List.of(elementAffine(gy, a.scale().data(), new float[a.scale().size()]));
            case Relu r -> List.of(mask(gy, x, v -> v > 0));
            case Clip c -> List.of(mask(gy, x, v -> v > c.min() && v < c.max()));
            case LeakyRelu l -> List.of(zip(gy, x, (g, v) -> v > 0 ? g : l.alpha() * g));
            case MaxPool2d p -> List.of(maxPoolBackward(x, p, gy));
            case AvgPool2d p -> List.of(avgPoolBackward(x.shape(), p, gy));
            case GlobalAvgPool g -> List.of(globalAvgBackward(x.shape(), gy));
            case Flatten f -> List.of(gy.reshape(x.shape()));
            case Reshape r -> List.of(gy.reshape(x.shape()));
            case Identity i -> List.of(gy);
            case Linear l -> List.of(linearBackwardInput(Linear.rows(gy, l.outFeatures()), l).reshape(x.shape()));
            case Add a -> addBackward(in, gy);
            case Concat c -> concatBackward(in, c.axis(), gy);
            case Lrn l -> List.of(lrnBackward(x, l, gy));
            case Transpose t -> List.of(transpose(gy, inverse(t.perm()), x.shape()));
            case Softmax s -> List.of(softmaxBackward(out, s, gy));
            case Pointwise p -> List.of(GatingKernels.pointwiseBackwardRef(p, x, gy));
            case Mul m -> GatingKernels.mulBackwardRef(x, in.get(1), gy);
            case Slice s -> List.of(GatingKernels.sliceBackwardRef(s, x.shape(), gy));
            case Pad2d p -> List.of(GatingKernels.padBackwardRef(p, x.shape(), gy));
            case LayerNorm n -> List.of(GatingKernels.layerNormBackwardRef(n, x, gy));
            case Resize2d r -> List.of(GatingKernels.resizeBackwardRef(r, x.shape(), gy));
        };
    }

    // ---- convolution -------------------------------------------------------------------------

    static Tensor conv(Tensor x, Conv2d c, Shape os) {
        int n = x.dim(0), ih = x.dim(2), iw = x.dim(3);
        int oc = c.outChannels(), oh = os.dim(2), ow = os.dim(3);
        int g = c.groups(), icg = c.weight().dim(1), ocg = oc / g, kh = c.kernelH(), kw = c.kernelW();
        float[] xd = x.data(), w = c.weight().data(), b = c.bias().data(), y = new float[os.size()];
        for (int b0 = 0; b0 < n; b0++)
            for (int o = 0; o < oc; o++) {
                int grp = o / ocg;
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        double acc = b[o];
                        for (int ci = 0; ci < icg; ci++) {
                            int cin = grp * icg + ci;
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = oy * c.strides()[0] - c.pads()[0] + ky * c.dilations()[0];
                                if (iy < 0 || iy >= ih) continue;
                                for (int kx = 0; kx < kw; kx++) {
                                    int ix = ox * c.strides()[1] - c.pads()[1] + kx * c.dilations()[1];
                                    if (ix < 0 || ix >= iw) continue;
                                    acc += (double) xd[((b0 * c.inChannels() + cin) * ih + iy) * iw + ix]
                                            * w[((o * icg + ci) * kh + ky) * kw + kx];
                                }
                            }
                        }
                        y[((b0 * oc + o) * oh + oy) * ow + ox] = (float) acc;
                    }
            }
        return new Tensor(os, y);
    }

    /** Transposed convolution written as its definition: every input value scatters w-weighted copies into the output. */
    static Tensor convTranspose(Tensor x, ConvTranspose2d t, Shape os) {
        int n = x.dim(0), ic = t.inChannels(), ih = x.dim(2), iw = x.dim(3), oc = t.outChannels(), oh = os.dim(2), ow = os.dim(3);
        int icg = ic / t.groups(), ocg = t.weight().dim(1), kh = t.kernelH(), kw = t.kernelW();
        float[] xd = x.data(), w = t.weight().data(), b = t.bias().data();
        double[] y = new double[os.size()];
        for (int b0 = 0; b0 < n; b0++)
            for (int o = 0; o < oc; o++) java.util.Arrays.fill(y, ((b0 * oc + o) * oh) * ow, ((b0 * oc + o + 1) * oh) * ow, b[o]);
        for (int b0 = 0; b0 < n; b0++)
            for (int ci = 0; ci < ic; ci++) {
                int grp = ci / icg;
                for (int iy = 0; iy < ih; iy++)
                    for (int ix = 0; ix < iw; ix++) {
                        double xv = xd[((b0 * ic + ci) * ih + iy) * iw + ix];
                        for (int co = 0; co < ocg; co++) {
                            int o = grp * ocg + co;
                            for (int ky = 0; ky < kh; ky++) {
                                int oy = iy * t.strides()[0] - t.pads()[0] + ky * t.dilations()[0];
                                if (oy < 0 || oy >= oh) continue;
                                for (int kx = 0; kx < kw; kx++) {
                                    int ox = ix * t.strides()[1] - t.pads()[1] + kx * t.dilations()[1];
                                    if (ox < 0 || ox >= ow) continue;
                                    y[((b0 * oc + o) * oh + oy) * ow + ox] += xv * w[((ci * ocg + co) * kh + ky) * kw + kx];
                                }
                            }
                        }
                    }
            }
        return new Tensor(os, toFloat(y));
    }

    /** Its input gradient: each input position gathers the output gradients it scattered to. */
    static Tensor convTransposeBackwardInput(Tensor gy, ConvTranspose2d t, Shape xs) {
        int n = xs.dim(0), ic = t.inChannels(), ih = xs.dim(2), iw = xs.dim(3), oc = t.outChannels(), oh = gy.dim(2), ow = gy.dim(3);
        int icg = ic / t.groups(), ocg = t.weight().dim(1), kh = t.kernelH(), kw = t.kernelW();
        float[] gd = gy.data(), w = t.weight().data(), gx = new float[xs.size()];
        for (int b0 = 0; b0 < n; b0++)
            for (int ci = 0; ci < ic; ci++) {
                int grp = ci / icg;
                for (int iy = 0; iy < ih; iy++)
                    for (int ix = 0; ix < iw; ix++) {
                        double acc = 0;
                        for (int co = 0; co < ocg; co++) {
                            int o = grp * ocg + co;
                            for (int ky = 0; ky < kh; ky++) {
                                int oy = iy * t.strides()[0] - t.pads()[0] + ky * t.dilations()[0];
                                if (oy < 0 || oy >= oh) continue;
                                for (int kx = 0; kx < kw; kx++) {
                                    int ox = ix * t.strides()[1] - t.pads()[1] + kx * t.dilations()[1];
                                    if (ox < 0 || ox >= ow) continue;
                                    acc += (double) gd[((b0 * oc + o) * oh + oy) * ow + ox] * w[((ci * ocg + co) * kh + ky) * kw + kx];
                                }
                            }
                        }
                        gx[((b0 * ic + ci) * ih + iy) * iw + ix] = (float) acc;
                    }
            }
        return new Tensor(xs, gx);
    }

    static Tensor convBackwardInput(Tensor gy, Conv2d c, Shape xs) {
        int n = xs.dim(0), ih = xs.dim(2), iw = xs.dim(3);
        int oc = c.outChannels(), oh = gy.dim(2), ow = gy.dim(3);
        int g = c.groups(), icg = c.weight().dim(1), ocg = oc / g, kh = c.kernelH(), kw = c.kernelW();
        double[] gx = new double[xs.size()];
        float[] gd = gy.data(), w = c.weight().data();
        for (int b0 = 0; b0 < n; b0++)
            for (int o = 0; o < oc; o++) {
                int grp = o / ocg;
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        double gv = gd[((b0 * oc + o) * oh + oy) * ow + ox];
                        if (gv == 0) continue;
                        for (int ci = 0; ci < icg; ci++) {
                            int cin = grp * icg + ci;
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = oy * c.strides()[0] - c.pads()[0] + ky * c.dilations()[0];
                                if (iy < 0 || iy >= ih) continue;
                                for (int kx = 0; kx < kw; kx++) {
                                    int ix = ox * c.strides()[1] - c.pads()[1] + kx * c.dilations()[1];
                                    if (ix < 0 || ix >= iw) continue;
                                    gx[((b0 * c.inChannels() + cin) * ih + iy) * iw + ix] += gv * w[((o * icg + ci) * kh + ky) * kw + kx];
                                }
                            }
                        }
                    }
            }
        return new Tensor(xs, toFloat(gx));
    }

    /** Gradient of the bias of a conv / BN / affine layer: per-channel sum of the output gradient. */
    public static Tensor biasGradient(Tensor gy) {
        int n = gy.dim(0), c = gy.dim(1), hw = gy.shape().itemSize() / c;
        float[] out = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double s = 0;
            for (int b = 0; b < n; b++)
                for (int i = 0; i < hw; i++) s += gy.data()[(b * c + ch) * hw + i];
            out[ch] = (float) s;
        }
        return Tensor.of(out, c);
    }

    // ---- element-wise ------------------------------------------------------------------------

    interface FloatOp { float apply(float v); }
    interface FloatPred { boolean test(float v); }
    interface FloatOp2 { float apply(float a, float b); }

    static Tensor map(Tensor x, FloatOp f) {
        float[] d = x.data(), o = new float[d.length];
        for (int i = 0; i < d.length; i++) o[i] = f.apply(d[i]);
        return new Tensor(x.shape(), o);
    }

    static Tensor mask(Tensor gy, Tensor x, FloatPred keep) {
        float[] g = gy.data(), d = x.data(), o = new float[d.length];
        for (int i = 0; i < d.length; i++) o[i] = keep.test(d[i]) ? g[i] : 0f;
        return new Tensor(x.shape(), o);
    }

    static Tensor zip(Tensor a, Tensor b, FloatOp2 f) {
        float[] x = a.data(), y = b.data(), o = new float[x.length];
        for (int i = 0; i < x.length; i++) o[i] = f.apply(x[i], y[i]);
        return new Tensor(a.shape(), o);
    }

    /** y[n, i] = x[n, i] * scale[i] + shift[i], i over one item. */
    static Tensor elementAffine(Tensor x, float[] scale, float[] shift) {
        int per = scale.length;
        float[] s = x.data(), d = new float[s.length];
        for (int j = 0; j < s.length; j++) d[j] = s[j] * scale[j % per] + shift[j % per];
        return new Tensor(x.shape(), d);
    }

    static Tensor affine(Tensor x, float[] scale, float[] shift) {
        int n = x.dim(0), c = x.dim(1), hw = x.shape().itemSize() / c;
        float[] d = x.data(), o = new float[d.length];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < hw; i++) {
                    int k = (b * c + ch) * hw + i;
                    o[k] = (float) ((double) d[k] * scale[ch] + shift[ch]);
                }
        return new Tensor(x.shape(), o);
    }

    static Tensor add(List<Tensor> in) {
        Shape os = new Add().outputShape(in.stream().map(Tensor::shape).toList());
        float[] o = new float[os.size()];
        int[][] src = new int[in.size()][];
        for (int t = 0; t < src.length; t++) if (!in.get(t).shape().equals(os)) src[t] = Mul.sourceIndex(in.get(t).shape(), os);
        for (int i = 0; i < o.length; i++) {
            double s = 0;
            for (int t = 0; t < src.length; t++) s += in.get(t).data()[src[t] == null ? i : src[t][i]];
            o[i] = (float) s;
        }
        return new Tensor(os, o);
    }

    /** Each input's gradient: the output gradient, summed over the positions an input was broadcast to. */
    static List<Tensor> addBackward(List<Tensor> in, Tensor gy) {
        List<Tensor> g = new ArrayList<>();
        for (Tensor t : in) {
            if (t.shape().equals(gy.shape())) {
                g.add(gy);
                continue;
            }
            int[] src = Mul.sourceIndex(t.shape(), gy.shape());
            double[] acc = new double[t.size()];
            for (int k = 0; k < src.length; k++) acc[src[k]] += gy.data()[k];
            g.add(new Tensor(t.shape(), toFloat(acc)));
        }
        return g;
    }

    // ---- pooling -----------------------------------------------------------------------------

    /** Max pooling; when {@code argmax} is non-null it receives the flat input index of each winner (-1 if none). */
    static Tensor maxPool(Tensor x, MaxPool2d p, Shape os, int[] argmax) {
        int n = x.dim(0), c = x.dim(1), ih = x.dim(2), iw = x.dim(3), oh = os.dim(2), ow = os.dim(3);
        float[] d = x.data(), y = new float[os.size()];
        for (int b = 0; b < n * c; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    float best = Float.NEGATIVE_INFINITY;
                    int bi = -1;
                    for (int ky = 0; ky < p.kernel()[0]; ky++) {
                        int iy = oy * p.strides()[0] - p.pads()[0] + ky * p.dilations()[0];
                        if (iy < 0 || iy >= ih) continue;
                        for (int kx = 0; kx < p.kernel()[1]; kx++) {
                            int ix = ox * p.strides()[1] - p.pads()[1] + kx * p.dilations()[1];
                            if (ix < 0 || ix >= iw) continue;
                            int k = (b * ih + iy) * iw + ix;
                            // PyTorch's rule: first maximum wins ties, a NaN always wins.
                            if (bi < 0 || d[k] > best || Float.isNaN(d[k])) {
                                best = d[k];
                                bi = k;
                            }
                        }
                    }
                    int o = (b * oh + oy) * ow + ox;
                    y[o] = best;
                    if (argmax != null) argmax[o] = bi;
                }
        return new Tensor(os, y);
    }

    static Tensor maxPoolBackward(Tensor x, MaxPool2d p, Tensor gy) {
        int[] arg = new int[gy.size()];
        maxPool(x, p, gy.shape(), arg);
        double[] gx = new double[x.size()];
        for (int o = 0; o < arg.length; o++) if (arg[o] >= 0) gx[arg[o]] += gy.data()[o];
        return new Tensor(x.shape(), toFloat(gx));
    }

    /** Flat input indices of each max-pool winner (first maximum), -1 where a window has no input. */
    public static int[] maxPoolArgmax(Tensor x, MaxPool2d p) {
        Shape os = p.outputShape(List.of(x.shape()));
        int[] arg = new int[os.size()];
        maxPool(x, p, os, arg);
        return arg;
    }

    /** Divisor of an average-pool window (ONNX/PyTorch count_include_pad conventions). */
    static int avgDivisor(AvgPool2d p, int oy, int ox, int ih, int iw) {
        int y0 = oy * p.strides()[0] - p.pads()[0], x0 = ox * p.strides()[1] - p.pads()[1];
        if (p.countIncludePad()) {
            int y1 = Math.min(y0 + p.kernel()[0], ih + p.pads()[2]), x1 = Math.min(x0 + p.kernel()[1], iw + p.pads()[3]);
            return (y1 - y0) * (x1 - x0);
        }
        int y1 = Math.min(y0 + p.kernel()[0], ih), x1 = Math.min(x0 + p.kernel()[1], iw);
        return (y1 - Math.max(y0, 0)) * (x1 - Math.max(x0, 0));
    }

    static Tensor avgPool(Tensor x, AvgPool2d p, Shape os) {
        int n = x.dim(0), c = x.dim(1), ih = x.dim(2), iw = x.dim(3), oh = os.dim(2), ow = os.dim(3);
        float[] d = x.data(), y = new float[os.size()];
        for (int b = 0; b < n * c; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    double s = 0;
                    for (int ky = 0; ky < p.kernel()[0]; ky++) {
                        int iy = oy * p.strides()[0] - p.pads()[0] + ky;
                        if (iy < 0 || iy >= ih) continue;
                        for (int kx = 0; kx < p.kernel()[1]; kx++) {
                            int ix = ox * p.strides()[1] - p.pads()[1] + kx;
                            if (ix < 0 || ix >= iw) continue;
                            s += d[(b * ih + iy) * iw + ix];
                        }
                    }
                    int div = avgDivisor(p, oy, ox, ih, iw);
                    y[(b * oh + oy) * ow + ox] = div > 0 ? (float) (s / div) : 0f;
                }
        return new Tensor(os, y);
    }

    static Tensor avgPoolBackward(Shape xs, AvgPool2d p, Tensor gy) {
        int n = xs.dim(0), c = xs.dim(1), ih = xs.dim(2), iw = xs.dim(3), oh = gy.dim(2), ow = gy.dim(3);
        double[] gx = new double[xs.size()];
        for (int b = 0; b < n * c; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int div = avgDivisor(p, oy, ox, ih, iw);
                    if (div <= 0) continue;
                    double g = gy.data()[(b * oh + oy) * ow + ox] / (double) div;
                    for (int ky = 0; ky < p.kernel()[0]; ky++) {
                        int iy = oy * p.strides()[0] - p.pads()[0] + ky;
                        if (iy < 0 || iy >= ih) continue;
                        for (int kx = 0; kx < p.kernel()[1]; kx++) {
                            int ix = ox * p.strides()[1] - p.pads()[1] + kx;
                            if (ix < 0 || ix >= iw) continue;
                            gx[(b * ih + iy) * iw + ix] += g;
                        }
                    }
                }
        return new Tensor(xs, toFloat(gx));
    }

    static Tensor globalAvg(Tensor x) {
        int nc = x.dim(0) * x.dim(1), hw = x.dim(2) * x.dim(3);
        float[] y = new float[nc];
        for (int i = 0; i < nc; i++) {
            double s = 0;
            for (int j = 0; j < hw; j++) s += x.data()[i * hw + j];
            y[i] = (float) (s / hw);
        }
        return Tensor.of(y, x.dim(0), x.dim(1), 1, 1);
    }

    static Tensor globalAvgBackward(Shape xs, Tensor gy) {
        int nc = xs.dim(0) * xs.dim(1), hw = xs.dim(2) * xs.dim(3);
        float[] gx = new float[xs.size()];
        for (int i = 0; i < nc; i++) {
            float g = (float) (gy.data()[i] / (double) hw);
            for (int j = 0; j < hw; j++) gx[i * hw + j] = g;
        }
        return new Tensor(xs, gx);
    }

    // ---- dense -------------------------------------------------------------------------------

    static Tensor linear(Tensor x, Linear l) {
        int n = x.dim(0), in = l.inFeatures(), out = l.outFeatures();
        float[] w = l.weight().data(), y = new float[n * out];
        for (int b = 0; b < n; b++)
            for (int o = 0; o < out; o++) {
                double s = l.bias().data()[o];
                for (int i = 0; i < in; i++) s += (double) x.data()[b * in + i] * w[o * in + i];
                y[b * out + o] = (float) s;
            }
        return Tensor.of(y, n, out);
    }

    static Tensor linearBackwardInput(Tensor gy, Linear l) {
        int n = gy.dim(0), in = l.inFeatures(), out = l.outFeatures();
        float[] w = l.weight().data(), gx = new float[n * in];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < in; i++) {
                double s = 0;
                for (int o = 0; o < out; o++) s += (double) gy.data()[b * out + o] * w[o * in + i];
                gx[b * in + i] = (float) s;
            }
        return Tensor.of(gx, n, in);
    }

    // ---- structural --------------------------------------------------------------------------

    static Tensor concat(List<Tensor> in, int axis, Shape os) {
        int outer = 1;
        for (int i = 0; i < axis; i++) outer *= os.dim(i);
        int inner = 1;
        for (int i = axis + 1; i < os.rank(); i++) inner *= os.dim(i);
        float[] y = new float[os.size()];
        int rowOut = os.dim(axis) * inner, off = 0;
        for (Tensor t : in) {
            int row = t.dim(axis) * inner;
            for (int o = 0; o < outer; o++) System.arraycopy(t.data(), o * row, y, o * rowOut + off, row);
            off += row;
        }
        return new Tensor(os, y);
    }

    static List<Tensor> concatBackward(List<Tensor> in, int axis, Tensor gy) {
        Shape os = gy.shape();
        int outer = 1;
        for (int i = 0; i < axis; i++) outer *= os.dim(i);
        int inner = 1;
        for (int i = axis + 1; i < os.rank(); i++) inner *= os.dim(i);
        int rowOut = os.dim(axis) * inner, off = 0;
        List<Tensor> gs = new ArrayList<>();
        for (Tensor t : in) {
            int row = t.dim(axis) * inner;
            float[] g = new float[t.size()];
            for (int o = 0; o < outer; o++) System.arraycopy(gy.data(), o * rowOut + off, g, o * row, row);
            gs.add(new Tensor(t.shape(), g));
            off += row;
        }
        return gs;
    }

    static int[] inverse(int[] perm) {
        int[] inv = new int[perm.length];
        for (int i = 0; i < perm.length; i++) inv[perm[i]] = i;
        return inv;
    }

    static Tensor transpose(Tensor x, int[] perm, Shape os) {
        int r = perm.length;
        int[] is = x.shape().dims();
        int[] stride = new int[r];
        stride[r - 1] = 1;
        for (int i = r - 2; i >= 0; i--) stride[i] = stride[i + 1] * is[i + 1];
        float[] y = new float[x.size()];
        int[] idx = new int[r];
        int[] od = os.dims();
        for (int o = 0; o < y.length; o++) {
            int src = 0;
            for (int i = 0; i < r; i++) src += idx[i] * stride[perm[i]];
            y[o] = x.data()[src];
            for (int i = r - 1; i >= 0; i--) {
                if (++idx[i] < od[i]) break;
                idx[i] = 0;
            }
        }
        return new Tensor(os, y);
    }

    static Tensor lrn(Tensor x, Lrn l) {
        int n = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3);
        int before = (l.size() - 1) / 2, after = l.size() - 1 - before;
        float[] d = x.data(), y = new float[d.length];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < hw; i++) {
                    double s = 0;
                    for (int k = Math.max(0, ch - before); k <= Math.min(c - 1, ch + after); k++) {
                        double v = d[(b * c + k) * hw + i];
                        s += v * v;
                    }
                    double den = Math.pow(l.bias() + l.alpha() / l.size() * s, l.beta());
                    y[(b * c + ch) * hw + i] = (float) (d[(b * c + ch) * hw + i] / den);
                }
        return new Tensor(x.shape(), y);
    }

    static Tensor lrnBackward(Tensor x, Lrn l, Tensor gy) {
        int n = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3);
        int before = (l.size() - 1) / 2, after = l.size() - 1 - before;
        float[] d = x.data(), g = gy.data();
        double[] gx = new double[d.length];
        double k2 = 2.0 * l.alpha() / l.size();
        for (int b = 0; b < n; b++)
            for (int i = 0; i < hw; i++)
                for (int ch = 0; ch < c; ch++) {
                    double s = 0;
                    for (int k = Math.max(0, ch - before); k <= Math.min(c - 1, ch + after); k++) {
                        double v = d[(b * c + k) * hw + i];
                        s += v * v;
                    }
                    double base = l.bias() + l.alpha() / l.size() * s;
                    int o = (b * c + ch) * hw + i;
                    gx[o] += g[o] * Math.pow(base, -l.beta());
                    double common = -g[o] * d[o] * l.beta() * Math.pow(base, -l.beta() - 1) * k2;
                    for (int k = Math.max(0, ch - before); k <= Math.min(c - 1, ch + after); k++) {
                        int j = (b * c + k) * hw + i;
                        gx[j] += common * d[j];
                    }
                }
        return new Tensor(x.shape(), toFloat(gx));
    }

    /** Rows of the softmax: [outer, len] with a stride of inner between elements of one row. */
    record SoftmaxLayout(int outer, int len, int inner) {
        static SoftmaxLayout of(Shape s, Softmax op) {
            int outer = 1, len = 1, inner = 1;
            for (int i = 0; i < s.rank(); i++) {
                if (i < op.axis()) outer *= s.dim(i);
                else if (i == op.axis() || op.flattenFrom()) len *= s.dim(i);
                else inner *= s.dim(i);
            }
            return new SoftmaxLayout(outer, len, inner);
        }
    }

    static Tensor softmax(Tensor x, Softmax op) {
        SoftmaxLayout L = SoftmaxLayout.of(x.shape(), op);
        float[] d = x.data(), y = new float[d.length];
        for (int o = 0; o < L.outer(); o++)
            for (int in = 0; in < L.inner(); in++) {
                int base = o * L.len() * L.inner() + in;
                double m = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < L.len(); j++) m = Math.max(m, d[base + j * L.inner()]);
                double s = 0;
                for (int j = 0; j < L.len(); j++) s += Math.exp(d[base + j * L.inner()] - m);
                for (int j = 0; j < L.len(); j++) y[base + j * L.inner()] = (float) (Math.exp(d[base + j * L.inner()] - m) / s);
            }
        return new Tensor(x.shape(), y);
    }

    static Tensor softmaxBackward(Tensor y, Softmax op, Tensor gy) {
        SoftmaxLayout L = SoftmaxLayout.of(y.shape(), op);
        float[] yd = y.data(), g = gy.data(), gx = new float[yd.length];
        for (int o = 0; o < L.outer(); o++)
            for (int in = 0; in < L.inner(); in++) {
                int base = o * L.len() * L.inner() + in;
                double dot = 0;
                for (int j = 0; j < L.len(); j++) dot += (double) g[base + j * L.inner()] * yd[base + j * L.inner()];
                for (int j = 0; j < L.len(); j++) {
                    int k = base + j * L.inner();
                    gx[k] = (float) (yd[k] * (g[k] - dot));
                }
            }
        return new Tensor(y.shape(), gx);
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
