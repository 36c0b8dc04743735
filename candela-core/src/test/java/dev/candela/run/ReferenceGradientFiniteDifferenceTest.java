package dev.candela.run;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.graph.Add;
import dev.candela.graph.AvgPool2d;
import dev.candela.graph.BatchNorm2d;
import dev.candela.graph.ChannelAffine;
import dev.candela.graph.ElementAffine;
import dev.candela.graph.Clip;
import dev.candela.graph.Concat;
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
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.testkit.RandomCases;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reference input gradient of every op against central finite differences. With L(x) = sum(gy *
 * op(x)) accumulated in double, and a random direction v per input, the directional derivative
 * (L(x + h v) - L(x - h v)) / 2h must equal sum(grad * v). h = 1e-3; inputs of piecewise ops are
 * kept at least 0.1 from kinks (ReLU at 0, Clip bounds, max-pool near-ties), so the only errors are
 * float rounding of the forward outputs and O(h^2) curvature. Tolerance: 2e-3 times sum |grad * v|
 * (the size of the terms being summed), plus 1e-5.
 */
class ReferenceGradientFiniteDifferenceTest {
    static final double H = 1e-3, TOL = 2e-3;
    static final ReferenceKernels R = ReferenceKernels.INSTANCE;

    static LongStream seeds() { return RandomCases.seeds(10); }

    static void checkFiniteDifferences(String what, long seed, Op op, List<Tensor> in, RandomCases g) {
        Tensor y = R.forward(op, in);
        Tensor gy = g.normal(y.shape(), 1.0);
        List<Tensor> grads = R.inputGradients(op, in, y, gy);
        List<Tensor> dirs = new ArrayList<>();
        double analytic = 0, magnitude = 0;
        for (int k = 0; k < in.size(); k++) {
            Tensor v = g.normal(in.get(k).shape(), 1.0);
            dirs.add(v);
            for (int i = 0; i < v.size(); i++) {
                double t = (double) grads.get(k).data()[i] * v.data()[i];
                analytic += t;
                magnitude += Math.abs(t);
            }
        }
        double numeric = (loss(op, shifted(in, dirs, H), gy) - loss(op, shifted(in, dirs, -H), gy)) / (2 * H);
        double err = Math.abs(numeric - analytic), bound = TOL * magnitude + 1e-5;
        assertTrue(err <= bound, what + ": finite difference " + numeric + " vs analytic " + analytic + " (|diff| " + err
                + " > " + bound + "), seed " + seed);
    }

    static double loss(Op op, List<Tensor> in, Tensor gy) {
        Tensor y = R.forward(op, in);
        double s = 0;
        for (int i = 0; i < y.size(); i++) s += (double) gy.data()[i] * y.data()[i];
        return s;
    }

    static List<Tensor> shifted(List<Tensor> in, List<Tensor> dirs, double h) {
        List<Tensor> out = new ArrayList<>();
        for (int k = 0; k < in.size(); k++) {
            float[] x = in.get(k).data().clone(), v = dirs.get(k).data();
            for (int i = 0; i < x.length; i++) x[i] = (float) (x[i] + h * v[i]);
            out.add(new Tensor(in.get(k).shape(), x));
        }
        return out;
    }

    @ParameterizedTest(name = "conv input gradient equals finite differences, seed {0}")
    @MethodSource("seeds")
    void convGradientIsTheDerivative(long seed) {
        RandomCases g = new RandomCases(seed);
        RandomCases.ConvCase c = g.conv();
        checkFiniteDifferences("conv", seed, c.op(), List.of(g.normal(c.input(), 1.0)), g);
    }

    @ParameterizedTest(name = "transposed conv input gradient equals finite differences, seed {0}")
    @MethodSource("seeds")
    void convTransposeGradientIsTheDerivative(long seed) {
        RandomCases g = new RandomCases(seed);
        RandomCases.ConvTransposeCase c = g.convTranspose();
        checkFiniteDifferences("conv transpose", seed, c.op(), List.of(g.normal(c.input(), 1.0)), g);
    }

    @ParameterizedTest(name = "linear input gradient equals finite differences, seed {0}")
    @MethodSource("seeds")
    void linearGradientIsTheDerivative(long seed) {
        RandomCases g = new RandomCases(seed);
        int n = g.between(1, 3), in = g.between(1, 30), out = g.between(1, 20);
        Linear l = new Linear(g.normal(Shape.of(out, in), 0.3), g.normal(Shape.of(out), 0.3));
        checkFiniteDifferences("linear", seed, l, List.of(g.normal(n, in)), g);
    }

