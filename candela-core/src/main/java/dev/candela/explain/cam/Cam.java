package dev.candela.explain.cam;

import dev.candela.explain.Objective;
import dev.candela.graph.AvgPool2d;
import dev.candela.graph.Conv2d;
import dev.candela.graph.Flatten;
import dev.candela.graph.GlobalAvgPool;
import dev.candela.graph.Graph;
import dev.candela.graph.Identity;
import dev.candela.graph.Linear;
import dev.candela.graph.Node;
import dev.candela.graph.Reshape;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.List;

/**
 * CAM (Zhou et al. 2016): w_k = W_fc[c, k] of the linear classifier that follows global average pooling
 * of the layer (bias ignored). Only defined when the layer feeds GAP -> (flatten) -> linear (or a 1x1
 * conv on the pooled map); otherwise an error names what was found. For a weighted-logit target the
 * weights combine the rows of W_fc with the same weights; for a softmax target the class row is used.
 */
public record Cam() implements CamMethod {
    public String name() { return "cam"; }

    public Weights weights(LayerEvidence e) {
        float[][] fc = classifier(e.graph(), e.layer());
        int r = e.rows(), k = fc[0].length;
        float[] w = new float[r * k];
        for (int n = 0; n < r; n++) {
            Objective o = e.targets().get(n).objective();
            switch (o) {
                case Objective.Logit l -> System.arraycopy(fc[l.classIndex()], 0, w, n * k, k);
                case Objective.Probability p -> System.arraycopy(fc[p.classIndex()], 0, w, n * k, k);
                case Objective.Weighted wt -> {
                    for (int c = 0; c < wt.weights().length; c++) {
                        double s = wt.weights()[c];
                        if (s != 0) for (int j = 0; j < k; j++) w[n * k + j] += (float) (s * fc[c][j]);
                    }
                }
            }
        }
        return new Weights.PerChannel(new Tensor(Shape.of(r, k), w));
    }

    /** The classifier weight matrix [classes][K] after GAP of {@code layer}. */
    static float[][] classifier(Graph g, String layer) {
        Node pool = only(g, layer, "CAM needs the layer to feed a global average pooling");
        boolean gap = switch (pool.op()) {
            case GlobalAvgPool p -> true;
            case AvgPool2d p -> g.itemShape(pool.output()).dim(1) == 1 && g.itemShape(pool.output()).dim(2) == 1;
            default -> false;
        };
        if (!gap) throw new IllegalArgumentException("CAM needs layer '" + layer + "' to feed a global average pooling, found " + pool.op().kind() + " (" + pool.name() + ")");
        Node n = only(g, pool.output(), "CAM needs a linear classifier after the pooling");
        while (n.op() instanceof Flatten || n.op() instanceof Reshape || n.op() instanceof Identity) {
            n = only(g, n.output(), "CAM needs a linear classifier after the pooling");
        }
        Tensor w = switch (n.op()) {
            case Linear l -> l.weight();
            case Conv2d c when c.kernelH() == 1 && c.kernelW() == 1 && c.groups() == 1 -> c.weight().reshape(c.outChannels(), c.inChannels());
            default -> throw new IllegalArgumentException("CAM needs a linear classifier after the pooling of '" + layer + "', found " + n.op().kind() + " (" + n.name() + ")");
        };
        int classes = w.dim(0), k = w.dim(1);
        float[][] out = new float[classes][k];
        for (int c = 0; c < classes; c++) System.arraycopy(w.data(), c * k, out[c], 0, k);
        return out;
    }

    private static Node only(Graph g, String tensor, String why) {
        List<Node> cs = g.consumers(tensor);
        if (cs.size() != 1) throw new IllegalArgumentException(why + ": tensor '" + tensor + "' has " + cs.size() + " consumers");
        return cs.get(0);
    }
}
