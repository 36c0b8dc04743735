package dev.candela.run;

import dev.candela.graph.Op;
import dev.candela.tensor.Tensor;
import java.util.List;

/**
 * How ops are computed. {@link ReferenceKernels} is the plain scalar definition (double accumulation);
 * {@link FastKernels} is the Vector API + fork-join implementation. Tests compare the two on random shapes.
 */
public sealed interface Kernels permits ReferenceKernels, FastKernels {

    /** Output of {@code op} for the given inputs (batch first). */
    Tensor forward(Op op, List<Tensor> inputs);

    /**
     * Gradient of a scalar with respect to each input, given its gradient {@code gradOutput} with
     * respect to the output. {@code output} is the forward result for {@code inputs}.
     */
    List<Tensor> inputGradients(Op op, List<Tensor> inputs, Tensor output, Tensor gradOutput);
}
