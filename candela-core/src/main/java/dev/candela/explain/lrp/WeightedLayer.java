package dev.candela.explain.lrp;

import dev.candela.graph.BatchNorm2d;
import dev.candela.graph.ChannelAffine;
import dev.candela.graph.Conv2d;
import dev.candela.graph.ConvTranspose2d;
import dev.candela.graph.Linear;
import dev.candela.graph.Op;
import dev.candela.run.Kernels;
import dev.candela.tensor.Tensor;
import java.util.List;

/**
 * A layer that is affine in its input, y = f(x; W, b): Conv2d, ConvTranspose2d, Linear, and per-channel affine layers
 * (BatchNorm2d in inference, ChannelAffine). LRP rules re-run it with modified parameters and take the
 * transposed map; both go through the executor's kernels so fast and reference kernels give the same rule.
 */
public record WeightedLayer(Op op, Tensor weight, Tensor bias) {

    public static boolean isWeighted(Op op) {
        return switch (op) {
            case Conv2d c -> true;
            case ConvTranspose2d c -> true;
            case Linear l -> true;
            case BatchNorm2d b -> true;
            case ChannelAffine a -> true;
            default -> false;
        };
    }

    public static WeightedLayer of(Op op) {
        return switch (op) {
            case Conv2d c -> new WeightedLayer(c, c.weight(), c.bias());
            case ConvTranspose2d c -> new WeightedLayer(c, c.weight(), c.bias());
            case Linear l -> new WeightedLayer(l, l.weight(), l.bias());
            case BatchNorm2d b -> new WeightedLayer(b, Tensor.of(b.scale(), b.channels()), Tensor.of(b.shift(), b.channels()));
            case ChannelAffine a -> new WeightedLayer(a, a.scale(), a.shift());
            default -> throw new IllegalArgumentException(op.kind() + " is not a weighted (affine) layer");
        };
    }

    /** The same layer with parameters replaced. */
    public Op with(Tensor w, Tensor b) {
        return switch (op) {
            case Conv2d c -> new Conv2d(w, b, c.strides(), c.pads(), c.dilations(), c.groups());
            case ConvTranspose2d c -> new ConvTranspose2d(w, b, c.strides(), c.pads(), c.dilations(), c.outputPadding(), c.groups());
            case Linear l -> new Linear(w, b);
            case BatchNorm2d bn -> new ChannelAffine(w, b);
            case ChannelAffine a -> new ChannelAffine(w, b);
            default -> throw new IllegalStateException();
        };
    }

    public Tensor zeroBias() { return Tensor.zeros(bias.shape()); }

    /** f(x; w, b). */
    public Tensor forward(Kernels k, Tensor x, Tensor w, Tensor b) {
        return k.forward(with(w, b), List.of(x));
    }

    /** The transposed linear map of f(.; w) applied to s, giving a tensor shaped like x (bias plays no part). */
    public Tensor transpose(Kernels k, Tensor x, Tensor w, Tensor s) {
        return k.inputGradients(with(w, zeroBias()), List.of(x), s, s).get(0);
    }
}
