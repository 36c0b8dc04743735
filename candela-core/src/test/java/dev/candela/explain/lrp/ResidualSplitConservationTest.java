package dev.candela.explain.lrp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.explain.ShapedModels;
import dev.candela.graph.GraphBuilder;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.run.Activations;
import dev.candela.run.BackwardListener;
import dev.candela.run.Executor;
import dev.candela.run.Kernels;
import dev.candela.run.LayerValues;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.testkit.RandomCases;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conservation with relevance splitting at residual sums ({@code lrp(residual=split)}, Otsuki et al., ECCV 2024) on
 * random residual nets with conv biases and batch norm (merged into the convs, as by default): ShapedModels' ResNet
 * (identity block, strided block with a 1x1 conv + BN downsample) and a deeper net with an identity block, a block
 * whose sum no ReLU follows, and a strided block with a 1x1 conv + BN shortcut.
 * <p>
 * The axiom: the input relevance sums to the target logit y_c minus what the layer rules document that they absorb.
 * Ratio splitting absorbs nothing (its shares sum to exactly 1); epsilon absorbs R_j b_j / stab(z_j) at each unit;
 * z+ absorbs R_j b+_j / stab(z_j) and all of R_j where z_j = 0 (no positive contribution); Norm on pooling absorbs
 * R_j (1 - y_j / stab(y_j)). The test computes those terms from the forward values and the relevance reaching
 * each layer, independently of the rules' code. Tolerance 1e-6 of the relevance mass (sum |R_input| + |y_c|; measured up to 2.7e-7).
 * Without splitting — the sum's relevance copied whole to each summand, which is what an Add without a rule of its
 * own gets (its gradient) — the same nets break conservation by far more than that (measured: at least 200 times the
 * tolerance). zennit's Norm on the sums conserves too (its shares x_i / y sum to y / stab(y)); what splitting adds is
 * that every share lies in [0, 1], where Norm hands a summand of the other sign a negative share and the other one
 * more than the whole.
 */
class ResidualSplitConservationTest {
    static final double TOLERANCE = 1e-6;

    enum Net { SHAPED_RESNET, DEEP_RESIDUAL }

    static Model net(Net n, long seed) {
        return switch (n) {
            case SHAPED_RESNET -> ShapedModels.build(ShapedModels.Kind.RESNET, seed, true);
            case DEEP_RESIDUAL -> deepResidual(seed);
        };
    }

    /** stem; identity block (ReLU after the sum); identity block with no ReLU after the sum; strided block with conv+BN shortcut. */
    static Model deepResidual(long seed) {
        GraphBuilder b = new GraphBuilder("input", Shape.of(3, 12, 12), seed);
        String t = b.relu("stem.relu", b.batchNorm("stem.bn", b.conv("stem.conv", "input", 6, 3, 1, 1)));
        String o = b.relu("b1.relu1", b.batchNorm("b1.bn1", b.conv("b1.conv1", t, 6, 3, 1, 1)));
        o = b.batchNorm("b1.bn2", b.conv("b1.conv2", o, 6, 3, 1, 1));
        t = b.relu("b1.relu2", b.sum("b1.add", o, t));
        o = b.relu("b2.relu1", b.batchNorm("b2.bn1", b.conv("b2.conv1", t, 6, 3, 1, 1)));
        o = b.batchNorm("b2.bn2", b.conv("b2.conv2", o, 6, 3, 1, 1));
        t = b.sum("b2.add", o, t);
        o = b.relu("b3.relu1", b.batchNorm("b3.bn1", b.conv("b3.conv1", t, 10, 3, 2, 1)));
        o = b.batchNorm("b3.bn2", b.conv("b3.conv2", o, 10, 3, 1, 1));
        String sc = b.batchNorm("b3.down.bn", b.conv("b3.down.conv", t, 10, 1, 2, 0));
        t = b.relu("b3.relu2", b.sum("b3.add", o, sc));
        String f = b.flatten("flatten", b.globalAvgPool("gap", t));
        return b.build(b.linear("fc", f, 5));
    }

