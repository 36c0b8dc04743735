package dev.candela.explain.sampled;

import dev.candela.explain.cam.LayerEvidence;
import dev.candela.explain.display.DisplayMap;
import dev.candela.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Occlusion (Zeiler and Fergus 2014) as Captum's {@code Occlusion} computes it: a window of shape
 * {@code window} (channels x height x width) slides over the input with {@code stride}; at each position the
 * window's elements are set to {@code baseline}, and score(x) - score(occluded x) is added to every element
 * of the window; each element's sum is divided by the number of windows that covered it. Positions per
 * dimension: ceil((size - window) / stride) + 1, the last window cut at the border (Captum's padding with a
 * negative width); a window larger than the input is cut to it. The score is the target's objective on the logits. One forward per window position, in
 * batches sized by the run's batch size and the memory budget.
 *
 * @param window   C x h x w; 0 in a dimension means the whole dimension
 * @param stride   strides per dimension; 0 means the window's size in that dimension
 * @param baseline the value an occluded element takes (Captum default 0)
 */
public record Occlusion(int[] window, int[] stride, float baseline) implements SampledMethod {
    public Occlusion {
        if (window.length != 3 || stride.length != 3) throw new IllegalArgumentException("occlusion: window and stride have 3 dimensions (C x H x W)");
        for (int i = 0; i < 3; i++) {
            if (window[i] < 0 || stride[i] < 0) throw new IllegalArgumentException("occlusion: window and stride must be >= 0");
        }
        if (!Float.isFinite(baseline)) throw new IllegalArgumentException("occlusion: baseline must be finite");
    }

    /** Window all channels x 15 x 15, stride all channels x 8 x 8 (the sizes of Captum's tutorial), baseline 0. */
    public static Occlusion defaults() { return new Occlusion(new int[]{0, 15, 15}, new int[]{0, 8, 8}, 0f); }

    public String name() { return "occlusion"; }

    public DisplayMap.Pixels display() { return DisplayMap.SIGNED_SUM; }

    public Map<String, Object> options() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("window", window.clone());
        m.put("stride", stride.clone());
        m.put("baseline", baseline);
        return m;
    }

    /**
     * The window used on an item of shape dims: 0 means the whole dimension, and a window larger than the
     * input is cut to it (Captum refuses it instead; cutting lets one default serve 12 x 12 and 224 x 224 inputs).
     */
    int[] windowFor(int[] dims) {
        int[] w = new int[3];
        for (int d = 0; d < 3; d++) w[d] = window[d] == 0 ? dims[d] : Math.min(window[d], dims[d]);
        return w;
    }

    int[] strideFor(int[] w, int[] dims) {
        int[] s = new int[3];
        for (int d = 0; d < 3; d++) {
            s[d] = stride[d] == 0 ? w[d] : stride[d];
            if (dims[d] > w[d] && s[d] > w[d]) throw new IllegalArgumentException("occlusion: stride " + s[d] + " exceeds the window " + w[d] + " (Captum refuses it: elements would be skipped)");
        }
        return s;
    }

    public Tensor attribute(LayerEvidence e) {
        Tensor x = e.input();
        int r = e.rows(), c = x.dim(1), h = x.dim(2), wd = x.dim(3), size = c * h * wd;
        int[] dims = {c, h, wd};
        int[] w = windowFor(dims), s = strideFor(w, dims);
        int[] count = new int[3];
        for (int d = 0; d < 3; d++) count[d] = (int) Math.ceil((dims[d] - w[d]) / (double) s[d]) + 1;
        int positions = count[0] * count[1] * count[2];
        double[] clean = e.scores();
        // item j: row j / positions, window position j % positions (channel shift fastest, as Captum numbers them)
        double[] occluded = e.scoreInputs("occlusion", r * positions, (j, item) -> {
            int row = j / positions;
            System.arraycopy(x.data(), row * size, item, 0, size);
            int[] lo = origin(j % positions, count, s);
            for (int ch = lo[0]; ch < Math.min(c, lo[0] + w[0]); ch++)
                for (int y = lo[1]; y < Math.min(h, lo[1] + w[1]); y++)
                    for (int q = lo[2]; q < Math.min(wd, lo[2] + w[2]); q++) item[(ch * h + y) * wd + q] = baseline;
        }, e.targetScore(j -> j / positions));
        float[] out = new float[r * size];
        int[] covered = new int[size];
        for (int p = 0; p < positions; p++) {
            int[] lo = origin(p, count, s);
            forWindow(lo, w, dims, i -> covered[i]++);
        }
        for (int row = 0; row < r; row++) {
            double[] acc = new double[size];
            for (int p = 0; p < positions; p++) {
                // Captum subtracts in float32 (the model's output type)
                float diff = (float) clean[row] - (float) occluded[row * positions + p];
                forWindow(origin(p, count, s), w, dims, i -> acc[i] += diff);
            }
            for (int i = 0; i < size; i++) out[row * size + i] = (float) (acc[i] / covered[i]);
        }
        return new Tensor(x.shape().withDim(0, r), out);
    }

    private static int[] origin(int p, int[] count, int[] s) {
        int[] lo = new int[3];
        for (int d = 0; d < 3; d++) {
            lo[d] = (p % count[d]) * s[d];
            p /= count[d];
        }
        return lo;
    }

    private static void forWindow(int[] lo, int[] w, int[] dims, java.util.function.IntConsumer f) {
        for (int ch = lo[0]; ch < Math.min(dims[0], lo[0] + w[0]); ch++)
            for (int y = lo[1]; y < Math.min(dims[1], lo[1] + w[1]); y++)
                for (int q = lo[2]; q < Math.min(dims[2], lo[2] + w[2]); q++) f.accept((ch * dims[1] + y) * dims[2] + q);
    }

    @Override public boolean equals(Object o) {
        return o instanceof Occlusion other && java.util.Arrays.equals(window, other.window) && java.util.Arrays.equals(stride, other.stride) && baseline == other.baseline;
    }

    @Override public int hashCode() { return java.util.Arrays.hashCode(window) * 31 + java.util.Arrays.hashCode(stride) + Float.hashCode(baseline); }

    @Override public String toString() {
        return "occlusion(window=" + window[0] + "x" + window[1] + "x" + window[2] + ",stride=" + stride[0] + "x" + stride[1] + "x" + stride[2] + ",baseline=" + baseline + ")";
    }
}
