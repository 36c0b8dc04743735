package dev.candela.explain.fgcam;

import dev.candela.explain.lrp.Lrp;
import dev.candela.graph.Graph;
import dev.candela.graph.Node;
import dev.candela.graph.Softmax;
import dev.candela.image.Resize;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.run.GradientRule;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The explanation components FG-CAM starts from: I_k = w_k A_k (per-channel weights) or I = W (.) A
 * (element-wise weights) at the CAM layer, not yet summed over channels. Gradient-based bases are
 * computed here with pytorch-grad-cam's formulas (target = raw logit); Score-CAM in the FG-CAM code's
 * variant; any other CAM method's channel weights (Ablation-CAM, LIFT-CAM, pytorch-grad-cam's Score-CAM)
 * plug in through {@link Base.ChannelWeights}.
 */
public final class BaseComponents {
    private BaseComponents() {}

    public sealed interface Base {
        /** alpha_k = mean_ij dy_c/dA_kij. */
        record GradCam() implements Base {}
        /** pytorch-grad-cam's Grad-CAM++ weights (eps 1e-6, a_ij = 0 where g = 0). */
        record GradCamPlusPlus() implements Base {}
        /** alpha_k = sum_ij g_kij A_kij / (sum_ij A_kij + 1e-7). */
        record XGradCam() implements Base {}
        /** Element-wise: I = ReLU(g) (.) A. */
        record LayerCam() implements Base {}
        /** Element-wise: I = g (.) A. */
        record HiResCam() implements Base {}
        /**
         * The FG-CAM code's Score-CAM: s_k = softmax(f(x (.) M_k))_c with M_k the bilinearly upsampled,
         * min-max normalised A_k (eps 1e-9 only where the channel max is 0); no baseline. A constant
         * non-zero channel (0/0, NaN in the original) gets an all-zero mask here.
         */
        record ScoreCamFg(int batch) implements Base {
            public ScoreCamFg {
                if (batch < 1) throw new IllegalArgumentException("Score-CAM batch must be >= 1");
            }
        }
        /** Weights computed elsewhere (any CAM method with channel coefficients): N x K. */
        record ChannelWeights(Tensor weights) implements Base {}
    }

    public static final List<String> NAMES = List.of("grad-cam", "grad-cam++", "xgrad-cam", "layer-cam", "hires-cam", "score-cam");

    public static Base named(String name) {
        return switch (name) {
            case "grad-cam" -> new Base.GradCam();
            case "grad-cam++" -> new Base.GradCamPlusPlus();
            case "xgrad-cam" -> new Base.XGradCam();
            case "layer-cam" -> new Base.LayerCam();
            case "hires-cam" -> new Base.HiResCam();
            case "score-cam" -> new Base.ScoreCamFg(8);
            default -> throw new IllegalArgumentException("unknown FG-CAM base '" + name + "'; built in: " + String.join(", ", NAMES)
                    + " (other CAM methods plug in through their channel weights)");
        };
    }

    /** Components at tensor {@code layer} (N x K x H x W) for one target class per item. */
    public static Tensor compute(Base base, Executor ex, Activations fwd, Tensor input, String layer, int[] classes) {
        Tensor a = fwd.get(layer);
        return switch (base) {
            case Base.GradCam g -> scaleChannels(a, gradCamWeights(gradient(ex, fwd, layer, classes)));
            case Base.GradCamPlusPlus g -> scaleChannels(a, gradCamPlusPlusWeights(a, gradient(ex, fwd, layer, classes)));
            case Base.XGradCam g -> scaleChannels(a, xGradCamWeights(a, gradient(ex, fwd, layer, classes)));
            case Base.LayerCam l -> {
                Tensor g = gradient(ex, fwd, layer, classes);
                float[] o = new float[a.size()];
                for (int i = 0; i < o.length; i++) o[i] = Math.max(g.data()[i], 0f) * a.data()[i];
                yield new Tensor(a.shape(), o);
            }
            case Base.HiResCam h -> {
                Tensor g = gradient(ex, fwd, layer, classes);
                float[] o = new float[a.size()];
                for (int i = 0; i < o.length; i++) o[i] = g.data()[i] * a.data()[i];
                yield new Tensor(a.shape(), o);
            }
            case Base.ScoreCamFg s -> scaleChannels(a, scoreCamFgWeights(ex, input, a, classes, s.batch()));
            case Base.ChannelWeights w -> scaleChannels(a, w.weights());
        };
    }

    /** dy_c/dA at {@code layer} (one-hot seed of 1 on each item's class, at the logits). */
    public static Tensor gradient(Executor ex, Activations fwd, String layer, int[] classes) {
        String from = Lrp.logits(ex.graph());
        Tensor logits = fwd.get(from);
        int n = logits.dim(0), k = logits.shape().itemSize();
        float[] seed = new float[logits.size()];
        for (int b = 0; b < n; b++) seed[b * k + classes[b]] = 1f;
        return ex.backward(fwd, from, new Tensor(logits.shape(), seed), Set.of(layer), GradientRule.INSTANCE).get(layer);
    }

    /** I_k = w_k A_k with w of shape N x K. */
    public static Tensor scaleChannels(Tensor a, Tensor w) {
        int n = a.dim(0), k = a.dim(1), hw = a.shape().itemSize() / k;
        if (w.size() != n * k) throw new IllegalArgumentException("channel weights " + w.shape() + " do not fit activations " + a.shape());
        float[] o = new float[a.size()];
        for (int b = 0; b < n; b++)
            for (int c = 0; c < k; c++) {
                float wk = w.data()[b * k + c];
                for (int i = 0; i < hw; i++) o[(b * k + c) * hw + i] = wk * a.data()[(b * k + c) * hw + i];
            }
        return new Tensor(a.shape(), o);
    }

