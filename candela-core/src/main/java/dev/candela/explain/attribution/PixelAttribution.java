package dev.candela.explain.attribution;

import dev.candela.explain.display.DisplayMap;
import dev.candela.image.Resize;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.run.GradientRule;
import dev.candela.run.Rule;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Signed attributions at the model input (N x C x H x W) for a target given as weights over the
 * outputs ([N or 1, outputs]). Each method is a small record of its settings.
 */
public sealed interface PixelAttribution {

    /** CLI name. */
    String name();

    Tensor attribute(Executor ex, Tensor input, Tensor targetWeights);

    /**
     * How the attributions become the [0,1] map: methods whose attributions sum to the score change
     * (gradient x input, DeepLIFT, Integrated Gradients) keep their sign (signed channel sum, so the most
     * positive evidence ranks first); gradient-like saliency (gradient, Guided Backprop, SmoothGrad,
     * Guided Grad-CAM) uses the maximum absolute value over channels (Simonyan et al.).
     */
    default DisplayMap.Pixels display() {
        return switch (this) {
            case GradientTimesInput g -> DisplayMap.SIGNED_SUM;
            case DeepLiftAttribution d -> DisplayMap.SIGNED_SUM;
            case IntegratedGradients i -> DisplayMap.SIGNED_SUM;
            case Gradient g -> DisplayMap.MAX_ABS;
            case GuidedBackprop g -> DisplayMap.MAX_ABS;
            case GuidedGradCam g -> DisplayMap.MAX_ABS;
            case SmoothGrad g -> DisplayMap.MAX_ABS;
        };
    }

    /** d target / d input. */
    record Gradient() implements PixelAttribution {
        public String name() { return "gradient"; }
        public Tensor attribute(Executor ex, Tensor x, Tensor w) { return backward(ex, x, w, GradientRule.INSTANCE); }
    }

    /** input * d target / d input. */
    record GradientTimesInput() implements PixelAttribution {
        public String name() { return "gradient-x-input"; }
        public Tensor attribute(Executor ex, Tensor x, Tensor w) { return PairedBatch.times(x, backward(ex, x, w, GradientRule.INSTANCE)); }
    }

    /** Guided Backpropagation ({@link GuidedBackpropRule}). */
    record GuidedBackprop() implements PixelAttribution {
        public String name() { return "guided-backprop"; }
        public Tensor attribute(Executor ex, Tensor x, Tensor w) { return backward(ex, x, w, GuidedBackpropRule.INSTANCE); }
    }

    /**
     * Guided Grad-CAM as pytorch-grad-cam's example computes it: Guided Backprop times the Grad-CAM map
     * (mean-gradient weights, ReLU, min-max with eps 1e-7, bilinear half-pixel resize), per channel.
     *
     * @param layer the Grad-CAM layer (tensor name)
     */
    record GuidedGradCam(String layer) implements PixelAttribution {
        public String name() { return "guided-grad-cam"; }

