package dev.candela.explain.attribution;

import dev.candela.graph.Clip;
import dev.candela.graph.Op;
import dev.candela.graph.Relu;
import dev.candela.run.LayerValues;
import dev.candela.run.Rule;
import dev.candela.tensor.Tensor;
import java.util.List;

/**
 * Guided Backpropagation (Springenberg et al. 2015): a ReLU passes the gradient only where its input
 * is positive AND the incoming gradient is positive (Captum: relu of the ReLU's input gradient). ReLU6
 * (Clip with min 0) is treated the same way inside (0, max); every other op uses its gradient.
 */
public final class GuidedBackpropRule implements Rule {
    public static final GuidedBackpropRule INSTANCE = new GuidedBackpropRule();

    @Override public List<Tensor> propagate(LayerValues v, Tensor g) {
        Op op = v.node().op();
        return switch (op) {
            case Relu r -> List.of(guided(v.inputs().get(0), g, 0, Float.POSITIVE_INFINITY));
            case Clip c when c.min() == 0 -> List.of(guided(v.inputs().get(0), g, 0, c.max()));
            default -> v.kernels().inputGradients(op, v.inputs(), v.output(), g);
        };
    }

    private static Tensor guided(Tensor x, Tensor g, float lo, float hi) {
        float[] xd = x.data(), gd = g.data(), out = new float[gd.length];
        for (int i = 0; i < out.length; i++) out[i] = xd[i] > lo && xd[i] < hi && gd[i] > 0 ? gd[i] : 0f;
        return new Tensor(g.shape(), out);
    }
}
