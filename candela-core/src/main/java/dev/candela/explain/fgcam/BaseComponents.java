package dev.candela.explain.fgcam;

import dev.candela.explain.Objective;
import dev.candela.explain.ResolvedTarget;
import dev.candela.explain.cam.CamOptions;
import dev.candela.explain.cam.LayerEvidence;
import dev.candela.explain.cam.Weights;
import dev.candela.graph.Graph;
import dev.candela.graph.Node;
import dev.candela.graph.Softmax;
import dev.candela.image.Resize;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.tensor.Reductions;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The explanation components FG-CAM starts from: I_k = w_k A_k (per-channel weights) or I = W (.) A
 * (element-wise weights) at the CAM layer, not yet summed over channels. The weights come from the CAM
 * registry's own methods (the same code {@code --method grad-cam} runs; target = raw logit), or from the
 * FG-CAM code's Score-CAM variant, which has no twin in the registry; any other weights plug in through
 * {@link Base.ChannelWeights}.
 */
public final class BaseComponents {
    private BaseComponents() {}

    public sealed interface Base {
        /** Registry grad-cam: alpha_k = mean_ij dy_c/dA_kij. */
        record GradCam() implements Base {}
        /** Registry grad-cam++ (pytorch-grad-cam's weights, eps 1e-6, a_ij = 0 where g = 0). */
        record GradCamPlusPlus() implements Base {}
        /** Registry xgrad-cam: alpha_k = sum_ij g_kij A_kij / (sum_ij A_kij + 1e-7). */
        record XGradCam() implements Base {}
        /** Registry layer-cam, element-wise: I = ReLU(g) (.) A. */
        record LayerCam() implements Base {}
        /** Registry hires-cam, element-wise: I = g (.) A. */
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

    /** Components at tensor {@code layer} (N x K x H x W) for one target class (raw logit) per item. */
    public static Tensor compute(Base base, Executor ex, Activations fwd, Tensor input, String layer, int[] classes) {
        Tensor a = fwd.get(layer);
        return switch (base) {
            case Base.GradCam g -> registry(new dev.candela.explain.cam.GradCam(), ex, fwd, input, layer, classes);
            case Base.GradCamPlusPlus g -> registry(new dev.candela.explain.cam.GradCamPlusPlus(), ex, fwd, input, layer, classes);
            case Base.XGradCam g -> registry(new dev.candela.explain.cam.XGradCam(), ex, fwd, input, layer, classes);
            case Base.LayerCam l -> registry(new dev.candela.explain.cam.LayerCam(), ex, fwd, input, layer, classes);
            case Base.HiResCam h -> registry(new dev.candela.explain.cam.HiResCam(), ex, fwd, input, layer, classes);
            case Base.ScoreCamFg s -> scaleChannels(a, scoreCamFgWeights(ex, input, a, classes, s.batch()));
            case Base.ChannelWeights w -> scaleChannels(a, w.weights());
        };
    }

    /** The components of a registry method's weights for the given rows. */
    private static Tensor registry(dev.candela.explain.cam.CamMethod method, Executor ex, Activations fwd, Tensor input, String layer, int[] classes) {
        List<ResolvedTarget> targets = new ArrayList<>();
        for (int b = 0; b < classes.length; b++) targets.add(new ResolvedTarget(b, new Objective.Logit(classes[b]), "class " + classes[b]));
        LayerEvidence e = new LayerEvidence(ex, fwd, new dev.candela.graph.LayerNames(ex.graph()).ofTensor(layer), input, targets, CamOptions.defaults());
        return components(method.weights(e), e.activations(), method.name());
    }

    /** I_k = w_k A_k (per-channel weights) or I = W (.) A (element-wise); other weights have no components. */
    public static Tensor components(Weights w, Tensor a, String method) {
        return switch (w) {
            case Weights.PerChannel p -> scaleChannels(a, p.coefficients());
            case Weights.PerElement p -> Reductions.times(p.weights(), a);
            case Weights.RawMap m -> throw new IllegalArgumentException("FG-CAM base '" + method + "' has no per-channel components (it makes its own map)");
            case Weights.FinalMap m -> throw new IllegalArgumentException("FG-CAM base '" + method + "' has no per-channel components (it makes its own map)");
            case Weights.Audited au -> components(au.weights(), a, method);
        };
    }

    /** I_k = w_k A_k with w of shape N x K. */
    public static Tensor scaleChannels(Tensor a, Tensor w) { return Reductions.scaleChannels(a, w); }

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