        public Tensor attribute(Executor ex, Tensor x, Tensor w) {
            Tensor gb = backward(ex, x, w, GuidedBackpropRule.INSTANCE);
            Tensor cam = gradCamMap(ex, x, w, layer);
            int n = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3);
            float[] out = new float[gb.size()];
            for (int b = 0; b < n; b++)
                for (int ch = 0; ch < c; ch++)
                    for (int i = 0; i < hw; i++) out[(b * c + ch) * hw + i] = gb.data()[(b * c + ch) * hw + i] * cam.data()[b * hw + i];
            return new Tensor(x.shape(), out);
        }
    }

    /** DeepLIFT at the input against a reference. */
    record DeepLiftAttribution(Reference reference, DeepLiftOptions options) implements PixelAttribution {
        public String name() { return "deeplift"; }
        public Tensor attribute(Executor ex, Tensor x, Tensor w) { return new DeepLift(ex, options).attribute(x, reference.of(x), w, null, null).attributions(); }
    }

    /**
     * Integrated Gradients (Sundararajan et al. 2017): (x - x0) * sum_i w_i grad(x0 + a_i (x - x0)).
     *
     * @param steps      quadrature nodes (Captum default 50)
     * @param quadrature node placement (Captum default Gauss-Legendre)
     * @param baseline   x0 (Captum default zeros)
     * @param batch      path points per forward/backward pass
     */
    record IntegratedGradients(int steps, Quadrature quadrature, Reference baseline, int batch) implements PixelAttribution {
        public IntegratedGradients {
            if (batch < 1) throw new IllegalArgumentException("batch must be >= 1");
            quadrature.rule(steps);
        }

        public static IntegratedGradients captumDefaults() { return new IntegratedGradients(50, Quadrature.GAUSS_LEGENDRE, new Reference.Zeros(), 16); }

        public String name() { return "integrated-gradients"; }

        public Tensor attribute(Executor ex, Tensor x, Tensor w) {
            Tensor x0 = baseline.of(x);
            int n = x.dim(0), sz = x.shape().itemSize(), classes = ex.graph().itemShape(ex.graph().output()).size();
            Tensor tw = TargetWeights.forBatch(w, n, classes);
            double[][] rule = quadrature.rule(steps);
            float[] out = new float[x.size()];
            for (int b = 0; b < n; b++) {
                double[] acc = new double[sz];
                for (int start = 0; start < steps; start += batch) {
                    int len = Math.min(batch, steps - start);
                    float[] pts = new float[len * sz], seed = new float[len * classes];
                    for (int i = 0; i < len; i++) {
                        float a = (float) rule[0][start + i];
                        for (int j = 0; j < sz; j++) {
                            float lo = x0.data()[b * sz + j];
                            pts[i * sz + j] = lo + a * (x.data()[b * sz + j] - lo);
                        }
                        System.arraycopy(tw.data(), b * classes, seed, i * classes, classes);
                    }
                    Tensor g = gradient(ex, new Tensor(x.shape().withDim(0, len), pts), seed, GradientRule.INSTANCE);
                    for (int i = 0; i < len; i++) {
                        double wi = rule[1][start + i];
                        for (int j = 0; j < sz; j++) acc[j] += wi * g.data()[i * sz + j];
                    }
                }
                for (int j = 0; j < sz; j++) out[b * sz + j] = (float) ((x.data()[b * sz + j] - (double) x0.data()[b * sz + j]) * acc[j]);
            }
            return new Tensor(x.shape(), out);
        }
    }

    /**
     * SmoothGrad (Smilkov et al. 2017): the mean gradient over {@code samples} noisy copies, noise
     * N(0, sigma^2) with sigma = sigmaFraction * (max - min) of each item (zennit's convention), seeded.
     */
    record SmoothGrad(int samples, double sigmaFraction, long seed) implements PixelAttribution {
        public SmoothGrad {
            if (samples < 1) throw new IllegalArgumentException("SmoothGrad needs >= 1 sample");
            if (!(sigmaFraction >= 0)) throw new IllegalArgumentException("SmoothGrad sigma fraction must be >= 0");
        }

        public static SmoothGrad defaults() { return new SmoothGrad(20, 0.1, 0); }

        public String name() { return "smoothgrad"; }

        public Tensor attribute(Executor ex, Tensor x, Tensor w) {
            int n = x.dim(0), sz = x.shape().itemSize(), classes = ex.graph().itemShape(ex.graph().output()).size();
            Tensor tw = TargetWeights.forBatch(w, n, classes);
            Random rnd = new Random(seed);
            double[] acc = new double[x.size()];
            for (int s = 0; s < samples; s++) {
                float[] noisy = new float[x.size()];
                for (int b = 0; b < n; b++) {
                    float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < sz; j++) { lo = Math.min(lo, x.data()[b * sz + j]); hi = Math.max(hi, x.data()[b * sz + j]); }
                    double sigma = sigmaFraction * (hi - lo);
                    for (int j = 0; j < sz; j++) noisy[b * sz + j] = (float) (x.data()[b * sz + j] + sigma * rnd.nextGaussian());
                }
                Tensor g = gradient(ex, new Tensor(x.shape(), noisy), tw.data(), GradientRule.INSTANCE);
                for (int i = 0; i < acc.length; i++) acc[i] += g.data()[i];
            }
            float[] out = new float[acc.length];
            for (int i = 0; i < out.length; i++) out[i] = (float) (acc[i] / samples);
            return new Tensor(x.shape(), out);
        }
    }

    /** The registered names, in CLI order. */
    static List<String> names() {
        return List.of("gradient", "gradient-x-input", "guided-backprop", "guided-grad-cam", "deeplift", "integrated-gradients", "smoothgrad");
    }

    /** A method with default settings; {@code layer} is used by guided-grad-cam only. */
    static PixelAttribution byName(String name, String layer) {
        return byName(name, layer, AttributionSettings.defaults());
    }

    /** A method with the given settings; {@code layer} is used by guided-grad-cam only. */
    static PixelAttribution byName(String name, String layer, AttributionSettings s) {
        return switch (name) {
            case "gradient" -> new Gradient();
            case "gradient-x-input" -> new GradientTimesInput();
            case "guided-backprop" -> new GuidedBackprop();
            case "guided-grad-cam" -> new GuidedGradCam(layer);
            case "deeplift" -> new DeepLiftAttribution(s.reference(), s.deepLift());
            case "integrated-gradients" -> new IntegratedGradients(s.steps(), s.quadrature(), s.reference(), 16);
            case "smoothgrad" -> new SmoothGrad(s.samples(), s.noiseLevel(), s.seed());
            default -> throw new IllegalArgumentException("unknown attribution method '" + name + "'; known: " + String.join(", ", names()));
        };
    }

    private static Tensor backward(Executor ex, Tensor x, Tensor w, Rule rule) {
        int classes = ex.graph().itemShape(ex.graph().output()).size();
        return gradient(ex, x, TargetWeights.forBatch(w, x.dim(0), classes).data(), rule);
    }

    /** The rule's backward quantity at the input, seeded with {@code seed} (N x outputs, flattened). */
    private static Tensor gradient(Executor ex, Tensor x, float[] seed, Rule rule) {
        Activations fwd = ex.forward(x);
        String in = ex.graph().input(), out = ex.graph().output();
        return ex.backward(fwd, out, new Tensor(fwd.output().shape(), seed.clone()), Set.of(in), rule).get(in);
    }

    /** Grad-CAM map at input resolution, pytorch-grad-cam conventions ([N, H, W]). */
    private static Tensor gradCamMap(Executor ex, Tensor x, Tensor w, String layer) {
        int n = x.dim(0), classes = ex.graph().itemShape(ex.graph().output()).size();
        Activations fwd = ex.forward(x);
        Tensor seed = TargetWeights.forBatch(w, n, classes).reshape(fwd.output().shape());
        Tensor g = ex.backward(fwd, ex.graph().output(), seed, Set.of(layer), GradientRule.INSTANCE).get(layer);
        Tensor a = fwd.get(layer);
        int k = a.dim(1), h = a.dim(2), wd = a.dim(3), hw = h * wd, H = x.dim(2), W = x.dim(3);
        float[] out = new float[n * H * W];
        for (int b = 0; b < n; b++) {
            float[] raw = new float[hw];
            for (int c = 0; c < k; c++) {
                double m = 0;
                for (int i = 0; i < hw; i++) m += g.data()[(b * k + c) * hw + i];
                m /= hw;
                for (int i = 0; i < hw; i++) raw[i] += (float) (m * a.data()[(b * k + c) * hw + i]);
            }
            for (int i = 0; i < hw; i++) raw[i] = Math.max(raw[i], 0f);
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (float v : raw) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
            for (int i = 0; i < hw; i++) raw[i] = (raw[i] - lo) / (1e-7f + hi - lo);
            float[] up = Resize.bilinear(raw, h, wd, H, W, Resize.Mode.HALF_PIXEL);
            System.arraycopy(up, 0, out, b * H * W, H * W);
        }
        return Tensor.of(out, n, H, W);
    }
}
