package dev.candela.explain.cam;

import dev.candela.graph.BatchNorm2d;
import dev.candela.graph.Conv2d;
import dev.candela.graph.Node;
import dev.candela.image.Resize;
import dev.candela.run.Activations;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * FullGrad (Srinivas &amp; Fleuret 2019) as pytorch-grad-cam computes it; ignores the chosen layer and uses
 * every Conv2d and BatchNorm2d output (bias b: the conv bias, or beta - mean gamma / sqrt(var + eps)):
 * map = sum_c mm(|x (.) dy/dx|_c) + sum_layers sum_k resize(mm(|b_k g_k|)), each plane min-max'ed
 * (eps 1e-7) and resized to the input (half-pixel); the pipeline then min-maxes the sum. Convolutions
 * whose bias is all zero contribute nothing (as layers without bias in PGC). Eigen smoothing is not applied.
 */
public record FullGrad() implements CamMethod {
    public String name() { return "full-grad"; }
    public boolean usesGradients() { return true; }
    public boolean usesLayer() { return false; }

    public Weights weights(LayerEvidence e) {
        Map<String, float[]> biases = new LinkedHashMap<>();
        for (Node n : e.graph().nodes()) {
            float[] b = switch (n.op()) {
                case Conv2d c -> c.bias().data();
                case BatchNorm2d bn -> bn.shift();
                default -> null;
            };
            if (b != null && e.graph().itemShape(n.output()).rank() == 3) biases.put(n.output(), b);
        }
        String input = e.graph().input();
        Set<String> to = new LinkedHashSet<>(biases.keySet());
        to.add(input);
        Activations fwd = e.forward();
        Map<String, Tensor> grads = e.gradientsAt(fwd, to);
        Tensor x = e.input();
        int r = x.dim(0), c = x.dim(1), outH = x.dim(2), outW = x.dim(3), plane = outH * outW;
        float[] out = new float[r * plane];
        float[] gx = grads.get(input).data();
        for (int n = 0; n < r; n++) {
            for (int ch = 0; ch < c; ch++) {
                float[] p = new float[plane];
                int off = (n * c + ch) * plane;
                for (int i = 0; i < plane; i++) p[i] = Math.abs(gx[off + i] * x.data()[off + i]);
                CamPipeline.minMax(p, 0, plane);
                for (int i = 0; i < plane; i++) out[n * plane + i] += p[i];
            }
        }
        // Resizing is linear, so the min-max'ed planes of one resolution are summed first and resized once:
        // one resize per distinct feature size instead of one per channel (ResNet-50 has ~26 000 bias
        // channels; resizing each to the input was most of the method's time). Only the float rounding of
        // the sum differs from resizing plane by plane.
        Map<Long, float[]> sums = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> b : biases.entrySet()) {
            Tensor g = grads.get(b.getKey());
            int k = g.dim(1), h = g.dim(2), w = g.dim(3), hw = h * w;
            float[] sum = sums.computeIfAbsent(((long) h << 32) | w, key -> new float[r * hw]);
            float[] p = new float[hw];
            for (int n = 0; n < r; n++) {
                for (int ch = 0; ch < k; ch++) {
                    float bias = b.getValue()[ch];
                    int off = (n * k + ch) * hw;
                    for (int i = 0; i < hw; i++) p[i] = Math.abs(bias * g.data()[off + i]);
                    CamPipeline.minMax(p, 0, hw);
                    for (int i = 0; i < hw; i++) sum[n * hw + i] += p[i];
                }
            }
        }
        for (Map.Entry<Long, float[]> s : sums.entrySet()) {
            int h = (int) (s.getKey() >>> 32), w = (int) (long) s.getKey(), hw = h * w;
            for (int n = 0; n < r; n++) {
                float[] p = java.util.Arrays.copyOfRange(s.getValue(), n * hw, (n + 1) * hw);
                float[] u = h == outH && w == outW ? p : Resize.bilinear(p, h, w, outH, outW, Resize.Mode.HALF_PIXEL);
                for (int i = 0; i < plane; i++) out[n * plane + i] += u[i];
            }
        }
        return new Weights.FinalMap(new Tensor(Shape.of(r, outH, outW), out), null);
    }
}
