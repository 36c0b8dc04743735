package dev.candela.explain.display;

import dev.candela.image.Resize;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.List;

/**
 * How a method's raw result becomes the map in [0,1] at input resolution that {@code explain} writes,
 * {@code evaluate} scores, the report shows and the API returns. Every method declares one (see
 * docs/one-path.md for the table); nothing else turns raw results into maps.
 *
 * <p>Two kinds: {@link Layered} for methods with a map per layer (CAM methods, FG-CAM, LIFT-CAM), and
 * {@link Pixels} for pixel attributions (C x H x W at the input).
 */
public sealed interface DisplayMap {

    /** One line for manifests: the steps in order. */
    String describe();

    /** The reference implementation whose convention this is. */
    String reference();

    /** Order of the per-layer steps after the optional ReLU. */
    enum Order {
        /** min-max at feature resolution, then bilinear resize (pytorch-grad-cam per layer, FG-CAM's util.visual_explanation). */
        NORMALISE_THEN_RESIZE,
        /** bilinear resize, then min-max at input resolution (LIFT-CAM's authors). */
        RESIZE_THEN_NORMALISE
    }

    /**
     * Per layer: ReLU (unless the method's map is already final), min-max (eps added to the range; eps 0
     * means none, a constant map becomes zeros), bilinear resize, in {@code order}; over layers: ReLU,
     * fusion, and a second min-max when {@code renormalise} (with one layer and {@code renormalise}
     * false the per-layer map is the final map).
     */
    record Layered(String name, Order order, float eps, boolean renormalise, String reference) implements DisplayMap {
        public String describe() {
            String norm = eps > 0 ? "min-max (eps " + eps + ")" : "min-max (no eps)";
            String steps = order == Order.NORMALISE_THEN_RESIZE ? "ReLU, " + norm + ", bilinear resize" : "ReLU, bilinear resize, " + norm;
            return steps + (renormalise ? "; layers: ReLU, fuse, " + norm : "; layers: mean, no second normalisation");
        }

        /** One layer's raw maps (R x h x w) to R x outH x outW. */
        public Tensor layer(Tensor raw, int outH, int outW, Resize.Mode mode, boolean relu) {
            int r = raw.dim(0), h = raw.dim(1), w = raw.dim(2);
            float[] out = new float[r * outH * outW];
            float[] plane = new float[h * w];
            for (int n = 0; n < r; n++) {
                System.arraycopy(raw.data(), n * h * w, plane, 0, h * w);
                if (relu) for (int i = 0; i < plane.length; i++) plane[i] = Math.max(plane[i], 0f);
                float[] res;
                if (order == Order.NORMALISE_THEN_RESIZE) {
                    minMax(plane, 0, plane.length, eps);
                    res = h == outH && w == outW ? plane.clone() : Resize.bilinear(plane, h, w, outH, outW, mode);
                } else {
                    res = h == outH && w == outW ? plane.clone() : Resize.bilinear(plane, h, w, outH, outW, mode);
                    minMax(res, 0, res.length, eps);
                }
                System.arraycopy(res, 0, out, n * outH * outW, outH * outW);
            }
            return new Tensor(Shape.of(r, outH, outW), out);
        }

