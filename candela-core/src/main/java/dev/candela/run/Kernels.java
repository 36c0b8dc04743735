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

    /**
     * The output of convolution {@code conv} on {@code x} followed by the element-wise ops {@code after}
     * (each taking the previous result; an {@link dev.candela.graph.Add} takes {@code residual} as its other
     * input), with the same bits as running them one by one. With {@code check}, null when any of the
     * intermediate values is NaN or infinite: the caller redoes the ops one by one to name the layer.
     */
    Tensor forwardFused(dev.candela.graph.Conv2d conv, Tensor x, List<Op> after, Tensor residual, boolean check);

    /** {@link #forwardFused}'s definition: the ops one after another with {@code kernels}' own forward. */
    static Tensor opByOp(Kernels kernels, dev.candela.graph.Conv2d conv, Tensor x, List<Op> after, Tensor residual, boolean check) {
        Tensor y = kernels.forward(conv, List.of(x));
        for (Op op : after) {
            if (check && ForwardChecks.firstNonFinite(y.data()) >= 0) return null;
            y = kernels.forward(op, op instanceof dev.candela.graph.Add ? List.of(y, residual) : List.of(y));
        }
        return check && ForwardChecks.firstNonFinite(y.data()) >= 0 ? null : y;
    }
}
