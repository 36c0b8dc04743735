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
import dev.candela.tensor.BlockedConv;
import dev.candela.tensor.ConvEpilogue;
import dev.candela.tensor.ConvKernels;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.WinogradConv;
import dev.candela.tensor.Sgemm;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.tensor.VectorOps;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Consumer;

/**
 * Vector API + fork-join kernels. Work is split only into independent output ranges (images,
 * channel planes, GEMM tiles, element ranges), never one reduction across tasks, so results are
 * bit-identical for any thread count. They differ from {@link ReferenceKernels} by float rounding
 * (float accumulation in a blocked order against double accumulation).
 *
 * <p>A verifying instance ({@link #verifying}) also runs the reference kernel for every op and
 * reports the largest difference, for {@code --verify}.
 */
public final class FastKernels implements Kernels {
    /**
     * Elements per task for memory-bound ops: smaller tensors run on the caller's thread, since a
     * fork-join round trip costs more than it saves when the cores are shared.
     */
    private static final int CHUNK = 1 << 17;

    /**
     * Packed forms of convolution weights, computed at first use and kept while the weight tensor (so the model) is
     * alive: keyed by the tensor, not the op, because LRP's rules rebuild a layer around the same weights for every
     * step (with a zero bias, or around the W+ and W- that {@code Redistribution} keeps), and an op-keyed cache packed
     * them again each time (FG-CAM on VGG-16 re-packed its feature weights for each of its twelve passes). A use says
     * which packed form; the forms never reference the tensor, so an entry goes when the tensor does.
     */
    private static final Map<Tensor, Map<PackedUse, Object>> PACKED = Collections.synchronizedMap(new WeakHashMap<>());

    /** One packed form of a weight tensor: what it is for, and the grouping it was packed with. */
    private record PackedUse(String form, int groups) {}

    @SuppressWarnings("unchecked")
    private static <T> T packed(Conv2d c, String form, java.util.function.Supplier<T> pack) {
        Map<PackedUse, Object> forms = PACKED.computeIfAbsent(c.weight(), w -> new java.util.concurrent.ConcurrentHashMap<>());
        return (T) forms.computeIfAbsent(new PackedUse(form, c.groups()), u -> pack.get());
    }

    /** The packed forms kept for {@code weight} (for tests). */
    static int packedForms(Tensor weight) {
        Map<PackedUse, Object> forms = PACKED.get(weight);
        return forms == null ? 0 : forms.size();
    }

    private final Parallel parallel;
    private final Consumer<Difference> verify;

    public FastKernels(Parallel parallel) {
        this(parallel, null);
    }

    private FastKernels(Parallel parallel, Consumer<Difference> verify) {
        this.parallel = parallel;
        this.verify = verify;
    }

    /**
     * Fast kernels that also run {@link ReferenceKernels} on every op and pass the comparison to
     * {@code sink} (the fast result is the one returned).
     */
    public static FastKernels verifying(Parallel parallel, Consumer<Difference> sink) {
        return new FastKernels(parallel, sink);
    }

    /**
     * How far a fast result is from the reference: the largest absolute difference, and the same
     * divided by the largest reference magnitude (so a relative error of the tensor as a whole).
     */
    public record Difference(String op, String phase, Shape shape, double maxAbs, double maxRef) {
        public double relative() { return maxRef > 0 ? maxAbs / maxRef : maxAbs; }

        static Difference of(String op, String phase, Tensor fast, Tensor ref) {
            double d = 0, m = 0;
            float[] a = fast.data(), b = ref.data();
            for (int i = 0; i < a.length; i++) {
                double e = Math.abs((double) a[i] - b[i]);
                if (Double.isNaN(e)) e = Float.isNaN(a[i]) == Float.isNaN(b[i]) ? 0 : Double.POSITIVE_INFINITY;
                d = Math.max(d, e);
                if (Float.isFinite(b[i])) m = Math.max(m, Math.abs(b[i]));
            }
            return new Difference(op, phase, fast.shape(), d, m);
        }
    }

    public Parallel parallel() { return parallel; }

    /** True for {@link #verifying} kernels. */
    boolean verifies() { return verify != null; }

    @Override public Tensor forward(Op op, List<Tensor> in) {
        Tensor y = compute(op, in);
        if (verify != null) verify.accept(Difference.of(op.kind(), "forward", y, ReferenceKernels.INSTANCE.forward(op, in)));
        return y;
    }

    @Override public List<Tensor> inputGradients(Op op, List<Tensor> in, Tensor out, Tensor gy) {
        List<Tensor> g = gradients(op, in, out, gy);
        if (verify != null) {
            List<Tensor> r = ReferenceKernels.INSTANCE.inputGradients(op, in, out, gy);
            for (int i = 0; i < g.size(); i++) verify.accept(Difference.of(op.kind(), "backward[" + i + "]", g.get(i), r.get(i)));
        }
        return g;
    }

