package dev.candela.explain.fgcam;

import dev.candela.explain.lrp.Composite;
import dev.candela.explain.lrp.Division;
import dev.candela.explain.lrp.Elementwise;
import dev.candela.explain.lrp.Redistribution;
import dev.candela.explain.lrp.WeightedLayer;
import dev.candela.graph.Conv2d;
import dev.candela.graph.Graph;
import dev.candela.graph.Linear;
import dev.candela.graph.Node;
import dev.candela.graph.Op;
import dev.candela.run.LayerValues;
import dev.candela.run.Rule;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * FG-CAM's resolution-raising ("IR") step: the rules of the composite {@link Composite#fgCam()}, plus the
 * zero-denominator audit and the optional SPREAD of that mass. Per op (fg-cam.md section 5, official {@code models/layers.py}):
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
    private static final Composite COMPOSITE = Composite.fgCam();

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
        for (int i = 0; i < rest.length; i++) if (Division.vanishes(y.data()[i])) rest[i] = share.data()[i];
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

    private static Op flat(WeightedLayer l, boolean magnitude) {
        return l.with(magnitude ? Elementwise.abs(l.weight()) : Elementwise.ones(l.weight()), Tensor.zeros(l.bias().shape()));
    }

    private static Op flatOp(Op op, boolean magnitude) {
        return switch (op) {
            case Conv2d c -> flat(WeightedLayer.of(c), magnitude);
            case Linear l -> flat(WeightedLayer.of(l), magnitude);
            case dev.candela.graph.ConvTranspose2d t -> flat(WeightedLayer.of(t), magnitude);
            default -> op;
        };
    }

    /** The official rule of the node, from FG-CAM's composite ({@link Composite#fgCam()}), with the zero-denominator audit. */
    private List<Tensor> raise(LayerValues v, Tensor r) {
        Node n = v.node();
        return Redistribution.apply(COMPOSITE.ruleFor(n, n.name().equals(inputConv)), v, r, (rr, z) -> audit(n, rr, z));
    }

    private void audit(Node n, Tensor r, Tensor z) {
        if (zeros == ZeroDenominators.SPREAD) {
            float[] share = new float[r.size()];
            for (int i = 0; i < share.length; i++) if (Division.vanishes(z.data()[i])) share[i] = r.data()[i];
            zeroShare = new Tensor(r.shape(), share);
        }
        double[] d = Division.droppedMass(r, z);
        double[] prev = dropped.get(n.name());
        if (prev != null) for (int i = 0; i < d.length; i++) d[i] += prev[i];
        dropped.put(n.name(), d);
    }
}