    public static Tensor gradCamWeights(Tensor g) {
        int n = g.dim(0), k = g.dim(1), hw = g.shape().itemSize() / k;
        float[] w = new float[n * k];
        for (int i = 0; i < n * k; i++) {
            double s = 0;
            for (int j = 0; j < hw; j++) s += g.data()[i * hw + j];
            w[i] = (float) (s / hw);
        }
        return Tensor.of(w, n, k);
    }

    public static Tensor gradCamPlusPlusWeights(Tensor a, Tensor g) {
        int n = g.dim(0), k = g.dim(1), hw = g.shape().itemSize() / k;
        float[] w = new float[n * k];
        for (int i = 0; i < n * k; i++) {
            double sumA = 0, s = 0;
            for (int j = 0; j < hw; j++) sumA += a.data()[i * hw + j];
            for (int j = 0; j < hw; j++) {
                double gv = g.data()[i * hw + j];
                if (gv == 0) continue;
                double g2 = gv * gv, aij = g2 / (2 * g2 + sumA * g2 * gv + 1e-6);
                s += Math.max(gv, 0) * aij;
            }
            w[i] = (float) s;
        }
        return Tensor.of(w, n, k);
    }

    public static Tensor xGradCamWeights(Tensor a, Tensor g) {
        int n = g.dim(0), k = g.dim(1), hw = g.shape().itemSize() / k;
        float[] w = new float[n * k];
        for (int i = 0; i < n * k; i++) {
            double sumA = 0, s = 0;
            for (int j = 0; j < hw; j++) sumA += a.data()[i * hw + j];
            for (int j = 0; j < hw; j++) s += (double) g.data()[i * hw + j] * a.data()[i * hw + j] / (sumA + 1e-7);
            w[i] = (float) s;
        }
        return Tensor.of(w, n, k);
    }

    /** The FG-CAM code's Score-CAM weights (softmax probability of class c on x masked by each map). */
    public static Tensor scoreCamFgWeights(Executor ex, Tensor input, Tensor a, int[] classes, int batch) {
        int n = a.dim(0), k = a.dim(1), h = a.dim(2), w = a.dim(3);
        int c = input.dim(1), ih = input.dim(2), iw = input.dim(3), plane = ih * iw;
        float[] out = new float[n * k];
        for (int b = 0; b < n; b++) {
            float[] masks = Resize.bilinearPlanes(java.util.Arrays.copyOfRange(a.data(), b * k * h * w, (b + 1) * k * h * w), k, h, w, ih, iw, Resize.Mode.HALF_PIXEL);
            for (int ch = 0; ch < k; ch++) normaliseMask(masks, ch * plane, plane);
            batch = Math.min(batch, dev.candela.run.ForwardChecks.itemsWithin(ex.graph(), dev.candela.io.Limits.batchMemoryBytes()));
            for (int start = 0; start < k; start += batch) {
                int m = Math.min(batch, k - start);
                float[] xs = new float[m * c * plane];
                for (int j = 0; j < m; j++)
                    for (int cc = 0; cc < c; cc++)
                        for (int p = 0; p < plane; p++)
                            xs[(j * c + cc) * plane + p] = input.data()[(b * c + cc) * plane + p] * masks[(start + j) * plane + p];
                Tensor probs = probabilities(ex, new Tensor(Shape.of(m, c, ih, iw), xs));
                int classes0 = probs.shape().itemSize();
                for (int j = 0; j < m; j++) out[b * k + start + j] = probs.data()[j * classes0 + classes[b]];
            }
        }
        return Tensor.of(out, n, k);
    }

    private static void normaliseMask(float[] m, int off, int len) {
        float mn = Float.POSITIVE_INFINITY, mx = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + len; i++) {
            if (Float.isNaN(m[i])) m[i] = 0;
            else if (Float.isInfinite(m[i])) m[i] = m[i] > 0 ? Float.MAX_VALUE : -Float.MAX_VALUE;
            mn = Math.min(mn, m[i]);
            mx = Math.max(mx, m[i]);
        }
        float eps = mx == 0f ? 1e-9f : 0f;
        float den = mx - mn + eps;
        for (int i = off; i < off + len; i++) m[i] = den == 0f ? 0f : (m[i] - mn) / den;
    }

    /** Softmax probabilities of the model (its own output if it ends in Softmax). */
    static Tensor probabilities(Executor ex, Tensor x) {
        Graph g = ex.graph();
        Tensor out = ex.forward(x, Set.of()).output();
        Node last = g.producer(g.output());
        if (last != null && last.op() instanceof Softmax) return out;
        int n = out.dim(0), k = out.shape().itemSize();
        float[] p = new float[out.size()];
        for (int b = 0; b < n; b++) {
            double m = Double.NEGATIVE_INFINITY, s = 0;
            for (int j = 0; j < k; j++) m = Math.max(m, out.data()[b * k + j]);
            for (int j = 0; j < k; j++) s += Math.exp(out.data()[b * k + j] - m);
            for (int j = 0; j < k; j++) p[b * k + j] = (float) (Math.exp(out.data()[b * k + j] - m) / s);
        }
        return new Tensor(out.shape(), p);
    }

}
