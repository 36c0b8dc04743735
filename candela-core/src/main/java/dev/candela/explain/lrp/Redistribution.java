package dev.candela.explain.lrp;

import static dev.candela.explain.lrp.Elementwise.add;
import static dev.candela.explain.lrp.Elementwise.mul;
import static dev.candela.explain.lrp.Elementwise.negative;
import static dev.candela.explain.lrp.Elementwise.positive;
import static dev.candela.explain.lrp.Elementwise.sub;

import dev.candela.run.Kernels;
import dev.candela.run.LayerValues;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Applies one {@link LayerRule} to one node: maps the relevance on the node's output to relevance on
 * each of its inputs. The formulas follow zennit's BasicHook definitions (modified inputs, modified
 * parameters, gradient mapper, reducer), written out for each rule.
 */
public final class Redistribution {
    private Redistribution() {}

    public static List<Tensor> apply(LayerRule rule, LayerValues v, Tensor r) {
        return apply(rule, v, r, null);
    }

    /**
     * As {@link #apply(LayerRule, LayerValues, Tensor)}; the exact-division rules (FG-CAM's) show each
     * (relevance, denominator) pair to {@code audit} (null: none), so zero-denominator mass can be counted.
     */
    public static List<Tensor> apply(LayerRule rule, LayerValues v, Tensor r, BiConsumer<Tensor, Tensor> audit) {
        Kernels k = v.kernels();
        return switch (rule) {
            case LayerRule.GuidedRelu g -> guidedRelu(v, r);
            case LayerRule.ZPlusNoBias z -> List.of(zPlus(k, weighted(v), v.inputs().get(0), r, EXACT, false, audit));
            case LayerRule.ZBoxImageBounds z -> v.node().op() instanceof dev.candela.graph.Conv2d c && c.inChannels() == 3
                    ? List.of(zBoxImageBounds(v, r, audit))
                    : List.of(zPlus(k, weighted(v), v.inputs().get(0), r, EXACT, false, audit));
            case LayerRule.PositiveShare p -> positiveShare(v, r, audit);
            case LayerRule.Pass p -> pass(v, r);
            case LayerRule.Gradient g -> k.inputGradients(v.node().op(), v.inputs(), v.output(), r);
            case LayerRule.Epsilon e -> proportional(v, r, new Division.Stabilised(e.epsilon()));
            case LayerRule.Norm n -> proportional(v, r, new Division.Stabilised(n.stabiliser()));
            case LayerRule.RatioSplit s -> split(v, r, true);
            case LayerRule.EvenSplit s -> split(v, r, false);
            case LayerRule.ZPlus z -> List.of(zPlus(k, weighted(v), v.inputs().get(0), r, new Division.Stabilised(z.stabiliser()), true));
            case LayerRule.Gamma g -> List.of(gamma(k, weighted(v), v.inputs().get(0), r, g));
            case LayerRule.AlphaBeta ab -> List.of(alphaBeta(k, weighted(v), v.inputs().get(0), r, ab));
            case LayerRule.ZBox zb -> {
                Tensor x = v.inputs().get(0);
                yield List.of(zBox(k, weighted(v), x, bound(zb.low(), x), bound(zb.high(), x), r, new Division.Stabilised(zb.stabiliser()), true));
            }
            case LayerRule.Flat f -> {
                WeightedLayer L = weighted(v);
                Tensor x = v.inputs().get(0), w = Elementwise.ones(L.weight()), one = Elementwise.ones(x);
                Tensor z = L.forward(k, one, w, L.zeroBias());
                yield List.of(L.transpose(k, x, w, new Division.Stabilised(f.stabiliser()).divide(r, z)));
            }
            case LayerRule.WSquare ws -> {
                WeightedLayer L = weighted(v);
                Tensor x = v.inputs().get(0), w2 = Elementwise.square(L.weight());
                Tensor z = L.forward(k, Elementwise.ones(x), w2, Elementwise.square(L.bias()));
                yield List.of(L.transpose(k, x, w2, new Division.Stabilised(ws.stabiliser()).divide(r, z)));
            }
        };
    }

