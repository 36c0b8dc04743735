package dev.candela.explain.cam;

import dev.candela.explain.Objective;
import dev.candela.image.Resize;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;

/**
 * Group-CAM (Zhang et al. 2021) from its official code: Grad-CAM-weighted activations w_k A_k split into
 * {@code groups} contiguous channel groups (torch.chunk sizes); per group: channel sum, ReLU, values at or
 * below the 70th percentile zeroed, bilinear upsample (align_corners=False), min-max (groups with a
 * constant mask are skipped); baseline b = Gaussian blur of x (51 x 51, sigma 50, reflected borders);
 * s_g = p_c(x M_g + b (1 - M_g)) - p_c(b) with p_c the softmax probability of the target class;
 * map = ReLU(sum_g s_g M_g), min-max. The map is at input resolution and already final.
 */
public record GroupCam(int groups, double percentile, int blurKernel, double blurSigma) implements CamMethod {
    public GroupCam() { this(32, 70, 51, 50); }

    public String name() { return "group-cam"; }
    public boolean usesGradients() { return true; }

    public Weights weights(LayerEvidence e) {
        Tensor a = e.activations(), x = e.input();
        Tensor w = GradCam.spatialMean(e.gradients());
        int r = a.dim(0), k = a.dim(1), h = a.dim(2), wd = a.dim(3), hw = h * wd;
        int outH = x.dim(2), outW = x.dim(3), plane = outH * outW, c = x.dim(1);
        int chunk = (k + groups - 1) / groups, g = (k + chunk - 1) / chunk;
        Tensor blurred = blur(x);
        float[][] masks = new float[r * g][];
        for (int n = 0; n < r; n++) {
            for (int gi = 0; gi < g; gi++) {
                float[] m = new float[hw];
                for (int ch = gi * chunk; ch < Math.min(k, (gi + 1) * chunk); ch++) {
                    float wc = w.data()[n * k + ch];
                    int base = (n * k + ch) * hw;
                    for (int i = 0; i < hw; i++) m[i] += wc * a.data()[base + i];
                }
                for (int i = 0; i < hw; i++) m[i] = Math.max(m[i], 0f);
                double thr = percentile(m, percentile);
                for (int i = 0; i < hw; i++) if (!(m[i] > thr)) m[i] = 0f;
                float[] u = Resize.bilinear(m, h, wd, outH, outW, Resize.Mode.HALF_PIXEL);
                float mn = Float.POSITIVE_INFINITY, mx = Float.NEGATIVE_INFINITY;
                for (float v : u) { mn = Math.min(mn, v); mx = Math.max(mx, v); }
                if (mx == mn) continue;
                for (int i = 0; i < u.length; i++) u[i] = (u[i] - mn) / (mx - mn);
                masks[n * g + gi] = u;
            }
        }
        LayerEvidence.Scorer prob = (j, logits) -> probability(e, j / g, logits);
        double[] base = e.scoreInputs(name() + " baseline", r, (j, item) -> System.arraycopy(blurred.data(), j * c * plane, item, 0, c * plane), (j, logits) -> probability(e, j, logits));
        double[] s = e.scoreInputs(name(), r * g, (j, item) -> {
            float[] m = masks[j];
            if (m == null) return;
            int n = j / g;
            for (int ch = 0; ch < c; ch++) {
                int off = n * c * plane + ch * plane;
                for (int i = 0; i < plane; i++) item[ch * plane + i] = x.data()[off + i] * m[i] + blurred.data()[off + i] * (1 - m[i]);
            }
        }, prob);
        float[] out = new float[r * plane];
        float[] coef = new float[r * g];
        for (int n = 0; n < r; n++) {
            for (int gi = 0; gi < g; gi++) {
                float[] m = masks[n * g + gi];
                if (m == null) continue;
                float sg = (float) (s[n * g + gi] - base[n]);
                coef[n * g + gi] = sg;
                for (int i = 0; i < plane; i++) out[n * plane + i] += sg * m[i];
            }
            float mn = Float.POSITIVE_INFINITY, mx = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < plane; i++) {
                float v = out[n * plane + i] = Math.max(out[n * plane + i], 0f);
                mn = Math.min(mn, v);
                mx = Math.max(mx, v);
            }
            // The official min-max has no epsilon; score gains are small (probability differences), so an
            // epsilon would matter. A constant map (the official code returns None) stays all zero.
            for (int i = 0; i < plane; i++) out[n * plane + i] = mx > mn ? (out[n * plane + i] - mn) / (mx - mn) : 0f;
        }
        return new Weights.FinalMap(new Tensor(Shape.of(r, outH, outW), out), new Tensor(Shape.of(r, g), coef));
    }

    /** The target's class probability (Group-CAM scores probabilities); a combination keeps its own score. */
    private static double probability(LayerEvidence e, int row, float[] logits) {
        Objective o = e.targets().get(row).objective();
        return switch (o) {
            case Objective.Logit l -> new Objective.Probability(l.classIndex()).score(logits);
            case Objective.Probability p -> p.score(logits);
            case Objective.Weighted w -> w.score(logits);
        };
    }

    /** numpy.percentile with linear interpolation. */
    static double percentile(float[] v, double q) {
        float[] s = v.clone();
        java.util.Arrays.sort(s);
        double pos = q / 100.0 * (s.length - 1);
        int lo = (int) Math.floor(pos), hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }

    /** Separable Gaussian blur of every plane (kornia gaussian_blur2d: normalised kernel, reflect borders). */
    Tensor blur(Tensor x) {
        int h = x.dim(2), w = x.dim(3), planes = x.dim(0) * x.dim(1);
        double[] kern = new double[blurKernel];
        double sum = 0;
        for (int i = 0; i < blurKernel; i++) {
            double d = i - blurKernel / 2;
            sum += (kern[i] = Math.exp(-d * d / (2 * blurSigma * blurSigma)));
        }
        for (int i = 0; i < blurKernel; i++) kern[i] /= sum;
        int half = blurKernel / 2;
        float[] out = new float[x.size()], tmp = new float[h * w];
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    double acc = 0;
                    for (int t = 0; t < blurKernel; t++) acc += kern[t] * x.data()[base + y * w + reflect(xx + t - half, w)];
                    tmp[y * w + xx] = (float) acc;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    double acc = 0;
                    for (int t = 0; t < blurKernel; t++) acc += kern[t] * tmp[reflect(y + t - half, h) * w + xx];
                    out[base + y * w + xx] = (float) acc;
                }
            }
        }
        return new Tensor(x.shape(), out);
    }

    /** Reflection without repeating the edge (dcb|abcd|cba), folded again for offsets beyond one period. */
    static int reflect(int i, int n) {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        i = Math.floorMod(i, period);
        return i < n ? i : period - i;
    }
}
