package dev.candela.explain.lrp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.candela.explain.ShapedModels;
import dev.candela.explain.ShapedModels.Kind;
import dev.candela.graph.Model;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.testkit.RandomCases;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LRP conservation. (1) Each rule conserves relevance across one bias-free conv layer whose units all have
 * positive and negative contributions. (2) Over whole bias-free, BN-free nets the input relevance sums to
 * the seeded logit y_c where that holds: epsilon (eps -> 0), gamma, z-box and EpsilonGammaBox everywhere;
 * flat and w-square where no proportional rule meets a dead unit (VGG, ResNet here; on MobileNet/Concat the
 * Norm rule at global average pooling receives relevance on all-zero channels and drops it); z-plus and
 * EpsilonPlus where no residual sum hands a unit without positive contributions relevance (VGG, MobileNet,
 * Concat); alpha-beta only per layer (a unit without negative contributions loses its beta share).
 * Stabilisers are small (1e-9), so the tolerance is 1e-4 of the absolute relevance mass.
 */
class LrpConservationPropertyTest {


    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        java.util.Map<String, List<Kind>> holds = new java.util.LinkedHashMap<>();
        List<Kind> all = List.of(Kind.values());
        holds.put("epsilon->0", all);
        holds.put("gamma", all);
        holds.put("z-box+epsilon", all);
        holds.put("epsilon-gamma-box", all);
        holds.put("flat", List.of(Kind.VGG, Kind.RESNET));
        holds.put("w-square", List.of(Kind.VGG, Kind.RESNET));
        holds.put("z-plus", List.of(Kind.VGG, Kind.MOBILENET, Kind.CONCAT));
        holds.put("epsilon-plus", List.of(Kind.VGG, Kind.MOBILENET, Kind.CONCAT));
        holds.forEach((n, ks) -> { for (Kind k : ks) for (long s = 1; s <= 3; s++) a.add(Arguments.of(n, k, s)); });
        return a.stream();
    }

    static Composite composite(String name, float low, float high) {
        float[] lo = {low}, hi = {high};
        return switch (name) {
            case "epsilon->0" -> Composite.single(new LayerRule.Epsilon(1e-9));
            case "z-plus" -> Composite.single(new LayerRule.ZPlus(1e-9));
            case "alpha-beta" -> Composite.single(new LayerRule.AlphaBeta(2, 1, 1e-9));
            case "flat" -> Composite.single(new LayerRule.Flat(1e-9));
            case "w-square" -> Composite.single(new LayerRule.WSquare(1e-9));
            case "gamma" -> Composite.single(new LayerRule.Gamma(0.25, 1e-9));
            case "z-box+epsilon" -> Composite.single(new LayerRule.ZBox(lo, hi, 1e-9));
            case "epsilon-plus" -> Composite.epsilonPlus();
            case "epsilon-gamma-box" -> Composite.epsilonGammaBox(lo, hi);
            case "epsilon-alpha2-beta1" -> Composite.epsilonAlpha2Beta1();
            default -> throw new IllegalArgumentException(name);
        };
    }

    static Stream<Arguments> rulesAndSeeds() {
        List<Arguments> a = new ArrayList<>();
        for (String r : List.of("epsilon->0", "z-plus", "alpha-beta", "flat", "w-square", "gamma", "z-box+epsilon")) for (long s = 1; s <= 5; s++) a.add(Arguments.of(r, s));
        return a.stream();
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("rulesAndSeeds")
    void eachRuleConservesRelevanceAcrossABiasFreeConvLayer(String rule, long seed) {
        RandomCases rc = new RandomCases(seed);
        int inC = 8, outC = rc.between(2, 5), k = 3, stride = rc.between(1, 2);
        dev.candela.graph.Conv2d conv = new dev.candela.graph.Conv2d(rc.normal(Shape.of(outC, inC, k, k), 1.0), Tensor.zeros(outC),
                new int[]{stride, stride}, new int[]{1, 1, 1, 1}, new int[]{1, 1}, 1);
        Tensor x = rc.awayFromZero(Shape.of(1, inC, 6, 6), 0.1);
        Tensor y = ReferenceKernels.INSTANCE.forward(conv, List.of(x));
        Tensor r = rc.normal(y.shape(), 1.0);
        dev.candela.graph.Node node = new dev.candela.graph.Node("conv", conv, List.of("x"), "conv");
        LayerRule lr = composite(rule, x.min() - 0.5f, x.max() + 0.5f).firstConv();
        Tensor rin = Redistribution.apply(lr, new dev.candela.run.LayerValues(node, List.of(x), y, ReferenceKernels.INSTANCE), r).get(0);
        double abs = 0;
        for (float v : rin.data()) abs += Math.abs(v);
        assertEquals(r.sum(), rin.sum(), 1e-4 * (abs + 1), rule + " seed " + seed + ": relevance in " + r.sum() + ", out " + rin.sum());
    }

    @ParameterizedTest(name = "{0} on {1} seed {2}")
    @MethodSource("cases")
    void inputRelevanceSumsToTheExplainedLogitOnBiasFreeNets(String rule, Kind kind, long seed) {
        Model m = ShapedModels.build(kind, seed, false);
        RandomCases rc = new RandomCases(seed);
        Tensor x = rc.normal(Shape.of(2, 3, 12, 12), 1.0);
        Executor ex = new Executor(m, ReferenceKernels.INSTANCE);
        Activations fwd = ex.forward(x);
        int[] cls = {rc.between(0, 4), rc.between(0, 4)};
        Lrp lrp = new Lrp(ex, composite(rule, x.min() - 0.5f, x.max() + 0.5f));
        Tensor r = lrp.relevanceAt(fwd, cls, "input", null);
        for (int b = 0; b < 2; b++) {
            double sum = 0, abs = 0;
            for (int i = b * r.shape().itemSize(); i < (b + 1) * r.shape().itemSize(); i++) {
                sum += r.data()[i];
                abs += Math.abs(r.data()[i]);
            }
            double y = fwd.output().data()[b * 5 + cls[b]];
            assertEquals(y, sum, 1e-4 * (abs + Math.abs(y)), rule + " on " + kind + " seed " + seed + " item " + b + ": relevance sum " + sum + " vs logit " + y);
        }
    }
}
