package dev.candela.explain.cam;

import dev.candela.explain.Objective;
import dev.candela.explain.display.DisplayMap;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deep Feature Factorization (Collins, Achanta &amp; Süsstrunk, ECCV 2018) as pytorch-grad-cam's
 * {@code DeepFeatureFactorization} / {@code dff()} computes it, one image at a time ({@code run_dff_on_image}):
 * the layer's activations as a K x (h*w) matrix (NaN to 0), each channel shifted by its minimum so the matrix is
 * non-negative, factorised by scikit-learn's NMF ({@code init='random', random_state=0}, coordinate descent,
 * tol 1e-4, max_iter 200: {@link Nmf}) into n concept embeddings (W plus the channel minima, K x n) and n
 * concept maps (H, n x h x w). Each concept's class scores are the softmax of the classifier head applied to
 * its embedding ({@code computation_on_concepts}, then {@code torch.softmax} in run_dff_on_image).
 *
 * <p>The head is the part of the network after the layer, run on a field that holds the concept's embedding
 * at every position: for a head that starts with global average pooling (ResNets, MobileNets) that is exactly
 * the reference's {@code model.fc(concept)}; tensors that bypass the layer come from the image's clean pass.
 *
 * <p>The map shown (and scored by {@code evaluate}) is the concept map of the concept that explains the
 * target best: the highest softmax score of the target class (for a target of several classes, the highest
 * objective on the concept's head output; the first concept on ties). Every concept map (at input resolution,
 * pytorch-grad-cam's {@code scale_cam_image}), the embeddings, the head outputs and all class scores are in the
 * audit ({@code explain} writes them as {@code dff.concept_maps.npy}, {@code dff.concepts.npy},
 * {@code dff.head_outputs.npy} and {@code dff.class_scores.npy}).
 *
 * @param components the number of concepts n (NMF's n_components; 5 as {@code dff()} and run_dff_on_image, whose
 *                   defaults the tutorials use; {@code DeepFeatureFactorization.__call__} alone defaults to 16); at
 *                   most the layer's channel count K (scikit-learn would accept more; K channels span at most K)
 */
public record Dff(int components) implements CamMethod {
    /** scikit-learn NMF settings pytorch-grad-cam uses (random_state=0 and NMF's defaults). */
    static final long SEED = 0;
    static final double TOL = 1e-4;
    static final int MAX_ITER = 200;

    public Dff {
        if (components < 1) throw new IllegalArgumentException("dff: components must be >= 1, got " + components);
    }

    public Dff() { this(5); }

    public String name() { return "dff"; }

    public DisplayMap.Layered display() { return DisplayMap.DFF; }

    public Weights weights(LayerEvidence e) {
        Tensor a = e.activations();
        if (a.shape().rank() != 4) throw new IllegalArgumentException("dff: the layer must be K x h x w per image, got shape " + a.shape());
        int rows = a.dim(0), k = a.dim(1), h = a.dim(2), w = a.dim(3), hw = h * w, n = components;
        // scikit-learn would factorise into more concepts than channels, but K channels span at most K concepts,
        // and a huge n only overflows the concept arrays: refuse it in one line.
        if (n > k) throw new IllegalArgumentException("dff: components must be at most the layer's " + k + " channels, got " + n);
        int classes = e.logits().shape().itemSize();
        float[] shown = new float[rows * hw], nmfMaps = new float[rows * n * hw], concepts = new float[rows * k * n], scores = new float[rows * n * classes],
                headOut = new float[rows * n * classes];
        int[] chosen = new int[rows], iterations = new int[rows];
        double[] chosenScore = new double[rows];
        List<List<Map<String, Object>>> top = new ArrayList<>();
        Factorised[] done = new Factorised[rows];
        for (int row = 0; row < rows; row++) {
            // rows of one image (several targets) share its factorisation: the target only picks the concept shown
            for (int q = 0; q < row && done[row] == null; q++) {
                if (e.targets().get(q).image() == e.targets().get(row).image()
                        && java.util.Arrays.equals(a.data(), q * k * hw, (q + 1) * k * hw, a.data(), row * k * hw, (row + 1) * k * hw)) done[row] = done[q];
            }
            if (done[row] == null) done[row] = factorise(e, row);
            Nmf.Result f = done[row].nmf();
            float[][] out = done[row].headOutputs();
            iterations[row] = f.iterations();
            System.arraycopy(f.h(), 0, nmfMaps, row * n * hw, n * hw);
            System.arraycopy(done[row].embeddings(), 0, concepts, row * k * n, k * n);
            Objective objective = e.targets().get(row).objective();
            int cls = objective.classIndex();
            List<Map<String, Object>> rowTop = new ArrayList<>();
            double best = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                System.arraycopy(out[j], 0, headOut, (row * n + j) * classes, classes);
                double[] p = Objective.softmax(out[j]);
                for (int q = 0; q < classes; q++) scores[(row * n + j) * classes + q] = (float) p[q];
                double s = cls >= 0 ? (float) p[cls] : objective.score(out[j]);
                if (s > best) {
                    best = s;
                    chosen[row] = j;
                }
                rowTop.add(topClasses(p, 2, e.model()));
            }
            chosenScore[row] = best;
            top.add(rowTop);
            System.arraycopy(f.h(), chosen[row] * hw, shown, row * hw, hw);
        }
        int outH = e.input().dim(2), outW = e.input().dim(3);
        Tensor conceptMaps = display().layer(new Tensor(Shape.of(rows * n, h, w), nmfMaps), outH, outW, e.options().resize(), true)
                .reshape(rows, n, outH, outW);
        Map<String, Object> audit = new LinkedHashMap<>();
        audit.put("components", n);
        audit.put("nmf", "scikit-learn 1.2.1 NMF(init='random', random_state=" + SEED + ", solver='cd', tol=" + TOL + ", max_iter=" + MAX_ITER + ")");
        audit.put("nmf_iterations", iterations);
        audit.put("concept", chosen);
        audit.put("concept_score", chosenScore);
        audit.put("concept_top_classes", top);
        audit.put("concept_maps", conceptMaps);
        audit.put("concepts", new Tensor(Shape.of(rows, k, n), concepts));
        audit.put("head_outputs", new Tensor(Shape.of(rows, n, classes), headOut));
        audit.put("class_scores", new Tensor(Shape.of(rows, n, classes), scores));
        return new Weights.Audited(new Weights.RawMap(new Tensor(Shape.of(rows, h, w), shown), null), audit);
    }

    /** One image's NMF, its concept embeddings (K x n) and the head's output for each concept. */
    private record Factorised(Nmf.Result nmf, float[] embeddings, float[][] headOutputs) {}

    private Factorised factorise(LayerEvidence e, int row) {
        Tensor a = e.activations();
        int k = a.dim(1), hw = a.dim(2) * a.dim(3), n = components;
        float[] x = new float[k * hw], offset = new float[k];
        for (int c = 0; c < k; c++) {
            float mn = Float.POSITIVE_INFINITY;
            for (int i = 0; i < hw; i++) {
                float v = a.data()[(row * k + c) * hw + i];
                x[c * hw + i] = Float.isNaN(v) ? 0f : v;
                mn = Math.min(mn, x[c * hw + i]);
            }
            offset[c] = mn;
            for (int i = 0; i < hw; i++) x[c * hw + i] -= mn;
        }
        Nmf.Result f = Nmf.fit(x, k, hw, n, SEED, TOL, MAX_ITER);
        float[] emb = new float[k * n];
        for (int c = 0; c < k; c++) for (int j = 0; j < n; j++) emb[c * n + j] = f.w()[c * n + j] + offset[c];
        float[][] out = new float[n][];
        e.scoreFromLayer(name() + " image " + (e.targets().get(row).image() + 1) + " concepts", n, j -> row, (j, item) -> {
            for (int c = 0; c < k; c++) java.util.Arrays.fill(item, c * hw, (c + 1) * hw, emb[c * n + j]);
        }, (j, logits) -> {
            out[j] = logits.clone();
            return 0;
        });
        return new Factorised(f, emb, out);
    }

    /** The k classes a concept scores highest (run_dff_on_image's legend, top_k = 2), with their labels. */
    private static Map<String, Object> topClasses(double[] p, int k, dev.candela.graph.Model model) {
        Integer[] idx = new Integer[p.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (u, v) -> Double.compare(p[v], p[u]));
        Map<String, Object> m = new LinkedHashMap<>();
        int[] c = new int[Math.min(k, p.length)];
        double[] s = new double[c.length];
        String[] labels = new String[c.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = idx[i];
            s[i] = p[idx[i]];
            labels[i] = model.label(idx[i]);
        }
        m.put("classes", c);
        m.put("labels", labels);
        m.put("scores", s);
        return m;
    }
}
