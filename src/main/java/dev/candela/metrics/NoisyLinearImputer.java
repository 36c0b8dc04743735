package dev.candela.metrics;

/**
 * ROAD's noisy linear imputer (Rong et al. 2022, as shipped in pytorch-grad-cam): every removed pixel
 * takes the weighted mean of its 8 neighbours (weight 1/6 for the 4 axial, 1/12 for the 4 diagonal
 * neighbours; neighbours outside the image are dropped and the remaining weights are not
 * renormalised by anything but their own sum), neighbours that are themselves removed being
 * unknowns. That is one sparse linear system per image, with every channel as a right-hand side:
 * for removed pixel i, {@code sum_j w_ij * v_i - sum_{j removed} w_ij v_j = sum_{j kept} w_ij x_j}.
 * Then {@code noise * N(0,1)} is added to every imputed value ({@code noise = 0.01}).
 *
 * <p>The system matrix is symmetric (the weights are symmetric in the offset) and diagonally
 * dominant, positive definite whenever every connected group of removed pixels touches a kept pixel,
 * so it is solved by conjugate gradients in double precision to a relative residual of
 * {@code 1e-10}. If no pixel is kept at all the system is singular (pytorch-grad-cam's spsolve then
 * returns NaN); we then impute zeros plus noise and say so in {@link #lastWasDegenerate()}.
 */
public final class NoisyLinearImputer {
    private static final int[] DY = {1, 0, -1, 1, 0, -1, 1, -1};
    private static final int[] DX = {1, 1, 1, -1, -1, -1, 0, 0};
    private static final double[] W = {1 / 12.0, 1 / 6.0, 1 / 12.0, 1 / 12.0, 1 / 6.0, 1 / 12.0, 1 / 6.0, 1 / 6.0};

    private final double noise;
    private final double tolerance;
    private boolean degenerate;

    public NoisyLinearImputer() { this(0.01, 1e-10); }

    public NoisyLinearImputer(double noise, double tolerance) {
        if (noise < 0) throw new IllegalArgumentException("noise must be >= 0, got " + noise);
        this.noise = noise;
        this.tolerance = tolerance;
    }

    public boolean lastWasDegenerate() { return degenerate; }

    /**
     * @param img  C*H*W values of one image
     * @param keep H*W flags, true = pixel kept, false = imputed
     * @return a new C*H*W array
     */
    public float[] impute(float[] img, int c, int h, int w, boolean[] keep, NoiseSource source) {
        int hw = h * w;
        int[] var = new int[hw];
        int m = 0;
        for (int p = 0; p < hw; p++) var[p] = keep[p] ? -1 : m++;
        int[] pixel = new int[m];
        for (int p = 0; p < hw; p++) if (!keep[p]) pixel[var[p]] = p;
        // CSR-like: for each unknown, up to 8 neighbour unknowns with weights.
        double[] diag = new double[m];
        int[] nbr = new int[m * 8];
        double[] nw = new double[m * 8];
        int[] nCount = new int[m];
        double[][] rhs = new double[c][m];
        for (int i = 0; i < m; i++) {
            int p = pixel[i], y = p / w, x = p % w;
            double sum = 0;
            for (int k = 0; k < 8; k++) {
                int yy = y + DY[k], xx = x + DX[k];
                if (yy < 0 || xx < 0 || yy >= h || xx >= w) continue;
                sum += W[k];
                int q = yy * w + xx;
                if (keep[q]) {
                    for (int ch = 0; ch < c; ch++) rhs[ch][i] += W[k] * img[ch * hw + q];
                } else {
                    nbr[i * 8 + nCount[i]] = var[q];
                    nw[i * 8 + nCount[i]] = W[k];
                    nCount[i]++;
                }
            }
            diag[i] = sum;
        }
        degenerate = m == hw && m > 0;
        float[] out = img.clone();
        float[] g = source.gaussians(c * m);
        for (int ch = 0; ch < c; ch++) {
            double[] v = degenerate ? new double[m] : conjugateGradient(diag, nbr, nw, nCount, rhs[ch]);
            for (int i = 0; i < m; i++) {
                // pytorch-grad-cam: float32(solution) + noise * randn, in float32
                out[ch * hw + pixel[i]] = (float) v[i] + (float) noise * g[ch * m + i];
            }
        }
        return out;
    }

    private double[] conjugateGradient(double[] diag, int[] nbr, double[] nw, int[] nCount, double[] b) {
        int m = b.length;
        double[] x = new double[m], r = b.clone(), z = new double[m], p = new double[m], q = new double[m];
        double bnorm = Math.sqrt(dot(b, b));
        if (bnorm == 0) return x;
        for (int i = 0; i < m; i++) z[i] = r[i] / diag[i];
        System.arraycopy(z, 0, p, 0, m);
        double rz = dot(r, z);
        int maxIter = Math.max(100, 20 * m);
        for (int it = 0; it < maxIter; it++) {
            for (int i = 0; i < m; i++) {
                double s = diag[i] * p[i];
                for (int k = 0; k < nCount[i]; k++) s -= nw[i * 8 + k] * p[nbr[i * 8 + k]];
                q[i] = s;
            }
            double alpha = rz / dot(p, q);
            double rr = 0;
            for (int i = 0; i < m; i++) {
                x[i] += alpha * p[i];
                r[i] -= alpha * q[i];
                rr += r[i] * r[i];
            }
            if (Math.sqrt(rr) <= tolerance * bnorm) break;
            for (int i = 0; i < m; i++) z[i] = r[i] / diag[i];
            double rzNew = dot(r, z);
            double beta = rzNew / rz;
            rz = rzNew;
            for (int i = 0; i < m; i++) p[i] = z[i] + beta * p[i];
        }
        return x;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