    static Composite composite(String name) {
        return switch (name) {
            case "epsilon" -> Composite.single(new LayerRule.Epsilon());
            case "z-plus" -> Composite.single(new LayerRule.ZPlus());
            case "epsilon-plus" -> Composite.epsilonPlus();
            default -> throw new IllegalArgumentException(name);
        };
    }

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (String c : List.of("epsilon", "z-plus", "epsilon-plus")) for (Net n : Net.values()) for (long s = 1; s <= 4; s++) a.add(Arguments.of(c, n, s));
        return a.stream();
    }

    /** Per batch item: sum of input relevance, y_c, documented absorption, relevance mass. */
    record Balance(double[] input, double[] logit, double[] absorbed, double[] mass) {}

    static Balance balance(Model model, Composite c, long seed) {
        Model merged = BatchNormMerge.merge(model);
        Executor ex = new Executor(merged, ReferenceKernels.INSTANCE);
        RandomCases rc = new RandomCases(seed);
        Tensor x = rc.normal(Shape.of(2, 3, 12, 12), 1.0);
        Activations fwd = ex.forward(x);
        int[] cls = {rc.between(0, 4), rc.between(0, 4)};
        String first = LrpRule.firstConv(ex.graph());
        double[] absorbed = new double[2];
        BackwardListener audit = (v, r, rin) -> {
            double[] a = absorbedAt(c.ruleFor(v.node(), v.node().name().equals(first)), v, r);
            for (int b = 0; b < 2; b++) absorbed[b] += a[b];
        };
        Tensor rel = ex.backward(fwd, Lrp.logits(ex.graph()), Lrp.seed(fwd.output(), cls), Set.of("input"), new LrpRule(ex.graph(), c), audit).get("input");
        double[] in = new double[2], y = new double[2], mass = new double[2];
        int per = rel.shape().itemSize();
        for (int b = 0; b < 2; b++) {
            for (int i = b * per; i < (b + 1) * per; i++) {
                in[b] += rel.data()[i];
                mass[b] += Math.abs(rel.data()[i]);
            }
            y[b] = fwd.output().data()[b * 5 + cls[b]];
            mass[b] += Math.abs(y[b]);
        }
        return new Balance(in, y, absorbed, mass);
    }

    /** What rule {@code rule} documents that it absorbs at this node, per batch item (0 where it conserves). */
    static double[] absorbedAt(LayerRule rule, LayerValues v, Tensor r) {
        double[] out = new double[r.dim(0)];
        int per = r.shape().itemSize();
        Kernels k = v.kernels();
        switch (rule) {
            case LayerRule.Epsilon e -> {
                // z includes the bias; the inputs receive R (z - b) / stab(z)
                WeightedLayer L = WeightedLayer.of(v.node().op());
                Tensor zNoBias = L.forward(k, v.inputs().get(0), L.weight(), L.zeroBias());
                for (int i = 0; i < r.size(); i++) {
                    double z = v.output().data()[i];
                    out[i / per] += r.data()[i] * (1 - zNoBias.data()[i] / stab(z, e.epsilon()));
                }
            }
            case LayerRule.ZPlus zp -> {
                // z = f(x+; W+) + f(x-; W-) + b+; the inputs receive R (z - b+) / stab(z), nothing where z = 0
                WeightedLayer L = WeightedLayer.of(v.node().op());
                Tensor x = v.inputs().get(0);
                Tensor zNoBias = Elementwise.add(L.forward(k, Elementwise.positive(x), Elementwise.positive(L.weight()), L.zeroBias()),
                        L.forward(k, Elementwise.negative(x), Elementwise.negative(L.weight()), L.zeroBias()));
                Tensor z = L.forward(k, Elementwise.positive(x), Elementwise.positive(L.weight()), Elementwise.positive(L.bias()));
                z = Elementwise.add(z, L.forward(k, Elementwise.negative(x), Elementwise.negative(L.weight()), L.zeroBias()));
                for (int i = 0; i < r.size(); i++) out[i / per] += r.data()[i] * (1 - zNoBias.data()[i] / stab(z.data()[i], zp.stabiliser()));
            }
            case LayerRule.Norm n -> {
                for (int i = 0; i < r.size(); i++) {
                    double y = v.output().data()[i];
                    out[i / per] += r.data()[i] * (1 - y / stab(y, n.stabiliser()));
                }
            }
            default -> { }  // ratio split, pass, gradient on structural ops: nothing absorbed
        }
        return out;
    }

    static double stab(double z, double eps) { return (float) z + (float) (z >= 0 ? eps : -eps); }

    static Stream<Arguments> residualCases() {
        return cases().flatMap(a -> Stream.of("split", "even", "norm").map(r -> Arguments.of(a.get()[0], r, a.get()[1], a.get()[2])));
    }

    @ParameterizedTest(name = "{0}+residual={1} on {2} seed {3}")
    @MethodSource("residualCases")
    void conservationAxiomInputRelevanceIsTheLogitMinusTheDocumentedBiasShares(String name, String residual, Net net, long seed) {
        Composite c = composite(name).withResidual(Composite.residualRule(residual), residual);
        Balance b = balance(net(net, seed), c, seed);
        for (int i = 0; i < 2; i++) {
            double expected = b.logit()[i] - b.absorbed()[i];
            System.out.printf("conserving: %s on %s seed %d item %d: error %.3g x tolerance%n", c.name(), net, seed, i,
                    Math.abs(b.input()[i] - expected) / (TOLERANCE * b.mass()[i]));
            assertTrue(Math.abs(b.input()[i] - expected) <= TOLERANCE * b.mass()[i],
                    c.name() + " on " + net + " seed " + seed + " item " + i + ": input relevance " + b.input()[i] + " vs logit " + b.logit()[i]
                            + " - absorbed " + b.absorbed()[i] + " = " + expected + " (tolerance " + TOLERANCE * b.mass()[i] + ")");
        }
    }

    @ParameterizedTest(name = "{0} without splitting on {1} seed {2}")
    @MethodSource("cases")
    void conservationAxiomFailsWithoutSplittingWhenEachSummandGetsTheWholeRelevance(String name, Net net, long seed) {
        Composite c = composite(name).withResidual(new LayerRule.Gradient(), "copy");
        Balance b = balance(net(net, seed), c, seed);
        for (int i = 0; i < 2; i++) {
            double expected = b.logit()[i] - b.absorbed()[i];
            System.out.printf("without splitting: %s on %s seed %d item %d: error %.3g x the split test's tolerance%n", name, net, seed, i,
                    Math.abs(b.input()[i] - expected) / (TOLERANCE * b.mass()[i]));
            assertTrue(Math.abs(b.input()[i] - expected) > 10 * TOLERANCE * b.mass()[i],
                    c.name() + " on " + net + " seed " + seed + " item " + i + ": copying relevance to both summands conserved it ("
                            + b.input()[i] + " vs " + expected + "); this net cannot show that splitting matters");
        }
    }

    @ParameterizedTest(name = "{0} on {1} seed {2}")
    @MethodSource("cases")
    void splitSharesLieBetweenZeroAndOneAndSumToOneWhileNormSharesDoNot(String name, Net net, long seed) {
        double[] splitRange = shareRange(net(net, seed), composite(name).withResidual(new LayerRule.RatioSplit(), "split"), seed);
        assertTrue(splitRange[0] >= 0 && splitRange[1] <= 1 + 1e-6 && splitRange[2] <= 1e-6,
                name + "+split on " + net + " seed " + seed + ": shares in [" + splitRange[0] + ", " + splitRange[1] + "], |sum - 1| up to " + splitRange[2]);
        double[] normRange = shareRange(net(net, seed), composite(name), seed);
        assertTrue(normRange[0] < 0 || normRange[1] > 1,
                name + " (Norm) on " + net + " seed " + seed + ": shares in [" + normRange[0] + ", " + normRange[1] + "]: no summand of opposite sign met");
    }

    /** Smallest and largest share R_i / R over residual-sum units with R != 0, and the largest |sum of shares - 1|. */
    static double[] shareRange(Model model, Composite c, long seed) {
        Executor ex = new Executor(BatchNormMerge.merge(model), ReferenceKernels.INSTANCE);
        RandomCases rc = new RandomCases(seed);
        Tensor x = rc.normal(Shape.of(2, 3, 12, 12), 1.0);
        Activations fwd = ex.forward(x);
        int[] cls = {rc.between(0, 4), rc.between(0, 4)};
        double[] range = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0};
        BackwardListener l = (v, r, rin) -> {
            if (!(v.node().op() instanceof dev.candela.graph.Add)) return;
            for (int i = 0; i < r.size(); i++) {
                if (Math.abs(r.data()[i]) < 1e-6) continue;
                double sum = 0;
                for (Tensor t : rin) {
                    double s = t.data()[i] / r.data()[i];
                    range[0] = Math.min(range[0], s);
                    range[1] = Math.max(range[1], s);
                    sum += s;
                }
                range[2] = Math.max(range[2], Math.abs(sum - 1));
            }
        };
        ex.backward(fwd, Lrp.logits(ex.graph()), Lrp.seed(fwd.output(), cls), Set.of("input"), new LrpRule(ex.graph(), c), l);
        return range;
    }
}