    private Tensor compute(Op op, List<Tensor> in) {
        Tensor x = in.get(0);
        Shape os = op.outputShape(in.stream().map(Tensor::shape).toList());
        return switch (op) {
            case Conv2d c -> conv(x, c, os);
            // the input-gradient map of the matching convolution, plus the bias
            case ConvTranspose2d t -> addBias(convBackwardInput(x, t.asConvolution(), os), t.bias().data());
            case BatchNorm2d b -> affine(x, b.scale(), b.shift());
            case ChannelAffine a -> affine(x, a.scale().data(), a.shift().data());
            case ElementAffine a -> elementAffine(x, a.scale().data(), a.shift().data());
            case Relu r -> elementwise(x, (s, d, o, n) -> VectorOps.relu(s, d, o, n));
            case Clip c -> elementwise(x, (s, d, o, n) -> VectorOps.clamp(s, d, o, n, c.min(), c.max()));
            case LeakyRelu l -> elementwise(x, (s, d, o, n) -> VectorOps.leaky(s, d, o, n, l.alpha()));
            case MaxPool2d p -> maxPool(x, p, os);
            case AvgPool2d p -> avgPool(x, p, os);
            case GlobalAvgPool g -> globalAvg(x);
            case Flatten f -> x.reshape(os);
            case Reshape r -> x.reshape(os);
            case Identity i -> x;
            case Linear l -> linear(Linear.rows(x, l.inFeatures()), l).reshape(os);
            case Add a -> add(in);
            case Concat c -> ReferenceKernels.concat(in, c.axis(), os);
            case Lrn l -> lrn(x, l);
            case Transpose t -> transpose(x, t.perm(), os);
            case Softmax s -> softmax(x, s);
            case Pointwise p -> GatingKernels.pointwise(parallel, p, x);
            case Mul m -> GatingKernels.mul(parallel, x, in.get(1));
            case Slice s -> GatingKernels.slice(s, x);
            case Pad2d p -> GatingKernels.pad(p, x);
            case LayerNorm n -> GatingKernels.layerNorm(parallel, n, x);
            case Resize2d r -> GatingKernels.resize(parallel, r, x);
        };
    }

    private List<Tensor> gradients(Op op, List<Tensor> in, Tensor out, Tensor gy) {
        Tensor x = in.get(0);
        return switch (op) {
            case Conv2d c -> List.of(convBackwardInput(gy, c, x.shape()));
            case ConvTranspose2d t -> List.of(conv(gy, t.asConvolution(), x.shape()));
            case BatchNorm2d b -> List.of(affine(gy, b.scale(), new float[b.channels()]));
            case ChannelAffine a -> List.of(affine(gy, a.scale().data(), new float[a.channels()]));
            case ElementAffine a -> List.of(elementAffine(gy, a.scale().data(), null));
            case Relu r -> List.of(masked(gy, x, 0f, Float.POSITIVE_INFINITY));
            case Clip c -> List.of(masked(gy, x, c.min(), c.max()));
            case LeakyRelu l -> List.of(pairwise(gy, x, (g, v, d, o, n) -> VectorOps.leakyGrad(g, v, d, o, n, l.alpha())));
            case MaxPool2d p -> List.of(maxPoolBackward(x, p, gy));
            case AvgPool2d p -> List.of(avgPoolBackward(x.shape(), p, gy));
            case GlobalAvgPool g -> List.of(globalAvgBackward(x.shape(), gy));
            case Flatten f -> List.of(gy.reshape(x.shape()));
            case Reshape r -> List.of(gy.reshape(x.shape()));
            case Identity i -> List.of(gy);
            case Linear l -> List.of(linearBackwardInput(Linear.rows(gy, l.outFeatures()), l).reshape(x.shape()));
            case Add a -> in.stream().allMatch(t -> t.shape().equals(gy.shape())) ? Collections.nCopies(in.size(), gy) : broadcastAddBackward(in, gy);
            case Concat c -> ReferenceKernels.concatBackward(in, c.axis(), gy);
            case Lrn l -> List.of(lrnBackward(x, l, gy));
            case Transpose t -> List.of(transpose(gy, ReferenceKernels.inverse(t.perm()), x.shape()));
            case Softmax s -> List.of(softmaxBackward(out, s, gy));
            case Pointwise p -> List.of(GatingKernels.pointwiseBackward(parallel, p, x, gy));
            case Mul m -> GatingKernels.mulBackward(parallel, x, in.get(1), gy);
            case Slice s -> List.of(GatingKernels.sliceBackward(s, x.shape(), gy));
            case Pad2d p -> List.of(GatingKernels.padBackward(p, x.shape(), gy));
            case LayerNorm n -> List.of(GatingKernels.layerNormBackward(parallel, n, x, gy));
            case Resize2d r -> List.of(GatingKernels.resizeBackward(parallel, r, x.shape(), gy));
        };
    }

    // ---- element-wise ------------------------------------------------------------------------

    interface RangeOp { void apply(float[] src, float[] dst, int off, int n); }
    interface PairOp { void apply(float[] g, float[] x, float[] dst, int off, int n); }

    private Tensor elementwise(Tensor x, RangeOp f) {
        float[] s = x.data(), d = ActivationArena.take(s.length);
        inRanges(s.length, (o, n) -> f.apply(s, d, o, n));
        return new Tensor(x.shape(), d);
    }

    private Tensor pairwise(Tensor g, Tensor x, PairOp f) {
        float[] gd = g.data(), xd = x.data(), d = new float[gd.length];
        inRanges(gd.length, (o, n) -> f.apply(gd, xd, d, o, n));
        return new Tensor(x.shape(), d);
    }

    private Tensor masked(Tensor g, Tensor x, float lo, float hi) {
        return pairwise(g, x, (gd, xd, d, o, n) -> VectorOps.passBetween(gd, xd, d, o, n, lo, hi));
    }

    interface Range { void run(int off, int n); }

