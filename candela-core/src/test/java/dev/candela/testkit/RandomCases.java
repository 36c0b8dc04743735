package dev.candela.testkit;

import dev.candela.graph.AvgPool2d;
import dev.candela.graph.Conv2d;
import dev.candela.graph.MaxPool2d;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * A small seeded generator of random shapes, tensors and operators for property tests. Every case
 * is a pure function of its seed, so a failing seed printed by a test reproduces the case.
 */
public final class RandomCases {
    private final SplittableRandom random;
    public final long seed;

    public RandomCases(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 17);
    }

    /** Seeds 1..n for {@code @MethodSource}. */
    public static LongStream seeds(int n) { return LongStream.rangeClosed(1, n); }

    /** Uniform in [lo, hi]. */
    public int between(int lo, int hi) { return lo + random.nextInt(hi - lo + 1); }

    public boolean chance(double p) { return random.nextDouble() < p; }

    public double gaussian() {
        // Box-Muller from two uniforms: SplittableRandom has no nextGaussian before JDK 17 semantics we rely on.
        double u = 1 - random.nextDouble(), v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    public float uniform(double lo, double hi) { return (float) (lo + (hi - lo) * random.nextDouble()); }

    public Tensor normal(Shape s, double std) {
        float[] d = new float[s.size()];
        for (int i = 0; i < d.length; i++) d[i] = (float) (gaussian() * std);
        return new Tensor(s, d);
    }

    public Tensor normal(int... dims) { return normal(Shape.of(dims), 1.0); }

    /** Values with |v| >= margin (kept away from the kink at 0). */
    public Tensor awayFromZero(Shape s, double margin) {
        float[] d = new float[s.size()];
        for (int i = 0; i < d.length; i++) {
            double v = gaussian();
            d[i] = (float) (Math.signum(v == 0 ? 1 : v) * (margin + Math.abs(v)));
        }
        return new Tensor(s, d);
    }

    /** Distinct values with gaps of {@code gap} in random order (no ties, no near-ties). */
    public Tensor distinct(Shape s, double gap) {
        int n = s.size();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
        }
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) ((perm[i] - n / 2.0) * gap);
        return new Tensor(s, d);
    }

    /** Values from a tiny set, so max-pool windows contain ties. */
    public Tensor withTies(Shape s) {
        float[] d = new float[s.size()];
        for (int i = 0; i < d.length; i++) d[i] = between(-2, 2);
        return new Tensor(s, d);
    }

    public int[] ints(int n, int lo, int hi) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = between(lo, hi);
        return a;
    }

    /** A convolution case: the op and a fitting input shape. */
    public record ConvCase(Conv2d op, Shape input) {}

    /**
     * Random convolution: plain, grouped or depthwise (with a channel multiplier), strides 1-3,
     * dilations 1-2, asymmetric pads 0-2, kernels 1-4 (1x1 stride-1 cases included), batch 1-2.
     */
    public ConvCase conv() {
        int kind = between(0, 3); // 0 plain, 1 grouped, 2 depthwise, 3 pointwise
        int groups, icg, ocg;
        switch (kind) {
            case 1 -> { groups = between(2, 3); icg = between(1, 4); ocg = between(1, 5); }
            case 2 -> { groups = between(2, 6); icg = 1; ocg = between(1, 2); }
            default -> { groups = 1; icg = between(1, 6); ocg = chance(0.3) ? between(14, 30) : between(1, 8); }
        }
        int kh = kind == 3 ? 1 : between(1, 4), kw = kind == 3 ? 1 : between(1, 4);
        int[] strides = kind == 3 ? new int[]{1, 1} : new int[]{between(1, 3), between(1, 3)};
        int[] dil = kind == 3 || chance(0.6) ? new int[]{1, 1} : new int[]{between(1, 2), between(1, 2)};
        int[] pads = kind == 3 ? new int[4] : ints(4, 0, 2);
        if (kind != 3 && chance(0.3)) pads = new int[4];
        int h = Math.max(1, dil[0] * (kh - 1) + 1 - pads[0] - pads[2]) + between(0, 9);
        int w = Math.max(1, dil[1] * (kw - 1) + 1 - pads[1] - pads[3]) + between(0, 12);
        int n = between(1, 2);
        int inC = icg * groups, outC = ocg * groups;
        Tensor weight = normal(Shape.of(outC, icg, kh, kw), 1.0 / Math.sqrt(icg * kh * kw));
        Tensor bias = normal(Shape.of(outC), 0.5);
        return new ConvCase(new Conv2d(weight, bias, strides, pads, dil, groups), Shape.of(n, inC, h, w));
    }

    /** Random transposed convolution: a random convolution's weight and geometry, output padding below the strides. */
    public record ConvTransposeCase(dev.candela.graph.ConvTranspose2d op, Shape input) {}

    public ConvTransposeCase convTranspose() {
        while (true) {
            ConvCase c = conv();
            Conv2d k = c.op();
            int[] outPad = {between(0, k.strides()[0] - 1), between(0, k.strides()[1] - 1)};
            var t = new dev.candela.graph.ConvTranspose2d(k.weight(), normal(Shape.of(k.weight().dim(1) * k.groups()), 0.5),
                    k.strides(), k.pads(), k.dilations(), outPad, k.groups());
            Shape in = k.outputShape(java.util.List.of(c.input()));
            try {
                t.outputShape(java.util.List.of(in));
                return new ConvTransposeCase(t, in);
            } catch (IllegalArgumentException tooSmall) {
                // pads larger than the scattered output: draw again
            }
        }
    }

    /** Random max pool (pads below half the kernel as ONNX requires, dilation, ceil mode) and input. */
    public record PoolCase<P>(P op, Shape input) {}

    public PoolCase<MaxPool2d> maxPool() {
        int kh = between(1, 3), kw = between(1, 3);
        int[] dil = chance(0.3) ? new int[]{between(1, 2), between(1, 2)} : new int[]{1, 1};
        int[] pads = {between(0, (kh - 1) / 2 + 0), between(0, (kw - 1) / 2), between(0, (kh - 1) / 2), between(0, (kw - 1) / 2)};
        int[] strides = {between(1, 3), between(1, 3)};
        boolean ceil = chance(0.5);
        int h = dil[0] * (kh - 1) + 1 + between(0, 8), w = dil[1] * (kw - 1) + 1 + between(0, 8);
        return new PoolCase<>(new MaxPool2d(new int[]{kh, kw}, strides, pads, dil, ceil), Shape.of(between(1, 2), between(1, 4), h, w));
    }

    public PoolCase<AvgPool2d> avgPool() {
        int kh = between(1, 4), kw = between(1, 4);
        int[] pads = {between(0, kh / 2), between(0, kw / 2), between(0, kh / 2), between(0, kw / 2)};
        int[] strides = {between(1, 3), between(1, 3)};
        int h = kh + between(0, 8), w = kw + between(0, 8);
        return new PoolCase<>(new AvgPool2d(new int[]{kh, kw}, strides, pads, chance(0.5), chance(0.5)), Shape.of(between(1, 2), between(1, 4), h, w));
    }

    /** A random NCHW shape with small dims. */
    public Shape nchw(int maxC, int maxHw) {
        return Shape.of(between(1, 2), between(1, maxC), between(1, maxHw), between(1, maxHw));
    }
}
