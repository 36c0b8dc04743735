package dev.candela.explain.lrp;

import dev.candela.graph.Graph;
import dev.candela.graph.Node;
import dev.candela.graph.Softmax;
import dev.candela.run.Activations;
import dev.candela.run.BackwardListener;
import dev.candela.run.Executor;
import dev.candela.tensor.Tensor;
import dev.candela.explain.Objective;
import dev.candela.explain.ResolvedTarget;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Layer-wise relevance propagation: the relevance of logit y_c (seeded with the value y_c on class c and
 * 0 elsewhere, Captum's convention, so the input relevance sums to about y_c where a rule conserves) is
 * walked back through the graph with a {@link Composite}'s rules.
 */
public final class Lrp {
    private final Executor executor;
    private final Composite composite;

    /** @param executor runs the model to explain (merge batch norm first with {@link BatchNormMerge} if wanted) */
    public Lrp(Executor executor, Composite composite) {
        this.executor = executor;
        this.composite = composite;
    }

    /** The tensor LRP starts from: the logits (the input of a final Softmax, if the graph ends in one). */
    public static String logits(Graph g) {
        Node last = g.producer(g.output());
        return last != null && last.op() instanceof Softmax ? last.inputs().get(0) : g.output();
    }

    /** Relevance at the input (N x C x H x W), one target class per batch item. */
    public Tensor attribute(Tensor input, int[] classes) {
        Activations fwd = executor.forward(input);
        return relevanceAt(fwd, classes, executor.graph().input(), null);
    }

    /** Relevance at tensor {@code layer}, from a forward pass that kept every activation. */
    public Tensor relevanceAt(Activations fwd, int[] classes, String layer, BackwardListener listener) {
        return relevance(fwd, seed(fwd.get(logits(executor.graph())), classes), layer, listener);
    }

    /** Relevance at tensor {@code layer} for a given relevance on the logits (same shape as the logits). */
    public Tensor relevance(Activations fwd, Tensor seed, String layer, BackwardListener listener) {
        String from = logits(executor.graph());
        Map<String, Tensor> r = executor.backward(fwd, from, seed, Set.of(layer), new LrpRule(executor.graph(), composite), listener);
        return r.get(layer);
    }

    /**
     * The relevance seed of resolved targets: target r's logit weights times its logits (a class target puts
     * y_c on class c; a weighted target w puts w_j y_j on each class). LRP explains logits, not probabilities.
     */
    public static Tensor seed(List<ResolvedTarget> targets, Tensor logits) {
        int classes = logits.shape().itemSize();
        if (logits.dim(0) != targets.size()) throw new IllegalArgumentException("got " + targets.size() + " targets for " + logits.dim(0) + " rows of logits");
        float[] s = new float[logits.size()];
        for (int r = 0; r < targets.size(); r++) {
            Objective o = targets.get(r).objective();
            if (o instanceof Objective.Logit l) {
                s[r * classes + l.classIndex()] = logits.data()[r * classes + l.classIndex()];
                continue;
            }
            double[] w = o.logitWeights(classes, "LRP", targets.get(r).description());
            for (int j = 0; j < classes; j++) s[r * classes + j] = (float) (w[j] * logits.data()[r * classes + j]);
        }
        return new Tensor(logits.shape(), s);
    }

    /** y_c on class c for each item, 0 elsewhere. */
    public static Tensor seed(Tensor logits, int[] classes) {
        int n = logits.dim(0), k = logits.shape().itemSize();
        if (classes.length != n) throw new IllegalArgumentException("got " + classes.length + " target classes for a batch of " + n);
        float[] s = new float[logits.size()];
        for (int b = 0; b < n; b++) {
            if (classes[b] < 0 || classes[b] >= k) throw new IllegalArgumentException("target class " + classes[b] + " out of range 0.." + (k - 1));
            s[b * k + classes[b]] = logits.data()[b * k + classes[b]];
        }
        return new Tensor(logits.shape(), s);
    }
}