    private void inRanges(int size, Range r) {
        int tasks = Math.max(1, (size + CHUNK - 1) / CHUNK);
        parallel.forEach(tasks, t -> {
            int o = t * CHUNK;
            r.run(o, Math.min(size, o + CHUNK) - o);
        });
    }

    /** Runs body over [0, count) in contiguous blocks (at least {@code grain} items each). */
    private void inBlocks(int count, int grain, Range r) {
        int blocks = Math.max(1, Math.min(parallel.threads() * 8, count / Math.max(1, grain)));
        int per = (count + blocks - 1) / blocks;
        parallel.forEach((count + per - 1) / per, b -> r.run(b * per, Math.min(count, (b + 1) * per) - b * per));
    }

    private Tensor affine(Tensor x, float[] scale, float[] shift) {
        int n = x.dim(0), c = x.dim(1), hw = x.shape().itemSize() / c;
        float[] s = x.data(), d = ActivationArena.take(s.length);
        inBlocks(n * c, Math.max(1, CHUNK / Math.max(1, hw)), (p0, cnt) -> {
            for (int p = p0; p < p0 + cnt; p++) VectorOps.affine(s, d, p * hw, hw, scale[p % c], shift[p % c]);
        });
        return new Tensor(x.shape(), d);
    }

    /** Per item: y = x * scale, then + shift (null: no shift), both vectorised. */
    private Tensor elementAffine(Tensor x, float[] scale, float[] shift) {
        int per = scale.length, n = x.size() / per;
        float[] s = x.data(), d = ActivationArena.take(s.length);
        inBlocks(n, Math.max(1, CHUNK / Math.max(1, per)), (b0, cnt) -> {
            for (int b = b0; b < b0 + cnt; b++) {
                VectorOps.scaleShift(s, b * per, scale, shift, d, b * per, per);
            }
        });
        return new Tensor(x.shape(), d);
    }

    /** A sum with broadcast inputs ([N, C, H, W] + [N, C, 1, 1]): full-shape terms vectorised, the others gathered. */
    private Tensor broadcastAdd(List<Tensor> in) {
        Shape os = new Add().outputShape(in.stream().map(Tensor::shape).toList());
        float[] y = new float[os.size()];
        int[][] src = new int[in.size()][];
        for (int t = 0; t < src.length; t++) if (!in.get(t).shape().equals(os)) src[t] = Mul.sourceIndex(in.get(t).shape(), os);
        inRanges(y.length, (o, n) -> {
            for (int t = 0; t < src.length; t++) {
                float[] d = in.get(t).data();
                if (src[t] == null) VectorOps.add(y, d, y, o, n);
                else for (int k = o; k < o + n; k++) y[k] += d[src[t][k]];
            }
        });
        return new Tensor(os, y);
    }

    /** Its gradients: a broadcast input's is the output gradient summed over the positions it reached. */
    private static List<Tensor> broadcastAddBackward(List<Tensor> in, Tensor gy) {
        List<Tensor> g = new ArrayList<>();
        for (Tensor t : in) {
            if (t.shape().equals(gy.shape())) {
                g.add(gy);
                continue;
            }
            int[] src = Mul.sourceIndex(t.shape(), gy.shape());
            float[] acc = new float[t.size()], d = gy.data();
            for (int k = 0; k < src.length; k++) acc[src[k]] += d[k];
            g.add(new Tensor(t.shape(), acc));
        }
        return g;
    }

    private Tensor add(List<Tensor> in) {
        if (!in.stream().allMatch(t -> t.shape().equals(in.get(0).shape()))) return broadcastAdd(in);
        float[] y = ActivationArena.take(in.get(0).size());
        inRanges(y.length, (o, n) -> {
            VectorOps.add(in.get(0).data(), in.get(1).data(), y, o, n);
            for (int k = 2; k < in.size(); k++) VectorOps.add(y, in.get(k).data(), y, o, n);
        });
        return new Tensor(in.get(0).shape(), y);
    }

    // ---- convolution -------------------------------------------------------------------------

    private static ConvKernels.Geometry geometry(Conv2d c, Shape xs, int oh, int ow) {
        return new ConvKernels.Geometry(c.weight().dim(1), xs.dim(2), xs.dim(3), c.kernelH(), c.kernelW(),
                c.strides()[0], c.strides()[1], c.dilations()[0], c.dilations()[1], c.pads()[0], c.pads()[1], oh, ow);
    }

    private Tensor conv(Tensor x, Conv2d c, Shape os) {
        return conv(x, c, os, null);
    }

    private Tensor conv(Tensor x, Conv2d c, Shape os, ConvEpilogue after) {
        ConvKernels.Geometry g = geometry(c, x.shape(), os.dim(2), os.dim(3));
        float[] y = ActivationArena.take(os.size());
        boolean blocked = !c.isDepthwise() && BlockedConv.applies(g, c.groups(), c.outChannels());
        Sgemm.PackedA[] u = !c.isDepthwise() && winogradChosen(g, c.groups(), c.outChannels())
                ? FastKernels.<Sgemm.PackedA[]>packed(c, "winograd", () -> winogradWeights(c, g.c())) : NO_WINOGRAD;
        if (c.isDepthwise()) {
            ConvKernels.depthwise(x.data(), x.dim(0), c.inChannels(), c.outChannels() / c.inChannels(), g,
                    c.weight().data(), c.bias().data(), after, y, parallel);
        } else if (u.length > 0) {
            WinogradConv.conv(x.data(), x.dim(0), g, u, c.bias().data(), after, y, parallel);
        } else if (blocked) {
            int group = BlockedConv.groupBlocks(g);
            BlockedConv.Weights w = packed(c, "blocked " + group, () -> BlockedConv.packWeights(c.weight().data(), c.outChannels(), g.c(), c.kernelH(), c.kernelW(), group));
            BlockedConv.conv(x.data(), x.dim(0), g, w, c.bias().data(), after, y, parallel);
        } else {
            Sgemm.PackedA[] w = packed(c, "forward", () -> ConvKernels.packWeights(c.weight().data(), c.outChannels(), c.groups(), g.depth()));
            ConvKernels.gemmConv(x.data(), x.dim(0), g, c.groups(), w, c.bias().data(), after, y, parallel);
        }
        return new Tensor(os, y);
    }

