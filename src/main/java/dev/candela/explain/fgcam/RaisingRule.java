package dev.candela.explain.fgcam;

import dev.candela.explain.lrp.Division;
import dev.candela.explain.lrp.Elementwise;
import dev.candela.explain.lrp.Redistribution;
import dev.candela.explain.lrp.WeightedLayer;
import dev.candela.graph.Add;
import dev.candela.graph.AvgPool2d;
import dev.candela.graph.BatchNorm2d;
import dev.candela.graph.ChannelAffine;
import dev.candela.graph.Clip;
import dev.candela.graph.Concat;
import dev.candela.graph.Conv2d;
import dev.candela.graph.Flatten;
import dev.candela.graph.GlobalAvgPool;
import dev.candela.graph.Graph;
import dev.candela.graph.Identity;
import dev.candela.graph.LeakyRelu;
import dev.candela.graph.Linear;
import dev.candela.graph.Lrn;
import dev.candela.graph.MaxPool2d;
import dev.candela.graph.Node;
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
import dev.candela.run.Kernels;
import dev.candela.run.LayerValues;
import dev.candela.run.Rule;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * FG-CAM's resolution-raising ("IR") step per op (fg-cam.md section 5, official {@code models/layers.py}):
 * no bias, no epsilon, exact division with 0/0-style shares sent to 0.
 * <ul>
 * <li>Conv2d (and Linear): signed z+, Z = conv(X+, W+) + conv(X-, W-), R = X+ conv^T(s, W+) + X- conv^T(s, W-).</li>
 * <li>The first convolution, when it reads 3 channels: z-box with l, h = the image's own global min and
 *     max over all channels and pixels (one pair per batch item). The official code detects this layer by
 *     {@code in_channels == 3} alone; here it must also be the first Conv2d in graph order, so a later
 *     3-channel conv (rare) keeps the hidden-layer rule.</li>
 * <li>MaxPool, AvgPool, GlobalAvgPool, residual Add: proportional share of X+ (for max pooling the whole value
 *     goes to the first argmax); Add follows fg-cam.md section 5's extrapolation R_a = a+/(a+ + b+) I.</li>
 * <li>BatchNorm, ChannelAffine, ReLU, Clip (ReLU6), LeakyReLU, Identity, LRN: identity.</li>
 * <li>Flatten, Reshape, Transpose, Concat: structural (Concat splits along its axis).</li>
 * </ul>
 * The official rules drop the value of a unit whose denominator is exactly 0 (no input made a positive
 * contribution: its value came from the ignored bias or batch-norm shift). {@link ZeroDenominators#SPREAD}
 * (not in the official code) instead shares that value over the unit's inputs in proportion to the
 * magnitude of their contributions |x|.|w| (so it follows the image rather than drawing the kernel's grid),
 * and uniformly over the receptive field (LRP's flat rule) where every input is zero, so the total is
 * conserved exactly.
 * The rule records, per node and batch item, the mass on zero-denominator units, so conservation can be
 * checked: sum(out) = sum(components) - dropped.
 */
public final class RaisingRule implements Rule {
    private static final Division EXACT = new Division.ZeroSafe();

    /** What happens to the value of a unit whose denominator is exactly 0. */
    public enum ZeroDenominators {
        /** Dropped, as the official code does (divide_with_zero). */
        DROP,
        /** Shared by contribution magnitude |x|.|w|, uniformly where all inputs are 0 (conserving; a Candela option). */
        SPREAD
    }

    private final String inputConv;
    private final ZeroDenominators zeros;
    private final Map<String, double[]> dropped = new LinkedHashMap<>();
    private Tensor zeroShare;

    public RaisingRule(Graph graph) {
        this(graph, ZeroDenominators.DROP);
    }

    public RaisingRule(Graph graph, ZeroDenominators zeros) {
        this.inputConv = inputConv(graph);
        this.zeros = zeros;
    }

    /** The first Conv2d in graph order if it reads 3 channels (the z-box layer), else null. */
    public static String inputConv(Graph graph) {
        for (Node n : graph.nodes()) {
            if (n.op() instanceof Conv2d c) return c.inChannels() == 3 ? n.name() : null;
        }
        return null;
    }

    /** Per node, per batch item: relevance on units whose denominator was exactly 0 (dropped under DROP, spread under SPREAD). */
    public Map<String, double[]> dropped() { return dropped; }

    public double droppedTotal(int item) {
        double s = 0;
        for (double[] d : dropped.values()) s += d[item];
        return s;
    }

    @Override public List<Tensor> propagate(LayerValues v, Tensor r) {
        zeroShare = null;
        List<Tensor> out = raise(v, r);
        if (zeros == ZeroDenominators.SPREAD && zeroShare != null && !Elementwise.allZero(zeroShare)) {
            List<Tensor> spread = spread(v, zeroShare);
            List<Tensor> sum = new ArrayList<>();
            for (int i = 0; i < out.size(); i++) sum.add(Elementwise.add(out.get(i), spread.get(i)));
            out = sum;
        }
        return out;
    }

    /**
     * The value on zero-denominator units, shared in proportion to |x|.|w| (the op re-run on |x| with |w|
     * and no bias); what that cannot place (all inputs zero) goes uniformly over the receptive field.
     */
    private static List<Tensor> spread(LayerValues v, Tensor share) {
        Op byMagnitude = flatOp(v.node().op(), true);
        List<Tensor> u = new ArrayList<>();
        for (Tensor x : v.inputs()) u.add(Elementwise.abs(x));
        Tensor y = v.kernels().forward(byMagnitude, u);
        List<Tensor> out = distribute(v, byMagnitude, u, y, share);
        float[] rest = new float[share.size()];
        for (int i = 0; i < rest.length; i++) if (y.data()[i] == 0f) rest[i] = share.data()[i];
        Tensor unplaced = new Tensor(share.shape(), rest);
        if (Elementwise.allZero(unplaced)) return out;
        Op uniform = flatOp(v.node().op(), false);
        List<Tensor> ones = new ArrayList<>();
        for (Tensor x : v.inputs()) ones.add(Elementwise.ones(x));
        List<Tensor> flat = distribute(v, uniform, ones, v.kernels().forward(uniform, ones), unplaced);
        for (int i = 0; i < out.size(); i++) out.set(i, Elementwise.add(out.get(i), flat.get(i)));
        return out;
    }

    /** R_i = u_i [J^T (share ÷0 y)]_i for the op re-run on u, giving y. */
    private static List<Tensor> distribute(LayerValues v, Op op, List<Tensor> u, Tensor y, Tensor share) {
        List<Tensor> g = v.kernels().inputGradients(op, u, y, EXACT.divide(share, y));
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < g.size(); i++) out.add(Elementwise.mul(u.get(i), g.get(i)));
        return out;
    }

    private static Op flatOp(Op op, boolean magnitude) {
        return switch (op) {
            case Conv2d c -> WeightedLayer.of(c).with(magnitude ? Elementwise.abs(c.weight()) : Elementwise.ones(c.weight()), Tensor.zeros(c.bias().shape()));
            case Linear l -> WeightedLayer.of(l).with(magnitude ? Elementwise.abs(l.weight()) : Elementwise.ones(l.weight()), Tensor.zeros(l.bias().shape()));
            default -> op;
        };
    }

    private List<Tensor> raise(LayerValues v, Tensor r) {
        Node n = v.node();
        Kernels k = v.kernels();
        return switch (n.op()) {
            case Conv2d c -> List.of(n.name().equals(inputConv) ? zBox(v, r) : zPlus(v, r));
            case Linear l -> List.of(zPlus(v, r));
            case MaxPool2d p -> positiveShare(v, r);
            case AvgPool2d p -> positiveShare(v, r);
            case GlobalAvgPool g -> positiveShare(v, r);
            case Add a -> positiveShare(v, r);
            case BatchNorm2d b -> List.of(r);
            case ChannelAffine a -> List.of(r);
            case Relu x -> List.of(r);
            case Clip x -> List.of(r);
            case LeakyRelu x -> List.of(r);
            case Identity x -> List.of(r);
            case Lrn x -> List.of(r);
            case Flatten f -> k.inputGradients(n.op(), v.inputs(), v.output(), r);
            case Reshape x -> k.inputGradients(n.op(), v.inputs(), v.output(), r);
            case Transpose x -> k.inputGradients(n.op(), v.inputs(), v.output(), r);
            case Concat x -> k.inputGradients(n.op(), v.inputs(), v.output(), r);
            case Pointwise x -> List.of(r);
            case Mul x -> dev.candela.explain.lrp.Gating.passToGated(v, r);
            case Slice x -> k.inputGradients(n.op(), v.inputs(), v.output(), r);
            case Pad2d x -> k.inputGradients(n.op(), v.inputs(), v.output(), r);
            case LayerNorm x -> List.of(dev.candela.explain.lrp.Gating.layerNorm(v, r, EXACT));
            case Resize2d x -> positiveShare(v, r);
            case Softmax s -> throw new IllegalArgumentException("FG-CAM cannot raise through Softmax node " + n.name() + "; choose a CAM layer before it");
        };
    }

    private void audit(Node n, Tensor r, Tensor z) {
        float[] share = new float[r.size()];
        for (int i = 0; i < share.length; i++) if (z.data()[i] == 0f) share[i] = r.data()[i];
        zeroShare = new Tensor(r.shape(), share);
        double[] d = Division.droppedMass(r, z);
        double[] prev = dropped.get(n.name());
        if (prev != null) for (int i = 0; i < d.length; i++) d[i] += prev[i];
        dropped.put(n.name(), d);
    }

    private Tensor zPlus(LayerValues v, Tensor r) {
        return Redistribution.zPlus(v.kernels(), WeightedLayer.of(v.node().op()), v.inputs().get(0), r, EXACT, false, (rr, z) -> audit(v.node(), rr, z));
    }

    private Tensor zBox(LayerValues v, Tensor r) {
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
        return Redistribution.zBox(v.kernels(), WeightedLayer.of(v.node().op()), x, new Tensor(x.shape(), lo), new Tensor(x.shape(), hi), r, EXACT, false,
                (rr, z) -> audit(v.node(), rr, z));
    }

    /** R_k = X_k+ * [J^T (I ÷0 op(X+))]_k: the op re-run on the positive parts of its inputs. */
    private List<Tensor> positiveShare(LayerValues v, Tensor r) {
        List<Tensor> xp = new ArrayList<>();
        for (Tensor x : v.inputs()) xp.add(Elementwise.positive(x));
        Tensor y = v.kernels().forward(v.node().op(), xp);
        audit(v.node(), r, y);
        Tensor s = EXACT.divide(r, y);
        List<Tensor> g = v.kernels().inputGradients(v.node().op(), xp, y, s);
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < g.size(); i++) out.add(Elementwise.mul(xp.get(i), g.get(i)));
        return out;
    }
}
