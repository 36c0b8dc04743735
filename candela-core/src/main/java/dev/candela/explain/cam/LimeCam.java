package dev.candela.explain.cam;

import dev.candela.explain.display.DisplayMap;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LIME-CAM, as the LIFT-CAM authors ship it beside LIFT-CAM and LRP-CAM (Jung and Oh, ICCV 2021,
 * {@code Explanation.lime_cam}): Captum 0.4.0's {@code Lime} on the head F that follows the layer, one
 * interpretable feature per activation map. Per target row:
 * <ol>
 *   <li>{@code samples} coalitions z in {0,1}^K, each channel kept with probability 1/2 (the authors take
 *       {@code n_samples} = K, the number of channels: {@code samples = 0} here);</li>
 *   <li>the target score of F on the masked maps (A_k where z_k = 1, the zero map elsewhere): only the head
 *       runs, in batches;</li>
 *   <li>the weight exp(-d^2 / (2 width^2)) with d = 1 - cos(A, masked A) (Captum's default kernel, width 1);</li>
 *   <li>scikit-learn's Lasso (alpha 0.01, intercept fitted) of the scores on z with those sample weights
 *       ({@link WeightedLasso});</li>
 *   <li>the coefficients (as float32) are the channel weights: ReLU(sum_k c_k A_k), bilinear resize, then
 *       min-max, the authors' order ({@link DisplayMap#LIFT_CAM_AUTHORS}).</li>
 * </ol>
 * Draws come from the session's noise (the run's seed mixed with the image and the method label):
 * K uniforms per sample, row by row, channel k kept iff u_k &lt; 1/2 (torch.bernoulli's rule), so a replayed
 * source gives back a recorded coalition matrix. Cost: the forward pass to the layer, then
 * rows x samples forwards of the head.
 *
 * @param samples     coalitions per target row; 0 = the number of channels (the authors' choice)
 * @param kernelWidth width of the exponential kernel on the cosine distance
 * @param alpha       the Lasso's L1 weight (scikit-learn's {@code alpha})
 */
public record LimeCam(int samples, double kernelWidth, double alpha) implements CamMethod {
    /** Probability that a coalition keeps a channel (Captum's default perturbation). */
    public static final double KEEP = 0.5;
    /** The most coalitions per row (each is a forward of the head). */
    public static final int MAX_SAMPLES = 100_000;

    /** The authors' settings: K samples, kernel width 1, Lasso alpha 0.01. */
    public LimeCam() { this(0, 1.0, 0.01); }

    public LimeCam {
        if (samples > MAX_SAMPLES) throw new IllegalArgumentException("lime-cam: n-samples must be at most " + MAX_SAMPLES + ", got " + samples);
        if (samples < 0) throw new IllegalArgumentException("lime-cam: n-samples must be >= 1 (or 0 for the number of channels), got " + samples);
        if (!(kernelWidth > 0) || Double.isInfinite(kernelWidth)) throw new IllegalArgumentException("lime-cam: kernel-width must be a positive number, got " + kernelWidth);
        if (!(alpha > 0) || Double.isInfinite(alpha)) throw new IllegalArgumentException("lime-cam: alpha must be a positive number, got " + alpha);
    }

    @Override public String name() { return "lime-cam"; }

    /** The authors' code: ReLU at feature resolution, bilinear upsampling, then min-max. */
    @Override public DisplayMap.Layered display() { return DisplayMap.LIFT_CAM_AUTHORS; }

    @Override public Weights weights(LayerEvidence e) {
        Tensor a = e.activations();
        if (a.rank() != 4) throw new IllegalArgumentException("lime-cam needs a [N, K, h, w] layer, got " + a.shape() + " at '" + e.layer() + "'");
        int rows = a.dim(0), k = a.dim(1), n = samples > 0 ? samples : k;
        boolean[][] z = new boolean[rows * n][k];
        float[] u = new float[k];
        for (boolean[] zi : z) {
            e.noise().uniform(u, 0, 1);
            for (int c = 0; c < k; c++) zi[c] = u[c] < KEEP;
        }
        List<Row> fits = fit(e, z);
        float[] c = new float[rows * k];
        for (int r = 0; r < rows; r++) for (int j = 0; j < k; j++) c[r * k + j] = (float) fits.get(r).coefficients()[j];
        return new Weights.Audited(new Weights.PerChannel(new Tensor(Shape.of(rows, k), c)), manifest(n, fits));
    }

    /**
     * One row's surrogate: the coalitions (samples x K), the scores of the head on them, the kernel weights and
     * the Lasso's coefficients, intercept, sweeps and whether its duality gap met the tolerance.
     */
    public record Row(boolean[][] coalitions, double[] scores, double[] weights, double[] coefficients, double intercept,
                      int iterations, boolean converged) {}

    /**
     * The surrogates for given coalitions: rows x samples of them, row r's first (the order {@link #weights}
     * draws them in). Tests replay a reference's recorded draws through here.
     */
    public List<Row> fit(LayerEvidence e, boolean[][] z) {
        Tensor a = e.activations();
        int rows = a.dim(0), k = a.dim(1), hw = a.dim(2) * a.dim(3);
        if (z.length % rows != 0) throw new IllegalArgumentException("lime-cam: " + z.length + " coalitions for " + rows + " rows");
        int n = z.length / rows;
        for (boolean[] zi : z) if (zi.length != k) throw new IllegalArgumentException("lime-cam: a coalition has " + zi.length + " channels, the layer " + k);
        float[] ad = a.data();
        double[] y = e.scoreFromLayer(name(), z.length, j -> j / n, (j, item) -> {
            int base = (j / n) * k * hw;
            for (int c = 0; c < k; c++) if (z[j][c]) System.arraycopy(ad, base + c * hw, item, c * hw, hw);
        }, e.targetScore(j -> j / n));
        List<Row> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            // The masked map keeps whole channels, so A . masked A = |masked A|^2: cos = |masked A| / |A|.
            double[] norm2 = new double[k];
            double total = 0;
            for (int c = 0; c < k; c++) {
                double s = 0;
                for (int i = 0; i < hw; i++) {
                    double v = ad[(r * k + c) * hw + i];
                    s += v * v;
                }
                norm2[c] = s;
                total += s;
            }
            double[][] x = new double[n][k];
            double[] w = new double[n], ys = new double[n];
            boolean[][] zr = new boolean[n][];
            for (int s = 0; s < n; s++) {
                boolean[] zi = z[r * n + s];
                zr[s] = zi.clone();
                double kept = 0;
                for (int c = 0; c < k; c++) if (zi[c]) { x[s][c] = 1; kept += norm2[c]; }
                // torch's cosine_similarity: a zero vector has similarity 0 (its denominator is clamped to eps)
                double cos = kept > 0 && total > 0 ? Math.sqrt(kept) / Math.sqrt(total) : 0;
                double d = 1 - cos;
                w[s] = Math.exp(-d * d / (2 * kernelWidth * kernelWidth));
                ys[s] = y[r * n + s];
            }
            WeightedLasso.Fit f = WeightedLasso.fit(x, ys, w, alpha);
            out.add(new Row(zr, ys, w, f.coefficients(), f.intercept(), f.iterations(), f.converged()));
        }
        return out;
    }

    /** Manifest entries: the options and, per row, the surrogate's intercept, coefficients and convergence. */
    private Map<String, Object> manifest(int n, List<Row> fits) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples", n);
        m.put("keep_probability", KEEP);
        m.put("kernel", "exp(-d^2 / (2 width^2)), d = 1 - cos(A, masked A)");
        m.put("kernel_width", kernelWidth);
        m.put("surrogate", "sklearn Lasso(alpha), sample_weight = kernel, intercept fitted, max_iter " + WeightedLasso.MAX_ITER + ", tol " + WeightedLasso.TOL);
        m.put("alpha", alpha);
        List<Double> intercepts = new ArrayList<>();
        List<double[]> coefficients = new ArrayList<>();
        List<Integer> iterations = new ArrayList<>();
        List<Boolean> converged = new ArrayList<>();
        for (Row r : fits) {
            intercepts.add(r.intercept());
            coefficients.add(r.coefficients());
            iterations.add(r.iterations());
            converged.add(r.converged());
        }
        m.put("intercept", intercepts);
        m.put("coefficients", coefficients);
        m.put("lasso_iterations", iterations);
        m.put("converged", converged);
        return m;
    }
}