    private static final Division EXACT = new Division.ZeroSafe();

    private static List<Tensor> guidedRelu(LayerValues v, Tensor g) {
        return switch (v.node().op()) {
            case dev.candela.graph.Relu r -> List.of(guided(v.inputs().get(0), g, 0, Float.POSITIVE_INFINITY));
            case dev.candela.graph.Clip c when c.min() == 0 -> List.of(guided(v.inputs().get(0), g, 0, c.max()));
            default -> v.kernels().inputGradients(v.node().op(), v.inputs(), v.output(), g);
        };
    }

    private static Tensor guided(Tensor x, Tensor g, float lo, float hi) {
        float[] xd = x.data(), gd = g.data(), out = new float[gd.length];
        for (int i = 0; i < out.length; i++) out[i] = xd[i] > lo && xd[i] < hi && gd[i] > 0 ? gd[i] : 0f;
        return new Tensor(g.shape(), out);
    }

    /** z-box with l, h = each batch item's global min and max of x, no bias, exact division. */
    private static Tensor zBoxImageBounds(LayerValues v, Tensor r, BiConsumer<Tensor, Tensor> audit) {
        Tensor x = v.inputs().get(0);
        int n = x.dim(0), per = x.shape().itemSize();
        float[] lo = new float[x.size()], hi = new float[x.size()];
        for (int b = 0; b < n; b++) {
            float mn = Float.POSITIVE_INFINITY, mx = Float.NEGATIVE_INFINITY;
            for (int i = b * per; i < (b + 1) * per; i++) {
                mn = Math.min(mn, x.data()[i]);
                mx = Math.max(mx, x.data()[i]);
            }
            java.util.Arrays.fill(lo, b * per, (b + 1) * per, mn);
            java.util.Arrays.fill(hi, b * per, (b + 1) * per, mx);
        }
        return zBox(v.kernels(), weighted(v), x, new Tensor(x.shape(), lo), new Tensor(x.shape(), hi), r, EXACT, false, audit);
    }

