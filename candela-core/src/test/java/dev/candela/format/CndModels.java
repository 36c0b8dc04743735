package dev.candela.format;

import dev.candela.graph.AvgPool2d;
import dev.candela.graph.ChannelAffine;
import dev.candela.graph.ElementAffine;
import dev.candela.graph.Clip;
import dev.candela.graph.GraphBuilder;
import dev.candela.graph.Identity;
import dev.candela.graph.LeakyRelu;
import dev.candela.graph.Lrn;
import dev.candela.graph.MaxPool2d;
import dev.candela.graph.Model;
import dev.candela.graph.Preprocessing;
import dev.candela.graph.Reshape;
import dev.candela.graph.Softmax;
import dev.candela.graph.Transpose;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.List;
import java.util.Map;

/** Small models for format tests: every op kind at least once, with awkward float values in the weights. */
final class CndModels {
    private CndModels() {}

    static Model everyOp(long seed) {
        GraphBuilder b = new GraphBuilder("image", Shape.of(3, 9, 8), seed);
        String x = b.conv("features/conv1", "image", 8, 3, 1, 1);
        x = b.batchNorm("features/bn1", x);
        x = b.add("features/affine", new ChannelAffine(b.uniform(0.5, 1.5, 8), b.randn(0.1, 8)), x);
        x = b.add("features/element-affine", new ElementAffine(b.uniform(0.5, 1.5, 8 * 9 * 8).reshape(8, 9, 8), b.randn(0.1, 8 * 9 * 8).reshape(8, 9, 8)), x);
        x = b.add("features/deconv", new dev.candela.graph.ConvTranspose2d(b.randn(0.1, 8 * 8 * 9).reshape(8, 8, 3, 3), b.randn(0.1, 8),
                new int[]{1, 1}, new int[]{1, 1, 1, 1}, new int[]{1, 1}, new int[2], 1), x);
        x = b.add("features/relu6", new Clip(0f, 6f), x);
        String y = b.add("features/leaky", new LeakyRelu(0.01f), x);
        x = b.add("features/lrn", new Lrn(5, 1e-4f, 0.75f, 1f), y);
        x = b.add("features/clip_inf", new Clip(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY), x);
        x = b.add("features/pool", new MaxPool2d(new int[]{3, 2}, new int[]{2, 2}, new int[]{1, 0, 1, 1}, new int[]{1, 1}, true), x);
        String dw = b.conv("features/dw", x, 8, 3, 1, 1, 8);
        x = b.sum("features/add", x, dw);
        x = b.add("features/shuffle_r", new Reshape(new int[]{2, 4, 5, 4}), x);
        x = b.add("features/shuffle_t", new Transpose(new int[]{0, 2, 1, 3, 4}), x);
        x = b.add("features/shuffle_b", new Reshape(new int[]{8, 5, 4}), x);
        String a = b.add("features/avg", new AvgPool2d(new int[]{2, 2}, new int[]{1, 1}, new int[]{0, 0, 1, 1}, false, false), x);
        x = b.concat("features/cat", a, a);
        x = b.add("features/id", new Identity(), x);
        x = b.globalAvgPool("gap", x);
        x = b.flatten("flat", x);
        x = b.linear("fc", x, 5);
        b.add("prob", new Softmax(1, true), x);
        Model m = b.build("prob");
        // Values JSON and decimal conversions get wrong: -0.0, subnormals, extremes.
        float[] w = m.graph().node("fc").op().parameters().get("bias").data();
        w[0] = -0.0f;
        w[1] = Float.MIN_VALUE;
        w[2] = -Float.MIN_VALUE; // (a NaN payload was here: the reader now refuses non-finite weights)
        w[3] = Float.MAX_VALUE;
        Preprocessing pre = new Preprocessing(256, true, new float[]{0.485f, 0.456f, 0.406f}, new float[]{0.229f, 0.224f, 0.225f}, 1, 0, "BGR");
        return new Model(m.graph(), pre, List.of("cat", "dog", "caf\u00e9", "\u732b", "x\"y"), Map.of("file", "every_op.onnx", "sha256", "00ff", "opset", "13"));
    }

    static Tensor input(Model m, int n, long seed) {
        Shape item = m.graph().inputItemShape();
        java.util.Random r = new java.util.Random(seed);
        float[] d = new float[n * item.size()];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        int[] dims = new int[item.rank() + 1];
        dims[0] = n;
        System.arraycopy(item.dims(), 0, dims, 1, item.rank());
        return Tensor.of(d, dims);
    }
}
