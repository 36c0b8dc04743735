package dev.candela.explain.shapley;

import dev.candela.image.Resize;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.run.GradientRule;
import dev.candela.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The channel coefficients of the CAM methods the Shapley audit compares against, by their standard
 * definitions (lift-cam.md 5.5, pytorch-grad-cam conventions), for one item and a target-weight row.
 */
public final class BaselineCoefficients {
    private BaselineCoefficients() {}

    /** Grad-CAM: alpha_k = mean_ij dY/dA^k_ij. */
    public static double[] gradCam(Executor ex, Tensor input, String layer, Tensor target) {
        Activations fwd = ex.forward(input);
        Tensor out = fwd.output();
        Tensor g = ex.backward(fwd, ex.graph().output(), target.reshape(out.shape()), Set.of(layer), GradientRule.INSTANCE).get(layer);
        int k = g.dim(1), hw = g.shape().itemSize() / k;
        double[] a = new double[k];
        for (int c = 0; c < k; c++) {
            double s = 0;
            for (int i = 0; i < hw; i++) s += g.data()[c * hw + i];
            a[c] = s / hw;
        }
        return a;
    }

    /** Ablation-CAM: alpha_k = (Y - Y with map k zeroed) / Y, the head re-run with one map zeroed at a time. */
    public static double[] ablationCam(Executor ex, Tensor a, String layer, Tensor target, int batch) {
        int k = a.dim(1), per = a.shape().itemSize() / k;
        double y = score(ex.forwardFrom(Map.of(layer, a), Set.of()).output(), target)[0];
        double[] alpha = new double[k];
        for (int start = 0; start < k; start += batch) {
            int len = Math.min(batch, k - start);
            float[] buf = new float[len * a.size()];
            for (int i = 0; i < len; i++) {
                System.arraycopy(a.data(), 0, buf, i * a.size(), a.size());
                java.util.Arrays.fill(buf, i * a.size() + (start + i) * per, i * a.size() + (start + i + 1) * per, 0f);
            }
            double[] s = score(ex.forwardFrom(Map.of(layer, new Tensor(a.shape().withDim(0, len), buf)), Set.of()).output(), target);
            for (int i = 0; i < len; i++) alpha[start + i] = (y - s[i]) / y;
        }
        return alpha;
    }

    /**
     * Score-CAM as pytorch-grad-cam computes it: each map upsampled (align-corners bilinear) to the
     * input, min-max normalised (eps 1e-8), multiplied into the input; the target scores of those
     * inputs, softmaxed over the channels.
     */
    public static double[] scoreCam(Executor ex, Tensor input, String layer, Tensor target, int batch) {
        Tensor a = ex.forward(input, Set.of(layer)).get(layer);
        int k = a.dim(1), h = a.dim(2), w = a.dim(3), c = input.dim(1), H = input.dim(2), W = input.dim(3);
        float[] up = Resize.bilinearPlanes(a.data(), k, h, w, H, W, Resize.Mode.ALIGN_CORNERS);
        double[] scores = new double[k];
        for (int start = 0; start < k; start += batch) {
            int len = Math.min(batch, k - start);
            float[] buf = new float[len * c * H * W];
            for (int i = 0; i < len; i++) {
                int ch = start + i;
                float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
                for (int p = 0; p < H * W; p++) { lo = Math.min(lo, up[ch * H * W + p]); hi = Math.max(hi, up[ch * H * W + p]); }
                for (int cc = 0; cc < c; cc++)
                    for (int p = 0; p < H * W; p++) {
                        float mask = (up[ch * H * W + p] - lo) / (hi - lo + 1e-8f);
                        buf[((i * c) + cc) * H * W + p] = input.data()[cc * H * W + p] * mask;
                    }
            }
            double[] s = score(ex.forward(new Tensor(input.shape().withDim(0, len), buf), Set.of()).output(), target);
            System.arraycopy(s, 0, scores, start, len);
        }
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double s : scores) max = Math.max(max, s);
        double[] alpha = new double[k];
        for (int i = 0; i < k; i++) sum += alpha[i] = Math.exp(scores[i] - max);
        for (int i = 0; i < k; i++) alpha[i] /= sum;
        return alpha;
    }

    static double[] score(Tensor out, Tensor target) {
        int n = out.dim(0), c = out.shape().itemSize();
        double[] s = new double[n];
        for (int i = 0; i < n; i++) for (int j = 0; j < c; j++) s[i] += (double) target.data()[j] * out.data()[i * c + j];
        return s;
    }

    static List<String> names() { return List.of("grad-cam", "ablation-cam", "score-cam"); }
}
