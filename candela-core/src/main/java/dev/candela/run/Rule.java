package dev.candela.run;

import dev.candela.tensor.Tensor;
import java.util.List;

/**
 * One local step of a backward traversal: maps a quantity defined on a node's output (gradient,
 * DeepLIFT multiplier, LRP relevance, FG-CAM component) to one on each of its inputs.
 */
@FunctionalInterface
public interface Rule {
    List<Tensor> propagate(LayerValues values, Tensor atOutput);
}
