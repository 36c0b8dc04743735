package dev.candela.explain.lrp;

import dev.candela.graph.Conv2d;
import dev.candela.graph.Graph;
import dev.candela.graph.Node;
import dev.candela.run.LayerValues;
import dev.candela.run.Rule;
import dev.candela.tensor.Tensor;
import java.util.List;

/** The executor's backward {@link Rule} for LRP: each node gets its composite's rule. */
public final class LrpRule implements Rule {
    private final Composite composite;
    private final String firstConv;

    public LrpRule(Graph graph, Composite composite) {
        this.composite = composite;
        this.firstConv = firstConv(graph);
    }

    /** Name of the first Conv2d node in graph order (zennit's first-layer notion), or null. */
    public static String firstConv(Graph graph) {
        for (Node n : graph.nodes()) if (n.op() instanceof Conv2d) return n.name();
        return null;
    }

    public Composite composite() { return composite; }

    @Override public List<Tensor> propagate(LayerValues values, Tensor atOutput) {
        Node n = values.node();
        return Redistribution.apply(composite.ruleFor(n, n.name().equals(firstConv)), values, atOutput);
    }
}
