package dev.candela.graph;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * 2-D convolution (cross-correlation, like ONNX Conv / PyTorch Conv2d).
 *
 * @param weight    [outC, inC/groups, kh, kw]
 * @param bias      [outC] (zeros when the source had none)
 * @param strides   {sy, sx}
 * @param pads      {top, left, bottom, right}
 * @param dilations {dy, dx}
 */
public record Conv2d(Tensor weight, Tensor bias, int[] strides, int[] pads, int[] dilations, int groups) implements Op {
    public Conv2d {
        Op.require(weight.rank() == 4, "Conv2d weight must be rank 4 [outC, inC/groups, kh, kw], got " + weight.shape());
        Op.require(groups >= 1 && weight.dim(0) % groups == 0, "Conv2d groups " + groups + " must divide output channels " + weight.dim(0));
        Op.require(bias.rank() == 1 && bias.dim(0) == weight.dim(0), "Conv2d bias must be [" + weight.dim(0) + "], got " + bias.shape());
        Op.require(strides.length == 2 && strides[0] >= 1 && strides[1] >= 1, "Conv2d strides must be 2 positive ints");
        Op.require(pads.length == 4 && pads[0] >= 0 && pads[1] >= 0 && pads[2] >= 0 && pads[3] >= 0, "Conv2d pads must be 4 non-negative ints {top,left,bottom,right}");
        Op.require(dilations.length == 2 && dilations[0] >= 1 && dilations[1] >= 1, "Conv2d dilations must be 2 positive ints");
    }

    public int outChannels() { return weight.dim(0); }
    public int inChannels() { return weight.dim(1) * groups; }
    public int kernelH() { return weight.dim(2); }
    public int kernelW() { return weight.dim(3); }
    public boolean isDepthwise() { return groups > 1 && groups == inChannels() && weight.dim(1) == 1; }

    public int outH(int h) { return PoolGeometry.convOut(h, kernelH(), strides[0], pads[0], pads[2], dilations[0]); }
    public int outW(int w) { return PoolGeometry.convOut(w, kernelW(), strides[1], pads[1], pads[3], dilations[1]); }

    @Override public Shape outputShape(List<Shape> in) {
        Shape s = Op.only(in, 4, "Conv2d");
        Op.require(s.dim(1) == inChannels(), "Conv2d expects " + inChannels() + " input channels, got " + s);
        int oh = outH(s.dim(2)), ow = outW(s.dim(3));
        Op.require(oh >= 1 && ow >= 1, "Conv2d output would be empty for input " + s);
        return Shape.of(s.dim(0), outChannels(), oh, ow);
    }

    @Override public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("weight", weight);
        m.put("bias", bias);
        return m;
    }

    @Override public long multiplyAdds(List<Shape> in) {
        Shape o = outputShape(in);
        return (long) o.itemSize() * weight.dim(1) * kernelH() * kernelW();
    }
}
