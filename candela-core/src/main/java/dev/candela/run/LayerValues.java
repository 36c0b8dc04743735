package dev.candela.run;

import dev.candela.graph.Node;
import dev.candela.tensor.Tensor;
import java.util.List;

/**
 * What a backward rule may look at for one node: its forward inputs and output (for DeepLIFT the batch
 * holds the actual inputs in its first half and the references in its second half) and the kernels.
 */
public record LayerValues(Node node, List<Tensor> inputs, Tensor output, Kernels kernels) {}