    @ParameterizedTest(name = "pooling input gradients equal finite differences (no near-ties), seed {0}")
    @MethodSource("seeds")
    void poolingGradientsAreTheDerivative(long seed) {
        RandomCases g = new RandomCases(seed);
        RandomCases.PoolCase<MaxPool2d> mp = g.maxPool();
        checkFiniteDifferences("max pool", seed, mp.op(), List.of(g.distinct(mp.input(), 0.1)), g);
        RandomCases.PoolCase<AvgPool2d> ap = g.avgPool();
        checkFiniteDifferences("avg pool", seed, ap.op(), List.of(g.normal(ap.input(), 1.0)), g);
        checkFiniteDifferences("global avg pool", seed, new GlobalAvgPool(), List.of(g.normal(g.nchw(4, 6), 1.0)), g);
    }

    @ParameterizedTest(name = "activation gradients equal finite differences away from kinks, seed {0}")
    @MethodSource("seeds")
    void activationGradientsAreTheDerivative(long seed) {
        RandomCases g = new RandomCases(seed);
        Shape s = g.nchw(3, 6);
        checkFiniteDifferences("relu", seed, new Relu(), List.of(g.awayFromZero(s, 0.1)), g);
        checkFiniteDifferences("leaky relu", seed, new LeakyRelu(g.uniform(0.01, 0.5)), List.of(g.awayFromZero(s, 0.1)), g);
        // Clip(-1, 1): values in (-0.9, 0.9) or beyond +-1.1.
        float[] x = g.awayFromZero(s, 0.1).data();
        for (int i = 0; i < x.length; i++) x[i] = g.chance(0.5) ? (float) Math.copySign(0.8 * Math.abs(x[i]) / (1 + Math.abs(x[i])), x[i]) : (float) Math.copySign(1.1 + Math.abs(x[i]), x[i]);
        checkFiniteDifferences("clip", seed, new Clip(-1, 1), List.of(new Tensor(s, x)), g);
    }

    @ParameterizedTest(name = "affine, add, concat, reshape, transpose gradients equal finite differences, seed {0}")
    @MethodSource("seeds")
    void linearOpGradientsAreTheDerivative(long seed) {
        RandomCases g = new RandomCases(seed);
        Shape s = g.nchw(4, 5);
        int c = s.dim(1);
        float[] var = new float[c];
        for (int i = 0; i < c; i++) var[i] = g.uniform(0.2, 2);
        checkFiniteDifferences("batch norm", seed, new BatchNorm2d(g.normal(Shape.of(c), 1), g.normal(Shape.of(c), 1),
                g.normal(Shape.of(c), 1), new Tensor(Shape.of(c), var), 1e-5f), List.of(g.normal(s, 1.0)), g);
        checkFiniteDifferences("channel affine", seed, new ChannelAffine(g.normal(Shape.of(c), 1), g.normal(Shape.of(c), 1)), List.of(g.normal(s, 1.0)), g);
        Shape item = Shape.of(java.util.Arrays.copyOfRange(s.dims(), 1, s.rank()));
        checkFiniteDifferences("element affine", seed, new ElementAffine(g.normal(item, 1), g.normal(item, 1)), List.of(g.normal(s, 1.0)), g);
        checkFiniteDifferences("add", seed, new Add(), List.of(g.normal(s, 1.0), g.normal(s, 1.0), g.normal(s, 1.0)), g);
        checkFiniteDifferences("broadcast add", seed, new Add(), List.of(g.normal(s, 1.0), g.normal(Shape.of(s.dim(0), s.dim(1), 1, 1), 1.0)), g);
        checkFiniteDifferences("concat", seed, new Concat(1), List.of(g.normal(s, 1.0), g.normal(s.withDim(1, 2), 1.0)), g);
        checkFiniteDifferences("flatten", seed, new Flatten(), List.of(g.normal(s, 1.0)), g);
        checkFiniteDifferences("reshape", seed, new Reshape(new int[]{s.itemSize()}), List.of(g.normal(s, 1.0)), g);
        checkFiniteDifferences("identity", seed, new Identity(), List.of(g.normal(s, 1.0)), g);
        checkFiniteDifferences("transpose", seed, new Transpose(new int[]{0, 2, 3, 1}), List.of(g.normal(s, 1.0)), g);
    }

    @ParameterizedTest(name = "LRN and softmax gradients equal finite differences, seed {0}")
    @MethodSource("seeds")
    void normaliserGradientsAreTheDerivative(long seed) {
        RandomCases g = new RandomCases(seed);
        Shape s = g.nchw(6, 4);
        // Large alpha so the normaliser's own derivative matters in the check.
        Lrn lrn = new Lrn(g.between(1, 5), g.uniform(0.1, 1), g.uniform(0.5, 0.9), g.uniform(1, 2));
        checkFiniteDifferences("lrn", seed, lrn, List.of(g.normal(s, 1.0)), g);
        checkFiniteDifferences("softmax", seed, new Softmax(g.between(1, 3), g.chance(0.5)), List.of(g.normal(s, 1.0)), g);
    }
}
