package dev.candela.explain.cam;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ablation-CAM (Desai &amp; Ramaswamy 2020) with pytorch-grad-cam's semantics: for each channel k the layer's
 * output is replaced by A with channel k overwritten, only the network after the layer is re-run, and
 * w_k = (y - y_k) / y. The overwrite value is 0 when the image's activations have minimum exactly 0;
 * otherwise PGC writes min - 1e7 into the first ablated item of a batch and keeps lowering the running
 * minimum by 1e7 for each further item of the same batch, which is reproduced (it depends on the batch size).
 * With {@code ratioChannelsToAblate} &lt; 1 only the channels ranked highest and lowest by overlap with an
 * Eigen-CAM mask (threshold 0.01) are ablated, int(K * ratio) of each; the others get y_k = y (w = 0).
 */
public record AblationCam(double ratioChannelsToAblate) implements CamMethod {
    public AblationCam() { this(1.0); }

    public AblationCam {
        if (!(ratioChannelsToAblate > 0 && ratioChannelsToAblate <= 1)) throw new IllegalArgumentException("ratio of channels to ablate must be in (0, 1], got " + ratioChannelsToAblate);
    }

    public String name() { return "ablation-cam"; }

    public Weights weights(LayerEvidence e) {
        Tensor a = e.activations();
        int r = a.dim(0), k = a.dim(1), item = a.shape().itemSize(), hw = item / k;
        int bs = e.options().batchSize();
        double[] y = e.scores();
        float[] w = new float[r * k];
        for (int n = 0; n < r; n++) {
            final int row = n;
            float mn = Float.POSITIVE_INFINITY;
            for (int i = 0; i < item; i++) mn = Math.min(mn, a.data()[n * item + i]);
            final float min = mn;
            int[] channels = channelsToAblate(a, n);
            double[] s = e.scoreFromLayer(name() + " image " + (n + 1), channels.length, j -> row, (j, out) -> {
                System.arraycopy(a.data(), row * item, out, 0, item);
                float value = 0f;
                if (min != 0f) {
                    value = min;
                    for (int p = 0; p <= j % bs; p++) value = value - 1e7f;
                }
                Arrays.fill(out, channels[j] * hw, (channels[j] + 1) * hw, value);
            }, e.targetScore(j -> row));
            float[] scores = assemble(s, channels, (float) y[n], k);
            float yn = (float) y[n];
            for (int c = 0; c < k; c++) w[n * k + c] = (yn - scores[c]) / yn;
        }
        return new Weights.PerChannel(new Tensor(Shape.of(r, k), w));
    }

    /** PGC's assemble_ablation_scores: walk channels in order over the sorted ablated list. */
    static float[] assemble(double[] newScores, int[] ablated, float original, int k) {
        Integer[] order = new Integer[ablated.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (p, q) -> Integer.compare(ablated[p], ablated[q]));
        float[] out = new float[k];
        int index = 0;
        for (int c = 0; c < k; c++) {
            if (index < order.length && ablated[order[index]] == c) {
                out[c] = (float) newScores[order[index]];
                index++;
            } else {
                out[c] = original;
            }
        }
        return out;
    }

    /** All channels, or PGC's Eigen-mask selection: int(K*ratio) highest-scoring then as many lowest-scoring. */
    int[] channelsToAblate(Tensor a, int n) {
        int k = a.dim(1), h = a.dim(2), wd = a.dim(3), hw = h * wd;
        if (ratioChannelsToAblate == 1.0) {
            int[] all = new int[k];
            for (int i = 0; i < k; i++) all[i] = i;
            return all;
        }
        Tensor one = new Tensor(Shape.of(1, k, h, wd), Arrays.copyOfRange(a.data(), n * k * hw, (n + 1) * k * hw));
        float[] p = CamPipeline.projection(one, CamPipeline.EigenSign.AS_SVD).data();
        float pmin = Float.POSITIVE_INFINITY, pmax = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < hw; i++) { p[i] = Math.abs(p[i]); pmin = Math.min(pmin, p[i]); }
        for (int i = 0; i < hw; i++) { p[i] -= pmin; pmax = Math.max(pmax, p[i]); }
        boolean[] mask = new boolean[hw];
        for (int i = 0; i < hw; i++) mask[i] = p[i] / pmax > 0.01f;
        float[] score = new float[k];
        for (int c = 0; c < k; c++) {
            float[] v = new float[hw];
            float mn = Float.POSITIVE_INFINITY, mx = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < hw; i++) { v[i] = Math.abs(one.data()[c * hw + i]); mn = Math.min(mn, v[i]); }
            for (int i = 0; i < hw; i++) { v[i] -= mn; mx = Math.max(mx, v[i]); }
            double num = 0, den = 0;
            for (int i = 0; i < hw; i++) {
                float nv = v[i] / mx;
                den += nv;
                if (mask[i]) num += nv;
            }
            score[c] = (float) (num / den);
        }
        Integer[] idx = new Integer[k];
        for (int i = 0; i < k; i++) idx[i] = i;
        // numpy argsort puts NaN last.
        Arrays.sort(idx, (p1, p2) -> Float.compare(nanLast(score[p1]), nanLast(score[p2])));
        int take = (int) (k * ratioChannelsToAblate);
        List<Integer> chosen = new ArrayList<>();
        for (int i = 0; i < take; i++) chosen.add(idx[k - 1 - i]);
        for (int i = 0; i < take; i++) chosen.add(idx[i]);
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    private static float nanLast(float v) { return Float.isNaN(v) ? Float.POSITIVE_INFINITY : v; }
}