        /** Several layers' maps (each R x H x W) to the final map. */
        public Tensor fuse(List<Tensor> layers, Fusion fusion) {
            Tensor first = layers.get(0);
            if (fusion == Fusion.REFINE) {
                // pytorch-grad-cam's RefineCAM: each layer's final map (its single-layer aggregate: ReLU, min-max
                // again), the product over layers, scale_cam_image (min-max, eps 1e-7)
                int plane = first.shape().itemSize();
                float[] out = new float[first.size()];
                java.util.Arrays.fill(out, 1f);
                for (Tensor t : layers) {
                    float[] m = t.data().clone();
                    for (int i = 0; i < m.length; i++) m[i] = Math.max(m[i], 0f);
                    for (int n = 0; n < first.dim(0); n++) minMax(m, n * plane, plane, eps);
                    for (int i = 0; i < m.length; i++) out[i] *= m[i];
                }
                for (int n = 0; n < first.dim(0); n++) minMax(out, n * plane, plane, PGC_EPS);
                return new Tensor(first.shape(), out);
            }
            if (!renormalise && layers.size() == 1) return first;
            int size = first.size(), plane = first.shape().itemSize(), l = layers.size();
            float[] out = new float[size];
            for (int i = 0; i < size; i++) {
                float acc = switch (fusion) { case MEAN -> 0f; case MAX, TANH_MAX -> Float.NEGATIVE_INFINITY; case PRODUCT, REFINE -> 1f; };
                double sum = 0;
                for (Tensor t : layers) {
                    float v = Math.max(t.data()[i], 0f);
                    switch (fusion) {
                        case MEAN -> sum += v;
                        case MAX, TANH_MAX -> acc = Math.max(acc, v);
                        case PRODUCT, REFINE -> acc *= v;
                    }
                }
                out[i] = fusion == Fusion.MEAN ? (float) (sum / l) : acc;
            }
            if (renormalise) for (int n = 0; n < first.dim(0); n++) minMax(out, n * plane, plane, eps);
            return new Tensor(first.shape(), out);
        }
    }

    /**
     * How several layers' maps combine (pytorch-grad-cam: mean; TorchCAM: max; RefineCAM: product; TorchCAM's
     * LayerCAM: tanh-scaled max at the largest layer's resolution, see {@link #tanhMax}).
     */
    enum Fusion { MEAN, MAX, PRODUCT, TANH_MAX, REFINE }

