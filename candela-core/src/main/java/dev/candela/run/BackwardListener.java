package dev.candela.run;

import dev.candela.tensor.Tensor;
import java.util.List;

/** Sees every node a backward traversal passes through (for hooks, DeepLIFT audit and traces). */
@FunctionalInterface
public interface BackwardListener {
    void onNode(LayerValues values, Tensor atOutput, List<Tensor> atInputs);
}
