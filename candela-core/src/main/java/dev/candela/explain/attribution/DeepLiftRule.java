package dev.candela.explain.attribution;

import dev.candela.graph.Add;
import dev.candela.graph.AvgPool2d;
import dev.candela.graph.BatchNorm2d;
import dev.candela.graph.ChannelAffine;
import dev.candela.graph.ConvTranspose2d;
import dev.candela.graph.ElementAffine;
import dev.candela.graph.Clip;
import dev.candela.graph.Concat;
import dev.candela.graph.Conv2d;
import dev.candela.graph.Flatten;
import dev.candela.graph.GlobalAvgPool;
import dev.candela.graph.Identity;
import dev.candela.graph.LeakyRelu;
import dev.candela.graph.Linear;
import dev.candela.graph.Lrn;
import dev.candela.graph.MaxPool2d;
import dev.candela.graph.Op;
import dev.candela.graph.Relu;
import dev.candela.graph.Reshape;
import dev.candela.graph.Softmax;
import dev.candela.graph.Transpose;
import dev.candela.graph.Pointwise;
import dev.candela.graph.Mul;
import dev.candela.graph.Slice;
import dev.candela.graph.Pad2d;
import dev.candela.graph.LayerNorm;
import dev.candela.graph.Resize2d;
import dev.candela.run.LayerValues;
import dev.candela.run.ReferenceKernels;
import dev.candela.run.Rule;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * DeepLIFT multipliers (Rescale rule) as a backward rule. The forward batch holds N actual items then
 * their N references; the multipliers that travel backward have batch N (the actual half: a
 * reference's multiplier is the same number, so it is not carried twice). A seed of batch 2N is
 * accepted and its first half used.
 *
 * <p>Affine ops (conv, linear, BN, pools that average, reshapes, Add, Concat) pass the multiplier
 * through their transposed map, i.e. the ordinary gradient: their difference quotient is exact.
 * Single-input element-wise nonlinearities (ReLU, Clip, LeakyReLU) use Rescale dy/dx. Max-pool uses
 * Captum's rule with contributions accumulated at every argmax (lift-cam.md 3.6 (b), 7) or the
 * gradient rule. Softmax follows Captum (Rescale then minus the mean). LRN, which has no DeepLIFT rule,
 * uses its gradient and so does not conserve.
 */
public final class DeepLiftRule implements Rule {
    private final DeepLiftOptions options;

    public DeepLiftRule(DeepLiftOptions options) {
        this.options = options;
    }

    public DeepLiftOptions options() { return options; }

    @Override public List<Tensor> propagate(LayerValues v, Tensor atOutput) {
        int n = PairedBatch.half(v.inputs().get(0));
        Tensor m = PairedBatch.firstItems(atOutput, n);
        Op op = v.node().op();
        if (options.coverage() == DeepLiftOptions.Coverage.CAPTUM_MODULES && !hasCaptumRule(op)) return affine(v, m);
        return switch (op) {
            case Relu r -> List.of(rescale(v, m, Activation.RELU, 0, 0, 0));
            case Clip c -> List.of(rescale(v, m, Activation.CLIP, c.min(), c.max(), 0));
            case LeakyRelu l -> List.of(rescale(v, m, Activation.LEAKY, 0, 0, l.alpha()));
            case MaxPool2d p -> List.of(options.maxPool() == DeepLiftOptions.MaxPoolRule.CAPTUM ? maxPool(v, p, m) : affine(v, m).get(0));
            case Softmax s -> List.of(softmax(v, m));
            case Pointwise p -> List.of(GatingDeepLift.pointwise(v, p, m, options.eps(), options.fallback() == DeepLiftOptions.Fallback.REFERENCE));
            case Mul x -> GatingDeepLift.mul(v, m);
            case LayerNorm l -> List.of(GatingDeepLift.layerNorm(v, l, m, options.eps()));
            case Conv2d _, ConvTranspose2d _, BatchNorm2d _, ChannelAffine _, ElementAffine _, AvgPool2d _, GlobalAvgPool _, Flatten _, Reshape _,
                 Identity _, Linear _, Add _, Concat _, Transpose _, Lrn _, Slice _, Pad2d _, Resize2d _ -> affine(v, m);
        };
    }

    /**
     * Whether Captum's DeepLift has a rule for the PyTorch module behind this op (its {@code SUPPORTED_NON_LINEAR});
     * affine ops need none. Clip is ReLU6 / Hardtanh, which Captum does not list.
     */
    static boolean hasCaptumRule(Op op) {
        return switch (op) {
            case Relu _, LeakyRelu _, MaxPool2d _, Softmax _ -> true;
            case Pointwise p -> p.fn() == Pointwise.Fn.SIGMOID;
            case Clip _, Mul _, LayerNorm _ -> false;
            case Conv2d _, ConvTranspose2d _, BatchNorm2d _, ChannelAffine _, ElementAffine _, AvgPool2d _, GlobalAvgPool _, Flatten _, Reshape _,
                 Identity _, Linear _, Add _, Concat _, Transpose _, Lrn _, Slice _, Pad2d _, Resize2d _ -> true;
        };
    }

    /** The ordinary backward map on the actual half (exact for affine ops). */
    private static List<Tensor> affine(LayerValues v, Tensor m) {
        int n = m.dim(0);
        List<Tensor> in = new ArrayList<>(v.inputs().size());
        for (Tensor t : v.inputs()) in.add(t.slice(0, n));
        return v.kernels().inputGradients(v.node().op(), in, v.output().slice(0, n), m);
    }

    private enum Activation { RELU, CLIP, LEAKY }

    private static double slope(Activation a, float x, float lo, float hi, float alpha) {
        return switch (a) {
            case RELU -> x > 0 ? 1 : 0;
            case CLIP -> x > lo && x < hi ? 1 : 0;
            case LEAKY -> x > 0 ? 1 : alpha;
        };
    }

    private Tensor rescale(LayerValues v, Tensor m, Activation a, float lo, float hi, float alpha) {
        float[] x = v.inputs().get(0).data(), y = v.output().data(), g = m.data();
        int half = g.length;
        float[] out = new float[half];
        boolean atReference = options.fallback() == DeepLiftOptions.Fallback.REFERENCE;
        for (int i = 0; i < half; i++) {
            double dx = (double) x[i] - x[i + half];
            if (Math.abs(dx) < options.eps()) {
                out[i] = (float) (g[i] * slope(a, atReference ? x[i + half] : x[i], lo, hi, alpha));
            } else {
                double dy = (double) y[i] - y[i + half];
                out[i] = (float) (g[i] * (dy / dx));
            }
        }
        return new Tensor(m.shape(), out);
    }

    /**
     * Captum's max-pool rule: per window with y = max x, y0 = max x0, M = max(y, y0), the argmax of x
     * gets g (M - y0) and the argmax of x0 gets g (y - M); summed over windows (overlapping windows
     * share inputs, which Captum's unpool loses) and divided by x - x0.
     */
    private Tensor maxPool(LayerValues v, MaxPool2d p, Tensor m) {
        Tensor paired = v.inputs().get(0);
        int[] arg = ReferenceKernels.maxPoolArgmax(paired, p);
        float[] x = paired.data(), y = v.output().data(), g = m.data();
        int halfOut = g.length, halfIn = x.length / 2;
        double[] num = new double[halfIn], grad = new double[halfIn];
        boolean atReference = options.fallback() == DeepLiftOptions.Fallback.REFERENCE;
        for (int o = 0; o < halfOut; o++) {
            double yo = y[o], yr = y[o + halfOut], top = Math.max(yo, yr), go = g[o];
            int ia = arg[o], ir = arg[o + halfOut] - halfIn;
            if (ia >= 0) num[ia] += go * (top - yr);
            if (arg[o + halfOut] >= 0) num[ir] += go * (yo - top);
            int routed = atReference ? (arg[o + halfOut] >= 0 ? ir : -1) : ia;
            if (routed >= 0) grad[routed] += go;
        }
        float[] out = new float[halfIn];
        for (int j = 0; j < halfIn; j++) {
            double dx = (double) x[j] - x[j + halfIn];
            out[j] = (float) (Math.abs(dx) < options.eps() ? grad[j] : num[j] / dx);
        }
        return new Tensor(paired.shape().withDim(0, m.dim(0)), out);
    }

    /** Captum's softmax rule: Rescale per element, then the mean over all elements subtracted. */
    private Tensor softmax(LayerValues v, Tensor m) {
        float[] x = v.inputs().get(0).data(), y = v.output().data(), g = m.data();
        int half = g.length;
        float[] grad = affine(v, m).get(0).data();
        double[] u = new double[half];
        double sum = 0;
        for (int i = 0; i < half; i++) {
            double dx = (double) x[i] - x[i + half];
            u[i] = Math.abs(dx) < options.eps() ? grad[i] : g[i] * (((double) y[i] - y[i + half]) / dx);
            sum += u[i];
        }
        double mean = sum / half;
        float[] out = new float[half];
        for (int i = 0; i < half; i++) out[i] = (float) (u[i] - mean);
        return new Tensor(m.shape(), out);
    }
}
