package dev.candela.explain.cam;

/**
 * {@code sklearn.linear_model.Lasso(alpha).fit(X, y, sample_weight=w)} as scikit-learn 1.2 computes it for a
 * dense X (LIME's surrogate in Captum): the weights are rescaled to sum to n; X and y are centred on their
 * weighted means and multiplied by sqrt(w); cyclic coordinate descent on
 * {@code 1/2 ||y - X b||^2 + alpha n ||b||_1} from b = 0, stopped by the duality gap (checked when the largest
 * coefficient change of a sweep is below {@code tol} times the largest coefficient, or on the last sweep)
 * falling under {@code tol * y.y}; the intercept is {@code mean(y) - mean(X) . b}. Same order of updates
 * and the same stopping rule, so the same coefficients to rounding.
 */
final class WeightedLasso {
    private WeightedLasso() {}

    /** scikit-learn's defaults. */
    static final int MAX_ITER = 1000;
    static final double TOL = 1e-4;

    /**
     * @param coefficients one per feature
     * @param intercept    the fitted intercept
     * @param iterations   coordinate-descent sweeps made (sklearn's {@code n_iter_})
     * @param gap          the last duality gap computed (unscaled; sklearn reports it divided by n)
     * @param converged    whether the gap fell under the tolerance within {@code maxIter} sweeps
     */
    record Fit(double[] coefficients, double intercept, int iterations, double gap, boolean converged) {}

    static Fit fit(double[][] x, double[] y, double[] w, double alpha) { return fit(x, y, w, alpha, MAX_ITER, TOL); }

    static Fit fit(double[][] x, double[] y, double[] w, double alpha, int maxIter, double tol) {
        int n = x.length, p = n == 0 ? 0 : x[0].length;
        if (n == 0) throw new IllegalArgumentException("Lasso needs at least one sample");
        double wsum = 0;
        for (double v : w) wsum += v;
        if (!(wsum > 0)) throw new IllegalArgumentException("Lasso sample weights must have a positive sum, got " + wsum);
        double[] sw = new double[n];
        for (int i = 0; i < n; i++) sw[i] = w[i] * (n / wsum);
        double swSum = 0;
        for (double v : sw) swSum += v;
        // weighted means (np.average), centring, then sqrt(w) scaling (_preprocess_data, _rescale_data)
        double[] xOff = new double[p];
        double yOff = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < p; j++) xOff[j] += x[i][j] * sw[i];
            yOff += y[i] * sw[i];
        }
        for (int j = 0; j < p; j++) xOff[j] /= swSum;
        yOff /= swSum;
        double[][] xs = new double[p][n]; // column-major, as the Cython loop reads it
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            double s = Math.sqrt(sw[i]);
            for (int j = 0; j < p; j++) xs[j][i] = (x[i][j] - xOff[j]) * s;
            ys[i] = (y[i] - yOff) * s;
        }
        double l1 = alpha * n; // enet_path: l1_reg = alpha * l1_ratio * n_samples, l2_reg = 0
        double[] b = new double[p];
        double[] norm = new double[p];
        for (int j = 0; j < p; j++) norm[j] = dot(xs[j], xs[j]);
        double[] r = ys.clone();
        double tolGap = tol * dot(ys, ys);
        double gap = tol + 1;
        boolean converged = false;
        int iter = 0;
        for (iter = 0; iter < maxIter; iter++) {
            double wMax = 0, dwMax = 0;
            for (int j = 0; j < p; j++) {
                if (norm[j] == 0) continue;
                double old = b[j];
                if (old != 0) axpy(old, xs[j], r);
                double t = dot(xs[j], r);
                b[j] = Math.signum(t) * Math.max(Math.abs(t) - l1, 0) / norm[j];
                if (b[j] != 0) axpy(-b[j], xs[j], r);
                dwMax = Math.max(dwMax, Math.abs(b[j] - old));
                wMax = Math.max(wMax, Math.abs(b[j]));
            }
            if (wMax == 0 || dwMax / wMax < tol || iter == maxIter - 1) {
                double dual = 0;
                for (int j = 0; j < p; j++) dual = Math.max(dual, Math.abs(dot(xs[j], r)));
                double rNorm2 = dot(r, r), c;
                if (dual > l1) {
                    c = l1 / dual;
                    gap = 0.5 * (rNorm2 + rNorm2 * c * c);
                } else {
                    c = 1;
                    gap = rNorm2;
                }
                double l1Norm = 0;
                for (double v : b) l1Norm += Math.abs(v);
                gap += l1 * l1Norm - c * dot(r, ys);
                if (gap < tolGap) {
                    converged = true;
                    break;
                }
            }
        }
        int sweeps = Math.min(iter + 1, maxIter);
        double intercept = yOff;
        for (int j = 0; j < p; j++) intercept -= xOff[j] * b[j];
        return new Fit(b, intercept, sweeps, gap, converged);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) y[i] += a * x[i];
    }
}