    /**
     * TorchCAM's {@code LayerCAM.fuse_cams}: each layer's raw map (R x h_l x w_l) ReLU'd (unless final) and
     * normalised as TorchCAM's {@code _normalize} (x - min, then / (max + 1e-8)), scaled by tanh(2 x), resized
     * (bilinear, half-pixel: F.interpolate with align_corners=False) to the largest layer's h x w, maximum over
     * layers. Returns the fused map at that resolution (R x h x w).
     */
    static Tensor tanhMax(List<Tensor> raws, List<Boolean> relu) {
        int r = raws.get(0).dim(0), h = 0, w = 0;
        for (Tensor t : raws) { h = Math.max(h, t.dim(1)); w = Math.max(w, t.dim(2)); }
        float[] out = new float[r * h * w];
        java.util.Arrays.fill(out, Float.NEGATIVE_INFINITY);
        for (int l = 0; l < raws.size(); l++) {
            Tensor t = raws.get(l);
            int th = t.dim(1), tw = t.dim(2), plane = th * tw;
            for (int n = 0; n < r; n++) {
                float[] m = java.util.Arrays.copyOfRange(t.data(), n * plane, (n + 1) * plane);
                if (relu.get(l)) for (int i = 0; i < plane; i++) m[i] = Math.max(m[i], 0f);
                float lo = Float.POSITIVE_INFINITY;
                for (float v : m) lo = Math.min(lo, v);
                float hi = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < plane; i++) { m[i] -= lo; hi = Math.max(hi, m[i]); }
                for (int i = 0; i < plane; i++) m[i] = (float) Math.tanh(2.0 * (m[i] / (hi + 1e-8f)));
                float[] up = th == h && tw == w ? m : Resize.bilinear(m, th, tw, h, w, Resize.Mode.HALF_PIXEL);
                for (int i = 0; i < h * w; i++) out[n * h * w + i] = Math.max(out[n * h * w + i], up[i]);
            }
        }
        return new Tensor(Shape.of(r, h, w), out);
    }

    /** Channel reductions of a pixel attribution. */
    enum Reduction {
        /** sum over channels, sign kept: the most positive evidence ranks first (completeness methods). */
        SIGNED_SUM,
        /** |sum over channels|. */
        ABS_SUM,
        /** max over channels of |a| (Simonyan et al.'s saliency). */
        MAX_ABS,
        /** max(sum over channels, 0). */
        POSITIVE_SUM
    }

    /** Pixel attributions R x C x H x W: channel reduction, then min-max without eps (a constant map becomes zeros). */
    record Pixels(Reduction reduction, String reference) implements DisplayMap {
        public String describe() {
            String r = switch (reduction) {
                case SIGNED_SUM -> "signed channel sum";
                case ABS_SUM -> "|channel sum|";
                case MAX_ABS -> "max over channels of |a|";
                case POSITIVE_SUM -> "positive part of the channel sum";
            };
            return r + ", min-max (no eps; constant map -> 0), input resolution";
        }

        public Tensor apply(Tensor attr) {
            int r = attr.dim(0), c = attr.dim(1), h = attr.dim(2), w = attr.dim(3), hw = h * w;
            float[] a = attr.data(), out = new float[r * hw];
            for (int n = 0; n < r; n++) {
                for (int i = 0; i < hw; i++) {
                    double s = 0;
                    float mx = 0;
                    for (int ch = 0; ch < c; ch++) {
                        float x = a[(n * c + ch) * hw + i];
                        s += x;
                        mx = Math.max(mx, Math.abs(x));
                    }
                    out[n * hw + i] = switch (reduction) {
                        case SIGNED_SUM -> (float) s;
                        case ABS_SUM -> (float) Math.abs(s);
                        case MAX_ABS -> mx;
                        case POSITIVE_SUM -> (float) Math.max(s, 0);
                    };
                }
                minMax(out, n * hw, hw, 0f);
            }
            return Tensor.of(out, r, h, w);
        }
    }

    /** pytorch-grad-cam's scale_cam_image epsilon. */
    float PGC_EPS = 1e-7f;

    /** CAM methods: pytorch-grad-cam's base_cam.py / scale_cam_image. */
    Layered PYTORCH_GRAD_CAM = new Layered("pytorch-grad-cam", Order.NORMALISE_THEN_RESIZE, PGC_EPS, true,
            "pytorch-grad-cam base_cam.py: ReLU, scale_cam_image (min-max, eps 1e-7, cv2 resize), mean over layers, scale again");
    /** Deep Feature Factorization: pytorch-grad-cam's DeepFeatureFactorization (scale_cam_image of each concept map, once). */
    Layered DFF = new Layered("pytorch-grad-cam dff", Order.NORMALISE_THEN_RESIZE, PGC_EPS, false,
            "pytorch-grad-cam DeepFeatureFactorization: scale_cam_image of each NMF concept map (min-max, eps 1e-7, cv2 resize), no second normalisation");
    /** FG-CAM: the official main.py + util.visual_explanation. */
    Layered FG_CAM_OFFICIAL = new Layered("fg-cam official", Order.NORMALISE_THEN_RESIZE, 0f, false,
            "FG-CAM main.py: torch.relu, util.visual_explanation (min-max without eps, cv2.resize INTER_LINEAR)");
    /** LIFT-CAM: the authors' code (upsample, then min-max; a constant map becomes zeros here, the authors leave it unchanged). */
    Layered LIFT_CAM_AUTHORS = new Layered("lift-cam authors", Order.RESIZE_THEN_NORMALISE, 0f, false,
            "LIFT-CAM authors' code: ReLU at h x w, F.interpolate bilinear (align_corners=False), global min-max");
    /** Completeness methods (gradient x input, DeepLIFT, Integrated Gradients, LRP). */
    Pixels SIGNED_SUM = new Pixels(Reduction.SIGNED_SUM, "signed relevance / contribution summed over colour channels (Captum, zennit heatmaps)");
    /** Gradient-like saliency (gradient, Guided Backprop, SmoothGrad, Guided Grad-CAM). */
    Pixels MAX_ABS = new Pixels(Reduction.MAX_ABS, "Simonyan et al. 2014: max over channels of |gradient|");

    /** In place: x - min, then / (max - min + eps); with eps 0 a constant range becomes zeros. Float32 like numpy. */
    static void minMax(float[] d, int off, int len, float eps) { dev.candela.tensor.Reductions.rowMinMax(d, off, len, eps); }
}
