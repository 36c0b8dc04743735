package dev.candela.graph;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * 2-D transposed convolution (ONNX ConvTranspose, PyTorch ConvTranspose2d): the input-gradient map of the
 * {@link Conv2d} with the same weight, strides, pads and dilations, plus a bias. Each input pixel scatters
 * its kernel-weighted values into the output; {@code pads} are cut from the full output and
 * {@code outputPadding} rows and columns are added at the bottom and right.
 *
 * @param weight        [inC, outC/groups, kh, kw] (the ONNX and PyTorch layout)
 * @param bias          [outC] (zeros when the source had none)
 * @param strides       {sy, sx}
 * @param pads          {top, left, bottom, right}
 * @param dilations     {dy, dx}
 * @param outputPadding {oy, ox}, each below its stride
 */
public record ConvTranspose2d(Tensor weight, Tensor bias, int[] strides, int[] pads, int[] dilations, int[] outputPadding, int groups) implements Op {
    public ConvTranspose2d {
        Op.require(weight.rank() == 4, "ConvTranspose2d weight must be rank 4 [inC, outC/groups, kh, kw], got " + weight.shape());
        Op.require(groups >= 1 && weight.dim(0) % groups == 0, "ConvTranspose2d groups " + groups + " must divide input channels " + weight.dim(0));
        Op.require(bias.rank() == 1 && bias.dim(0) == weight.dim(1) * groups, "ConvTranspose2d bias must be [" + weight.dim(1) * groups + "], got " + bias.shape());
        Op.require(strides.length == 2 && strides[0] >= 1 && strides[1] >= 1, "ConvTranspose2d strides must be 2 positive ints");
        Op.require(pads.length == 4 && pads[0] >= 0 && pads[1] >= 0 && pads[2] >= 0 && pads[3] >= 0, "ConvTranspose2d pads must be 4 non-negative ints {top,left,bottom,right}");
        Op.require(dilations.length == 2 && dilations[0] >= 1 && dilations[1] >= 1, "ConvTranspose2d dilations must be 2 positive ints");
        Op.require(outputPadding.length == 2 && outputPadding[0] >= 0 && outputPadding[1] >= 0 && outputPadding[0] < strides[0] && outputPadding[1] < strides[1],
                "ConvTranspose2d output padding must be 2 ints from 0 to below the strides");
    }

    public int inChannels() { return weight.dim(0); }
    public int outChannels() { return weight.dim(1) * groups; }
    public int kernelH() { return weight.dim(2); }
    public int kernelW() { return weight.dim(3); }

    /** Output size along one axis: s (n - 1) + outputPadding + (k - 1) d + 1 - padBegin - padEnd (long: no overflow). */
    public static long outSize(int n, int k, int s, int d, int op, int p0, int p1) {
        return (long) s * (n - 1) + op + (long) (k - 1) * d + 1 - p0 - p1;
    }

    public int outH(int h) { return Math.toIntExact(Math.max(0, outSize(h, kernelH(), strides[0], dilations[0], outputPadding[0], pads[0], pads[2]))); }
    public int outW(int w) { return Math.toIntExact(Math.max(0, outSize(w, kernelW(), strides[1], dilations[1], outputPadding[1], pads[1], pads[3]))); }

    /**
     * The convolution whose input gradient this is (bias zero): it maps this op's output shape back to its
     * input shape. The same instance each time, so the kernels' packed-weight caches (keyed by the op) hit.
     */
    public Conv2d asConvolution() {
        return CONVOLUTIONS.computeIfAbsent(this, t -> new Conv2d(t.weight, Tensor.zeros(t.inChannels()), t.strides, t.pads, t.dilations, t.groups));
    }

    private static final Map<ConvTranspose2d, Conv2d> CONVOLUTIONS = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    @Override public Shape outputShape(List<Shape> in) {
        Shape s = Op.only(in, 4, "ConvTranspose2d");
        Op.require(s.dim(1) == inChannels(), "ConvTranspose2d expects " + inChannels() + " input channels, got " + s);
        long oh = outSize(s.dim(2), kernelH(), strides[0], dilations[0], outputPadding[0], pads[0], pads[2]);
        long ow = outSize(s.dim(3), kernelW(), strides[1], dilations[1], outputPadding[1], pads[1], pads[3]);
        // each factor is bounded before the product, so it cannot wrap
        Op.require(oh >= 1 && ow >= 1 && oh <= Integer.MAX_VALUE && ow <= Integer.MAX_VALUE
                && oh * ow <= Integer.MAX_VALUE / outChannels(), "ConvTranspose2d output " + outChannels() + "x" + oh + "x" + ow + " does not fit for input " + s);
        return Shape.of(s.dim(0), outChannels(), (int) oh, (int) ow);
    }

    @Override public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("weight", weight);
        m.put("bias", bias);
        return m;
    }

    @Override public long multiplyAdds(List<Shape> in) {
        return (long) in.get(0).itemSize() * weight.dim(1) * kernelH() * kernelW();
    }
}
