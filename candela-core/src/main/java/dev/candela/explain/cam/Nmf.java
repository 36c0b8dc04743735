package dev.candela.explain.cam;

/**
 * Non-negative matrix factorisation X ~ W H as scikit-learn 1.2.1 computes it for
 * {@code NMF(n_components, init='random', random_state=seed)} with its other defaults (solver 'cd',
 * Frobenius loss, no regularisation, no shuffling, tol 1e-4, max_iter 200) on float32 data:
 * <ul>
 *   <li>init ({@code _initialize_nmf}, 'random'): avg = sqrt(mean(X) / n) in float32; H = |avg * N(0,1)|
 *       (n x features, drawn first), then W = |avg * N(0,1)| (samples x n), from NumPy's
 *       {@code RandomState(seed).standard_normal};</li>
 *   <li>each iteration ({@code _fit_coordinate_descent}): one cyclic coordinate-descent sweep over W
 *       (components outer, samples inner, {@code _update_cdnmf_fast}) with HHt = H H^T and XHt = X H^T
 *       computed once per sweep, then the same sweep over H^T with W^T W and X^T W;</li>
 *   <li>stop when the summed absolute projected gradient of the sweep, relative to the first iteration's,
 *       is at most tol (or the first one is 0), or after max_iter iterations.</li>
 * </ul>
 * W, H, the Gram matrices and the sweep's arithmetic are float32 as in scikit-learn; the Gram products are
 * accumulated in double and rounded once (BLAS sgemm accumulates in float32 in its own order: the one
 * source of difference, amplified by the iterations when they do not converge).
 */
final class Nmf {
    private Nmf() {}

    /** The factors: W (samples x n, row-major), H (n x features, row-major) and the iterations run. */
    record Result(float[] w, float[] h, int samples, int features, int components, int iterations) {}

    /**
     * Factorises X (samples x features, row-major, non-negative).
     *
     * @throws IllegalArgumentException if X has a negative or non-finite entry
     */
    static Result fit(float[] x, int samples, int features, int n, long seed, double tol, int maxIter) {
        if (n < 1) throw new IllegalArgumentException("NMF: components must be >= 1, got " + n);
        double sum = 0;
        for (float v : x) {
            if (!(v >= 0) || Float.isInfinite(v)) throw new IllegalArgumentException("NMF: the matrix must be finite and non-negative, found " + v);
            sum += v;
        }
        float mean = (float) (sum / x.length);
        float avg = (float) Math.sqrt(mean / (float) n);
        LegacyRandomState rng = new LegacyRandomState(seed);
        float[] h = new float[n * features], w = new float[samples * n];
        for (int i = 0; i < h.length; i++) h[i] = Math.abs(avg * (float) rng.standardNormal());
        for (int i = 0; i < w.length; i++) w[i] = Math.abs(avg * (float) rng.standardNormal());
        // H^T (features x n), the layout scikit-learn updates in place
        float[] ht = new float[features * n];
        for (int k = 0; k < n; k++) for (int j = 0; j < features; j++) ht[j * n + k] = h[k * features + j];
        float[] xt = new float[features * samples];
        for (int i = 0; i < samples; i++) for (int j = 0; j < features; j++) xt[j * samples + i] = x[i * features + j];
        double violationInit = 0;
        int iter;
        for (iter = 1; iter <= maxIter; iter++) {
            double violation = 0;
            violation += sweep(x, samples, features, w, ht, n);
            violation += sweep(xt, features, samples, ht, w, n);
            if (iter == 1) violationInit = violation;
            if (violationInit == 0) break;
            if (violation / violationInit <= tol) break;
        }
        int iterations = Math.min(iter, maxIter);
        for (int k = 0; k < n; k++) for (int j = 0; j < features; j++) h[k * features + j] = ht[j * n + k];
        return new Result(w, h, samples, features, n, iterations);
    }

    /**
     * One coordinate-descent sweep over W (a x n) for X (a x b) ~ W Ht^T (scikit-learn's
     * {@code _update_coordinate_descent} + {@code _update_cdnmf_fast}); returns the summed |projected gradient|.
     */
    private static float sweep(float[] x, int a, int b, float[] w, float[] ht, int n) {
        float[] hht = new float[n * n], xht = new float[a * n];
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < n; r++) {
                double s = 0;
                for (int j = 0; j < b; j++) s += (double) ht[j * n + t] * ht[j * n + r];
                hht[t * n + r] = (float) s;
            }
        }
        for (int i = 0; i < a; i++) {
            for (int t = 0; t < n; t++) {
                double s = 0;
                for (int j = 0; j < b; j++) s += (double) x[i * b + j] * ht[j * n + t];
                xht[i * n + t] = (float) s;
            }
        }
        float violation = 0;
        for (int t = 0; t < n; t++) {
            float hess = hht[t * n + t];
            for (int i = 0; i < a; i++) {
                float grad = -xht[i * n + t];
                for (int r = 0; r < n; r++) grad += hht[t * n + r] * w[i * n + r];
                float pg = w[i * n + t] == 0 ? Math.min(0f, grad) : grad;
                violation = (float) (violation + (double) Math.abs(pg));
                if (hess != 0) w[i * n + t] = Math.max(w[i * n + t] - grad / hess, 0f);
            }
        }
        return violation;
    }
}