    /** R_k = X_k+ * [J^T (I ÷0 op(X+))]_k: the op re-run on the positive parts of its inputs. */
    private static List<Tensor> positiveShare(LayerValues v, Tensor r, BiConsumer<Tensor, Tensor> audit) {
        List<Tensor> xp = new ArrayList<>();
        for (Tensor x : v.inputs()) xp.add(Elementwise.positiveView(x));
        Tensor y = v.kernels().forward(v.node().op(), xp);
        if (audit != null) audit.accept(r, y);
        Tensor s = EXACT.divide(r, y);
        List<Tensor> g = v.kernels().inputGradients(v.node().op(), xp, y, s);
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < g.size(); i++) {
            List<Tensor> held = new ArrayList<>(g);
            held.remove(i);
            held.addAll(List.of(s, y, r));
            held.addAll(xp);
            out.add(times(g.get(i), xp.get(i), held.toArray(Tensor[]::new)));
        }
        return out;
    }

    private static WeightedLayer weighted(LayerValues v) {
        if (!WeightedLayer.isWeighted(v.node().op())) {
            throw new IllegalArgumentException("node " + v.node().name() + " (" + v.node().op().kind() + ") has no weights; this LRP rule applies to Conv2d/Linear only");
        }
        return WeightedLayer.of(v.node().op());
    }

    private static List<Tensor> pass(LayerValues v, Tensor r) {
        if (v.node().op() instanceof dev.candela.graph.Mul) return Gating.passToGated(v, r);
        if (v.node().op() instanceof dev.candela.graph.LayerNorm) return List.of(Gating.layerNorm(v, r, new Division.Stabilised(1e-6)));
        if (v.inputs().size() != 1 || v.inputs().get(0).size() != r.size()) {
            throw new IllegalArgumentException("pass rule needs one input shaped like the output at node " + v.node().name());
        }
        return List.of(r.reshape(v.inputs().get(0).shape()));
    }

    /** R_i = x_i [J^T (R / stab(y))]_i for each input: epsilon on weighted layers, Norm on pools and sums. */
    static List<Tensor> proportional(LayerValues v, Tensor r, Division d) {
        Tensor s = d.divide(r, v.output());
        List<Tensor> g = v.kernels().inputGradients(v.node().op(), v.inputs(), v.output(), s);
        List<Tensor> out = new ArrayList<>(g.size());
        for (int i = 0; i < g.size(); i++) out.add(mul(v.inputs().get(i), g.get(i)));
        return out;
    }

    /**
     * Relevance splitting at a sum: R_i = a_i [J^T (R / op(a))]_i with a_i = |x_i| ({@code byMagnitude}) or 1,
     * so each output unit's relevance is shared in proportion to a over the summands that make it (J^T sums a
     * broadcast summand's shares). Where every a is 0 the unit's relevance is split evenly: R / n to each.
     */
    private static List<Tensor> split(LayerValues v, Tensor r, boolean byMagnitude) {
        if (!(v.node().op() instanceof dev.candela.graph.Add)) {
            throw new IllegalArgumentException("relevance splitting applies to residual sums (Add) only, not " + v.node().op().kind() + " at node " + v.node().name());
        }
        Kernels k = v.kernels();
        List<Tensor> a = new ArrayList<>();
        for (Tensor x : v.inputs()) a.add(byMagnitude ? Elementwise.abs(x) : Elementwise.ones(x));
        Tensor d = k.forward(v.node().op(), a);
        float[] rd = r.data(), dd = d.data(), s = new float[rd.length], even = new float[rd.length];
        float n = v.inputs().size();
        boolean anyEven = false;
        for (int i = 0; i < rd.length; i++) {
            if (dd[i] > 0) s[i] = rd[i] / dd[i];
            else {
                even[i] = rd[i] / n;
                anyEven |= rd[i] != 0;
            }
        }
        Tensor st = new Tensor(r.shape(), s);
        List<Tensor> g = k.inputGradients(v.node().op(), a, d, st);
        List<Tensor> ge = anyEven ? k.inputGradients(v.node().op(), a, d, new Tensor(r.shape(), even)) : null;
        List<Tensor> out = new ArrayList<>(g.size());
        for (int i = 0; i < g.size(); i++) {
            Tensor ri = mul(a.get(i), g.get(i));
            out.add(ge == null ? ri : add(ri, ge.get(i)));
        }
        return out;
    }

    /**
     * {W+, W-} of a layer's weights, made once per weight tensor and kept while it lives (weakly keyed; the parts
     * are copies, so they do not keep it alive): every pass of the z+ and alpha-beta rules uses them, and the
     * kernels keep their packed forms per tensor, so the same instances are packed once instead of per pass.
     */
    static Tensor[] signedWeights(Tensor w) {
        return SIGNED_WEIGHTS.computeIfAbsent(w, t -> new Tensor[]{positive(t), negative(t)});
    }

    private static final java.util.Map<Tensor, Tensor[]> SIGNED_WEIGHTS =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /**
     * z+ with signed inputs: Z = f(x+; W+, b+) + f(x-; W-, 0), R = x+ f^T(s; W+) + x- f^T(s; W-), s = R / Z.
     * With {@code withBias} false the bias is dropped (FG-CAM). The x- branch is skipped when x >= 0.
     */
    public static Tensor zPlus(Kernels k, WeightedLayer L, Tensor x, Tensor r, Division d, boolean withBias) {
        return zPlus(k, L, x, r, d, withBias, null);
    }

    /** As {@link #zPlus(Kernels, WeightedLayer, Tensor, Tensor, Division, boolean)}, showing (r, Z) to {@code audit}. */
    public static Tensor zPlus(Kernels k, WeightedLayer L, Tensor x, Tensor r, Division d, boolean withBias, BiConsumer<Tensor, Tensor> audit) {
        Tensor xp = Elementwise.positiveView(x), xn = Elementwise.anyNegative(x) ? negative(x) : null;
        Tensor[] w = signedWeights(L.weight());
        Tensor wp = w[0], wn = w[1];
        Tensor z = L.forward(k, xp, wp, withBias ? positive(L.bias()) : L.zeroBias());
        if (xn != null) z = plus(z, L.forward(k, xn, wn, L.zeroBias()), x, xp, xn, r);
        if (audit != null) audit.accept(r, z);
        Tensor s = owned(z, x, xp, xn, r) ? d.divideInto(r, z) : d.divide(r, z);
        Tensor out = times(L.transpose(k, x, wp, s), xp, x, xp, xn, r, s);
        if (xn != null) out = plus(out, times(L.transpose(k, x, wn, s), xn, x, xp, xn, r, s, out), x, xp, xn, r, s);
        return out;
    }

    /*
     * The rules run on every layer of a backward pass that keeps every activation, and their temporaries were most of
     * FG-CAM's garbage (young collections copying the kept activations were half its time on VGG-16). A kernel's
     * result is written over when no one else holds its array; Identity's and Add's gradients are their input, so
     * each write checks. Every product and sum keeps the fresh forms' operand order, so the bits are theirs, NaN payloads too.
     */

    /** Whether t's array is none of {@code held}'s: a fresh kernel result the rule may write over. */
    private static boolean owned(Tensor t, Tensor... held) {
        for (Tensor h : held) if (h != null && h.data() == t.data()) return false;
        return true;
    }

    /** factor * result (that operand order, as the fresh forms had it), into result's array when {@link #owned}. */
    private static Tensor times(Tensor result, Tensor factor, Tensor... held) {
        return owned(result, held) && result.data() != factor.data() ? Elementwise.mulInto(factor, result) : mul(factor, result);
    }

    /** a + b, into a's array when {@link #owned}. */
    private static Tensor plus(Tensor a, Tensor b, Tensor... held) {
        return owned(a, held) && a.data() != b.data() ? Elementwise.addInto(a, b) : add(a, b);
    }

    /** a - b, into a's array when {@link #owned}. */
    private static Tensor minus(Tensor a, Tensor b, Tensor... held) {
        return owned(a, held) && a.data() != b.data() ? Elementwise.subInto(a, b) : sub(a, b);
    }

    static Tensor gamma(Kernels k, WeightedLayer L, Tensor x, Tensor r, LayerRule.Gamma g) {
        float gm = (float) g.gamma();
        Tensor w = L.weight(), b = L.bias();
        Tensor wUp = add(w, Elementwise.scale(positive(w), gm)), wDown = add(w, Elementwise.scale(negative(w), gm));
        Tensor bUp = add(b, Elementwise.scale(positive(b), gm)), bDown = add(b, Elementwise.scale(negative(b), gm));
        Tensor xp = positive(x), xn = negative(x), zero = L.zeroBias();
        Tensor o0 = L.forward(k, xp, wUp, bUp), o1 = L.forward(k, xn, wDown, zero);
        Tensor o2 = L.forward(k, xp, wDown, bDown), o3 = L.forward(k, xn, wUp, zero);
        Tensor o4 = L.forward(k, x, w, b);
        Division d = new Division.Stabilised(g.stabiliser());
        Tensor sPos = Elementwise.maskPositive(d.divide(r, add(o0, o1)), o4);
        Tensor sNeg = Elementwise.maskNegative(d.divide(r, add(o2, o3)), o4);
        Tensor out = mul(xp, L.transpose(k, x, wUp, sPos));
        out = add(out, mul(xn, L.transpose(k, x, wDown, sPos)));
        out = add(out, mul(xp, L.transpose(k, x, wDown, sNeg)));
        return add(out, mul(xn, L.transpose(k, x, wUp, sNeg)));
    }

    static Tensor alphaBeta(Kernels k, WeightedLayer L, Tensor x, Tensor r, LayerRule.AlphaBeta ab) {
        Tensor w = L.weight(), b = L.bias(), zero = L.zeroBias();
        Tensor[] signed = signedWeights(w);
        Tensor wp = signed[0], wn = signed[1];
        Tensor xp = positive(x), xn = negative(x);
        Division d = new Division.Stabilised(ab.stabiliser());
        Tensor sPos = d.divide(r, add(L.forward(k, xp, wp, positive(b)), L.forward(k, xn, wn, zero)));
        Tensor sNeg = d.divide(r, add(L.forward(k, xp, wn, negative(b)), L.forward(k, xn, wp, zero)));
        Tensor pos = add(mul(xp, L.transpose(k, x, wp, sPos)), mul(xn, L.transpose(k, x, wn, sPos)));
        Tensor neg = add(mul(xp, L.transpose(k, x, wn, sNeg)), mul(xn, L.transpose(k, x, wp, sNeg)));
        return sub(Elementwise.scale(pos, (float) ab.alpha()), Elementwise.scale(neg, (float) ab.beta()));
    }

    /**
     * z-box: Z = f(x; W, b) - f(l; W+, b+) - f(h; W-, b-), R = x f^T(s; W) - l f^T(s; W+) - h f^T(s; W-).
     * The bias terms cancel (b - b+ - b- = 0); with {@code withBias} false they are left out altogether.
     */
    public static Tensor zBox(Kernels k, WeightedLayer L, Tensor x, Tensor low, Tensor high, Tensor r, Division d, boolean withBias) {
        return zBox(k, L, x, low, high, r, d, withBias, null);
    }

    public static Tensor zBox(Kernels k, WeightedLayer L, Tensor x, Tensor low, Tensor high, Tensor r, Division d, boolean withBias, BiConsumer<Tensor, Tensor> audit) {
        Tensor w = L.weight(), zero = L.zeroBias();
        Tensor[] signed = signedWeights(w);
        Tensor wp = signed[0], wn = signed[1];
        Tensor z = L.forward(k, x, w, withBias ? L.bias() : zero);
        z = minus(z, L.forward(k, low, wp, withBias ? positive(L.bias()) : zero), x, low, high, r);
        z = minus(z, L.forward(k, high, wn, withBias ? negative(L.bias()) : zero), x, low, high, r);
        if (audit != null) audit.accept(r, z);
        Tensor s = owned(z, x, low, high, r) ? d.divideInto(r, z) : d.divide(r, z);
        Tensor out = times(L.transpose(k, x, w, s), x, x, low, high, r, s);
        out = minus(out, times(L.transpose(k, x, wp, s), low, x, low, high, r, s, out), x, low, high, r, s);
        return minus(out, times(L.transpose(k, x, wn, s), high, x, low, high, r, s, out), x, low, high, r, s);
    }

    /** A bound (one value, or one per channel of axis 1) expanded to x's shape. */
    static Tensor bound(float[] b, Tensor x) {
        int c = x.rank() >= 2 ? x.dim(1) : 1;
        if (b.length != 1 && b.length != c) {
            throw new IllegalArgumentException("z-box bounds have " + b.length + " values; the layer input has " + c + " channels (give 1 or " + c + ")");
        }
        int inner = x.rank() >= 2 ? x.shape().itemSize() / c : 1;
        float[] o = new float[x.size()];
        for (int i = 0; i < o.length; i++) o[i] = b.length == 1 ? b[0] : b[(i / inner) % c];
        return new Tensor(x.shape(), o);
    }
}
