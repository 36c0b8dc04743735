package dev.candela.run;

import dev.candela.graph.Node;
import dev.candela.tensor.Tensor;
import java.util.List;

/** Sees every node a forward pass computes (activation hooks, traces). */
@FunctionalInterface
public interface ForwardListener {
    void onNode(Node node, List<Tensor> inputs, Tensor output);
}