    /**
     * Fewest channels (in and out) for which Winograd is chosen over the blocked direct convolution: its transforms
     * cost per channel, its savings per channel pair. On a Zen 5 core (one thread, each in isolation) 256 channels
     * at 56x56 took 13.2 ms by Winograd against 20.9 blocked, 512 at 28x28 11.7 against 21.2; 128 at 112x112 24.8
     * against 25.1; 128 at 28x28 and 64 at 56x56 2.9 and 3.0 ms against 1.7 and 1.8.
     */
    static final int WINOGRAD_OVER_BLOCKED = 256;

    /**
     * Whether a convolution that is not depthwise goes through Winograd when its weights have both signs: one place
     * for the rule, so that the tests of either path can tell which one they run.
     */
    static boolean winogradChosen(ConvKernels.Geometry g, int groups, int outC) {
        return WinogradConv.applies(g, groups, outC)
                && (!BlockedConv.applies(g, groups, outC) || Math.min(g.c(), outC) >= WINOGRAD_OVER_BLOCKED);
    }

    /** Cached for a convolution summed directly although {@link WinogradConv#applies}: see {@link #winogradWeights}. */
    private static final Sgemm.PackedA[] NO_WINOGRAD = new Sgemm.PackedA[0];

    /**
     * Winograd's weights, or {@link #NO_WINOGRAD} for weights of one sign. Those are LRP's z+ family (W+ and W- on
     * x+ and x-, ones and W squared on ones), which divides by the output and relies on the direct sum of products of
     * one sign keeping that sign and being exactly 0 where nothing flows; Winograd's transforms subtract, leaving
     * rounding of the block's other inputs there (OneSignedConvTest). A trained layer has weights of both signs.
     */
    private static Sgemm.PackedA[] winogradWeights(Conv2d c, int inC) {
        return bothSigns(c.weight().data()) ? WinogradConv.packWeights(c.weight().data(), c.outChannels(), inC) : NO_WINOGRAD;
    }

    private static boolean bothSigns(float[] w) {
        boolean pos = false, neg = false;
        for (float v : w) {
            if (v > 0f) pos = true;
            else if (v < 0f) neg = true;
            if (pos && neg) return true;
        }
        return false;
    }

    @Override public Tensor forwardFused(Conv2d c, Tensor x, List<Op> after, Tensor residual, boolean check) {
        // op by op under --verify, so each op is compared with its reference
        if (verify != null) return Kernels.opByOp(this, c, x, after, residual, check);
        List<ConvEpilogue.Step> steps = new ArrayList<>(after.size());
        for (Op op : after) {
            steps.add(switch (op) {
                case BatchNorm2d b -> new ConvEpilogue.Step.ChannelAffine(b.scale(), b.shift());
                case ChannelAffine a -> new ConvEpilogue.Step.ChannelAffine(a.scale().data(), a.shift().data());
                case Add a -> new ConvEpilogue.Step.AddTensor(residual.data());
                case Relu r -> new ConvEpilogue.Step.Relu();
                case Clip k -> new ConvEpilogue.Step.Clamp(k.min(), k.max());
                case LeakyRelu l -> new ConvEpilogue.Step.Leaky(l.alpha());
                case Pointwise p when p.fn() == Pointwise.Fn.SIGMOID -> new ConvEpilogue.Step.Sigmoid();
                case Pointwise p when p.fn() == Pointwise.Fn.SILU -> new ConvEpilogue.Step.Silu();
                case Pointwise p when p.fn() == Pointwise.Fn.HARD_SIGMOID -> new ConvEpilogue.Step.HardSigmoid(p.alpha(), p.beta());
                case Pointwise p when p.fn() == Pointwise.Fn.HARD_SWISH -> new ConvEpilogue.Step.HardSwish(p.alpha(), p.beta());
                default -> throw new IllegalArgumentException(op.kind() + " cannot follow a convolution in a fused pass");
            });
        }
        Shape os = c.outputShape(List.of(x.shape()));
        ConvEpilogue epilogue = new ConvEpilogue(steps, check);
        Tensor y = conv(x, c, os, epilogue);
        return epilogue.sawNonFinite() ? null : y;
    }

    /** y[n, c, ...] += bias[c], in place. */
    private Tensor addBias(Tensor y, float[] bias) {
        int c = bias.length, hw = y.shape().itemSize() / c;
        float[] d = y.data();
        inBlocks(y.dim(0) * c, Math.max(1, CHUNK / Math.max(1, hw)), (p0, cnt) -> {
            for (int p = p0; p < p0 + cnt; p++) VectorOps.addScalar(d, p * hw, hw, bias[p % c]);
        });
        return y;
    }

