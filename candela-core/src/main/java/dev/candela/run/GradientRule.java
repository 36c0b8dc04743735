package dev.candela.run;

import dev.candela.tensor.Tensor;
import java.util.List;

/** Ordinary reverse-mode differentiation. */
public final class GradientRule implements Rule {
    public static final GradientRule INSTANCE = new GradientRule();

    @Override public List<Tensor> propagate(LayerValues v, Tensor atOutput) {
        return v.kernels().inputGradients(v.node().op(), v.inputs(), v.output(), atOutput);
    }
}