    private Tensor convBackwardInput(Tensor gy, Conv2d c, Shape xs) {
        int n = xs.dim(0), oh = gy.dim(2), ow = gy.dim(3);
        ConvKernels.Geometry f = geometry(c, xs, oh, ow);
        float[] gx = new float[xs.size()];
        if (!c.isDepthwise() && (f.sy() > 1 || f.sx() > 1)) {
            Sgemm.PackedA[] w = packed(c, "column gradient", () -> ConvKernels.packColumnGradientWeights(
                    c.weight().data(), c.outChannels(), c.groups(), f.depth()));
            ConvKernels.col2imGradient(gy.data(), n, f, c.groups(), w, gx, parallel);
            return new Tensor(xs, gx);
        }
        ConvKernels.Geometry t = ConvKernels.transposedGeometry(f, c.outChannels() / c.groups());
        float[] u = ConvKernels.zeroInsert(gy.data(), n * c.outChannels(), oh, ow, f.sy(), f.sx());
        if (c.isDepthwise()) {
            float[] flipped = packed(c, "flipped taps", () -> flipTaps(c.weight().data(), c.kernelH() * c.kernelW()));
            ConvKernels.depthwiseTransposed(u, n, c.inChannels(), c.outChannels() / c.inChannels(), t, flipped, gx, parallel);
        } else {
            Sgemm.PackedA[] w = packed(c, "transposed", () -> ConvKernels.packTransposedWeights(
                    c.weight().data(), c.outChannels(), c.weight().dim(1), c.kernelH(), c.kernelW(), c.groups()));
            ConvKernels.gemmConv(u, n, t, c.groups(), w, null, gx, parallel);
        }
        return new Tensor(xs, gx);
    }

    private static float[] flipTaps(float[] w, int khw) {
        float[] f = new float[w.length];
        for (int o = 0; o < w.length / khw; o++)
            for (int r = 0; r < khw; r++) f[o * khw + r] = w[o * khw + khw - 1 - r];
        return f;
    }

    // ---- dense -------------------------------------------------------------------------------

    /**
     * y = x W^T + b, each output summed over the inputs in the GEMM's order (fused multiply-adds, blocks in
     * order) for every batch size, which depends neither on how many rows share the batch nor on the vector
     * width: small batches stream W in that same order ({@link Sgemm#multiplyTransposed}). An earlier
     * small-batch path summed in lanes, so a Score-CAM batch of 32 masked inputs and one of 7 gave different logits.
     */
    private Tensor linear(Tensor x, Linear l) {
        int n = x.dim(0), in = l.inFeatures(), out = l.outFeatures();
        float[] w = l.weight().data(), b = l.bias().data(), xd = x.data(), y = new float[n * out];
        Sgemm.multiplyTransposed(n, out, in, xd, w, y, parallel);
        for (int r = 0; r < n; r++)
            for (int o = 0; o < out; o++) y[r * out + o] += b[o];
        return Tensor.of(y, n, out);
    }

    /** gx = gy W as one GEMM for every batch size (the same reason as {@link #linear}). */
    private Tensor linearBackwardInput(Tensor gy, Linear l) {
        int n = gy.dim(0), in = l.inFeatures(), out = l.outFeatures();
        float[] w = l.weight().data(), g = gy.data(), gx = new float[n * in];
        Sgemm.PackedA a = Sgemm.packA(g, 0, out, 1, n, out);
        Sgemm.multiply(a, Sgemm.rowMajor(w, 0, in), in, gx, 0, in, parallel);
        return Tensor.of(gx, n, in);
    }

    // ---- pooling -----------------------------------------------------------------------------

    private Tensor maxPool(Tensor x, MaxPool2d p, Shape os) {
        int ih = x.dim(2), iw = x.dim(3), oh = os.dim(2), ow = os.dim(3);
        float[] d = x.data(), y = ActivationArena.take(os.size());
        inBlocks(x.dim(0) * x.dim(1), 1, (p0, cnt) -> {
            for (int pl = p0; pl < p0 + cnt; pl++) maxPoolPlane(d, pl * ih * iw, ih, iw, p, y, pl * oh * ow, oh, ow, null);
        });
        return new Tensor(os, y);
    }

    /**
     * Max pooling of one plane in two passes (the maximum of a window is the maximum of its rows' maxima):
     * per output row, the element-wise maximum of the window's input rows, then of the window's columns,
     * each tap's column a (strided) slice of that row; both in vectors. Taps outside the plane count as
     * -Inf, as padding does. Math.max semantics: NaN wins, and of +0 and -0 the +0, whatever the tap order (the
     * reference keeps the first of equal values, so a window holding both zeros may differ in the zero's sign).
     */
    private static void maxPoolSeparable(float[] d, int xo, int ih, int iw, int kh, int kw, int sy, int sx, int pt, int pl,
                                         float[] y, int yo, int oh, int ow) {
        // row[pl + ix] = maximum over the window's input rows at column ix; -Inf in the padding around it
        int span = Math.max(pl + iw, (ow - 1) * sx + kw);
        float[] row = new float[span], tap = new float[ow];
        java.util.Arrays.fill(row, Float.NEGATIVE_INFINITY);
        for (int oy = 0; oy < oh; oy++) {
            int iy0 = Math.max(0, oy * sy - pt), iy1 = Math.min(ih, oy * sy - pt + kh), o = yo + oy * ow;
            if (iy1 <= iy0) {
                java.util.Arrays.fill(y, o, o + ow, Float.NEGATIVE_INFINITY);
                continue;
            }
            int n = Math.min(iw, span - pl);
            System.arraycopy(d, xo + iy0 * iw, row, pl, n);
            for (int iy = iy0 + 1; iy < iy1; iy++) VectorOps.maxInto(d, xo + iy * iw, row, pl, n);
            for (int kx = 0; kx < kw; kx++) {
                float[] src = row;
                int at = kx;
                if (sx != 1) {
                    for (int ox = 0, s = kx; ox < ow; ox++, s += sx) tap[ox] = row[s];
                    src = tap;
                    at = 0;
                }
                if (kx == 0) System.arraycopy(src, at, y, o, ow);
                else VectorOps.maxInto(src, at, y, o, ow);
            }
        }
    }

    /**
     * One plane of max pooling; first maximum wins ties, a NaN always wins (the reference's rule), except on the
     * separable path (values only, no dilation), where +0 wins over -0 whichever comes first.
     */
    private static void maxPoolPlane(float[] d, int xo, int ih, int iw, MaxPool2d p, float[] y, int yo, int oh, int ow, int[] arg) {
        int kh = p.kernel()[0], kw = p.kernel()[1], sy = p.strides()[0], sx = p.strides()[1];
        int dy = p.dilations()[0], dx = p.dilations()[1], pt = p.pads()[0], pl = p.pads()[1];
        if (kh == 2 && kw == 2 && dy == 1 && dx == 1 && pt == 0 && pl == 0 && (oh - 1) * sy + 2 <= ih && (ow - 1) * sx + 2 <= iw) {
            // the common 2x2 window wholly inside the plane: same comparisons in the same order, no bounds tests
            if (arg == null) {
                // values only: each tap's column gathered into a row (strided for stride 2), then the taps compared in
                // vectors in the same order with the same rule (VGG-16's five 2x2 pools: 22 ms with scalar selects, 6.6 ms so)
                float[] tap = new float[ow];
                for (int oy = 0; oy < oh; oy++) {
                    int r0 = xo + oy * sy * iw, o = yo + oy * ow;
                    for (int t = 0; t < 4; t++) {
                        int s0 = r0 + (t >> 1) * iw + (t & 1);
                        float[] dst = t == 0 ? y : tap;
                        int at = t == 0 ? o : 0;
                        if (sx == 1) System.arraycopy(d, s0, dst, at, ow);
                        else for (int ox = 0, s = s0; ox < ow; ox++, s += sx) dst[at + ox] = d[s];
                        if (t > 0) VectorOps.laterMaxInto(tap, 0, y, o, ow);
                    }
                }
                return;
            }
            for (int oy = 0; oy < oh; oy++) {
                int r0 = xo + oy * sy * iw, r1 = r0 + iw;
                for (int ox = 0; ox < ow; ox++) {
                    int i = r0 + ox * sx, j = r1 + ox * sx, bi = i;
                    float best = d[i], v;
                    v = d[i + 1]; if (v > best || v != v) { best = v; bi = i + 1; }
                    v = d[j];     if (v > best || v != v) { best = v; bi = j; }
                    v = d[j + 1]; if (v > best || v != v) { best = v; bi = j + 1; }
                    y[yo + oy * ow + ox] = best;
                    arg[oy * ow + ox] = bi;
                }
            }
            return;
        }
        if (arg == null && dy == 1 && dx == 1) {
            maxPoolSeparable(d, xo, ih, iw, kh, kw, sy, sx, pt, pl, y, yo, oh, ow);
            return;
        }
        // values only: outputs whose whole window lies inside the plane take the taps in the same order with
        // selects and no bounds tests; the border keeps the general loop below
        int oy0 = 0, oy1 = 0, ox0 = 0, ox1 = 0;
        if (arg == null) {
            oy0 = Math.min(oh, Math.ceilDiv(pt, sy));
            oy1 = Math.max(oy0, Math.min(oh, Math.floorDiv(ih - 1 - (kh - 1) * dy + pt, sy) + 1));
            ox0 = Math.min(ow, Math.ceilDiv(pl, sx));
            ox1 = Math.max(ox0, Math.min(ow, Math.floorDiv(iw - 1 - (kw - 1) * dx + pl, sx) + 1));
            for (int oy = oy0; oy < oy1; oy++) {
                int top = xo + (oy * sy - pt) * iw - pl, o = yo + oy * ow;
                for (int ox = ox0; ox < ox1; ox++) {
                    int at = top + ox * sx;
                    float best = d[at], v;
                    for (int ky = 0; ky < kh; ky++) {
                        int row = at + ky * dy * iw;
                        for (int kx = ky == 0 ? 1 : 0; kx < kw; kx++) {
                            v = d[row + kx * dx];
                            best = v > best || v != v ? v : best;
                        }
                    }
                    y[o + ox] = best;
                }
            }
        }
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++) {
                if (oy >= oy0 && oy < oy1 && ox >= ox0 && ox < ox1) continue; // done above
                float best = Float.NEGATIVE_INFINITY;
                int bi = -1;
                for (int ky = 0; ky < kh; ky++) {
                    int iy = oy * sy - pt + ky * dy;
                    if (iy < 0 || iy >= ih) continue;
                    int row = xo + iy * iw;
                    for (int kx = 0; kx < kw; kx++) {
                        int ix = ox * sx - pl + kx * dx;
                        if (ix < 0 || ix >= iw) continue;
                        float v = d[row + ix];
                        if (bi < 0 || v > best || v != v) {
                            best = v;
                            bi = row + ix;
                        }
                    }
                }
                y[yo + oy * ow + ox] = best;
                if (arg != null) arg[oy * ow + ox] = bi;
            }
    }

    private Tensor maxPoolBackward(Tensor x, MaxPool2d p, Tensor gy) {
        int ih = x.dim(2), iw = x.dim(3), oh = gy.dim(2), ow = gy.dim(3);
        float[] d = x.data(), g = gy.data(), gx = new float[x.size()];
        inBlocks(x.dim(0) * x.dim(1), 1, (p0, cnt) -> {
            int[] arg = new int[oh * ow];
            float[] scratch = new float[oh * ow];
            for (int pl = p0; pl < p0 + cnt; pl++) {
                maxPoolPlane(d, pl * ih * iw, ih, iw, p, scratch, 0, oh, ow, arg);
                for (int o = 0; o < arg.length; o++) if (arg[o] >= 0) gx[arg[o]] += g[pl * oh * ow + o];
            }
        });
        return new Tensor(x.shape(), gx);
    }

    private Tensor avgPool(Tensor x, AvgPool2d p, Shape os) {
        int ih = x.dim(2), iw = x.dim(3), oh = os.dim(2), ow = os.dim(3);
        int kh = p.kernel()[0], kw = p.kernel()[1], sy = p.strides()[0], sx = p.strides()[1], pt = p.pads()[0], pl = p.pads()[1];
        float[] d = x.data(), y = new float[os.size()];
        inBlocks(x.dim(0) * x.dim(1), 1, (p0, cnt) -> {
            for (int plane = p0; plane < p0 + cnt; plane++) {
                int xo = plane * ih * iw, yo = plane * oh * ow;
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        int y0 = Math.max(0, oy * sy - pt), y1 = Math.min(ih, oy * sy - pt + kh);
                        int x0 = Math.max(0, ox * sx - pl), x1 = Math.min(iw, ox * sx - pl + kw);
                        float s = 0f;
                        for (int iy = y0; iy < y1; iy++)
                            for (int ix = x0; ix < x1; ix++) s += d[xo + iy * iw + ix];
                        int div = ReferenceKernels.avgDivisor(p, oy, ox, ih, iw);
                        y[yo + oy * ow + ox] = div > 0 ? s / div : 0f;
                    }
            }
        });
        return new Tensor(os, y);
    }

    private Tensor avgPoolBackward(Shape xs, AvgPool2d p, Tensor gy) {
        int ih = xs.dim(2), iw = xs.dim(3), oh = gy.dim(2), ow = gy.dim(3);
        int kh = p.kernel()[0], kw = p.kernel()[1], sy = p.strides()[0], sx = p.strides()[1], pt = p.pads()[0], pl = p.pads()[1];
        float[] g = gy.data(), gx = new float[xs.size()];
        inBlocks(xs.dim(0) * xs.dim(1), 1, (p0, cnt) -> {
            for (int plane = p0; plane < p0 + cnt; plane++) {
                int xo = plane * ih * iw, yo = plane * oh * ow;
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        int div = ReferenceKernels.avgDivisor(p, oy, ox, ih, iw);
                        if (div <= 0) continue;
                        float v = g[yo + oy * ow + ox] / div;
                        int y0 = Math.max(0, oy * sy - pt), y1 = Math.min(ih, oy * sy - pt + kh);
                        int x0 = Math.max(0, ox * sx - pl), x1 = Math.min(iw, ox * sx - pl + kw);
                        for (int iy = y0; iy < y1; iy++)
                            for (int ix = x0; ix < x1; ix++) gx[xo + iy * iw + ix] += v;
                    }
            }
        });
        return new Tensor(xs, gx);
    }

    private Tensor globalAvg(Tensor x) {
        int nc = x.dim(0) * x.dim(1), hw = x.dim(2) * x.dim(3);
        float[] d = x.data(), y = new float[nc];
        inBlocks(nc, Math.max(1, CHUNK / Math.max(1, hw)), (p0, cnt) -> {
            for (int p = p0; p < p0 + cnt; p++) y[p] = VectorOps.sum(d, p * hw, hw) / hw;
        });
        return Tensor.of(y, x.dim(0), x.dim(1), 1, 1);
    }

    private Tensor globalAvgBackward(Shape xs, Tensor gy) {
        int nc = xs.dim(0) * xs.dim(1), hw = xs.dim(2) * xs.dim(3);
        float[] g = gy.data(), gx = new float[xs.size()];
        inBlocks(nc, Math.max(1, CHUNK / Math.max(1, hw)), (p0, cnt) -> {
            for (int p = p0; p < p0 + cnt; p++) java.util.Arrays.fill(gx, p * hw, (p + 1) * hw, (float) (g[p] / (double) hw));
        });
        return new Tensor(xs, gx);
    }

    // ---- structural and normalising ----------------------------------------------------------

    /** Copies the largest trailing block that the permutation leaves in place with arraycopy. */
    private Tensor transpose(Tensor x, int[] perm, Shape os) {
        int r = perm.length;
        int[] is = x.shape().dims();
        int keep = r;
        while (keep > 1 && perm[keep - 1] == keep - 1) keep--;
        int block = 1;
        for (int i = keep; i < r; i++) block *= is[i];
        int[] stride = new int[r];
        stride[r - 1] = 1;
        for (int i = r - 2; i >= 0; i--) stride[i] = stride[i + 1] * is[i + 1];
        int[] od = os.dims();
        int outer = 1;
        for (int i = 1; i < keep; i++) outer *= od[i];
        float[] src = x.data(), y = new float[x.size()];
        int perItem = x.shape().itemSize(), blocks = outer;
        final int keepF = keep, blockF = block;
        parallel.forEach(od[0], b -> {
            int[] idx = new int[keepF];
            int dst = b * perItem;
            for (int q = 0; q < blocks; q++) {
                int s = b * stride[0];
                for (int i = 1; i < keepF; i++) s += idx[i] * stride[perm[i]];
                System.arraycopy(src, s, y, dst, blockF);
                dst += blockF;
                for (int i = keepF - 1; i >= 1; i--) {
                    if (++idx[i] < od[i]) break;
                    idx[i] = 0;
                }
            }
        });
        return new Tensor(os, y);
    }

    private Tensor lrn(Tensor x, Lrn l) {
        int n = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3);
        int before = (l.size() - 1) / 2, after = l.size() - 1 - before;
        float[] d = x.data(), y = new float[d.length];
        inBlocks(n * c, 1, (p0, cnt) -> {
            for (int p = p0; p < p0 + cnt; p++) {
                int b = p / c, ch = p % c;
                for (int i = 0; i < hw; i++) {
                    double s = 0;
                    for (int k = Math.max(0, ch - before); k <= Math.min(c - 1, ch + after); k++) {
                        double v = d[(b * c + k) * hw + i];
                        s += v * v;
                    }
                    y[p * hw + i] = (float) (d[p * hw + i] / Math.pow(l.bias() + l.alpha() / l.size() * s, l.beta()));
                }
            }
        });
        return new Tensor(x.shape(), y);
    }

    /** Each input-gradient element (b, k, i) only receives from the same (b, i): split over pixels. */
    private Tensor lrnBackward(Tensor x, Lrn l, Tensor gy) {
        int n = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3);
        int before = (l.size() - 1) / 2, after = l.size() - 1 - before;
        float[] d = x.data(), g = gy.data(), gx = new float[d.length];
        double k2 = 2.0 * l.alpha() / l.size();
        inBlocks(n * hw, 64, (q0, cnt) -> {
            double[] acc = new double[c];
            for (int q = q0; q < q0 + cnt; q++) {
                int b = q / hw, i = q % hw;
                java.util.Arrays.fill(acc, 0);
                for (int ch = 0; ch < c; ch++) {
                    double s = 0;
                    for (int k = Math.max(0, ch - before); k <= Math.min(c - 1, ch + after); k++) {
                        double v = d[(b * c + k) * hw + i];
                        s += v * v;
                    }
                    double base = l.bias() + l.alpha() / l.size() * s;
                    int o = (b * c + ch) * hw + i;
                    acc[ch] += g[o] * Math.pow(base, -l.beta());
                    double common = -g[o] * d[o] * l.beta() * Math.pow(base, -l.beta() - 1) * k2;
                    for (int k = Math.max(0, ch - before); k <= Math.min(c - 1, ch + after); k++) acc[k] += common * d[(b * c + k) * hw + i];
                }
                for (int ch = 0; ch < c; ch++) gx[(b * c + ch) * hw + i] = (float) acc[ch];
            }
        });
        return new Tensor(x.shape(), gx);
    }

    private Tensor softmax(Tensor x, Softmax op) {
        ReferenceKernels.SoftmaxLayout s = ReferenceKernels.SoftmaxLayout.of(x.shape(), op);
        float[] d = x.data(), y = new float[d.length];
        int len = s.len(), inner = s.inner();
        inBlocks(s.outer() * inner, 1, (r0, cnt) -> {
            for (int r = r0; r < r0 + cnt; r++) {
                int base = r / inner * len * inner + r % inner;
                float m = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < len; j++) m = Math.max(m, d[base + j * inner]);
                double sum = 0;
                for (int j = 0; j < len; j++) sum += Math.exp(d[base + j * inner] - (double) m);
                for (int j = 0; j < len; j++) y[base + j * inner] = (float) (Math.exp(d[base + j * inner] - (double) m) / sum);
            }
        });
        return new Tensor(x.shape(), y);
    }

    private Tensor softmaxBackward(Tensor y, Softmax op, Tensor gy) {
        ReferenceKernels.SoftmaxLayout s = ReferenceKernels.SoftmaxLayout.of(y.shape(), op);
        float[] yd = y.data(), g = gy.data(), gx = new float[yd.length];
        int len = s.len(), inner = s.inner();
        inBlocks(s.outer() * inner, 1, (r0, cnt) -> {
            for (int r = r0; r < r0 + cnt; r++) {
                int base = r / inner * len * inner + r % inner;
                double dot = 0;
                for (int j = 0; j < len; j++) dot += (double) g[base + j * inner] * yd[base + j * inner];
                for (int j = 0; j < len; j++) {
                    int k = base + j * inner;
                    gx[k] = (float) (yd[k] * (g[k] - dot));
                }
            }
        });
        return new Tensor(y.shape(), gx);
    }

    /** All the per-op differences of one verifying run, largest relative first. */
    public static List<Difference> worstFirst(List<Difference> all) {
        List<Difference> l = new ArrayList<>(all);
        l.sort((a, b) -> Double.compare(b.relative(), a.relative()));
        return l;
    }
}
