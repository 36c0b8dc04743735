package dev.candela.metrics;


/**
 * ROAD's noisy linear imputer (Rong et al. 2022, as shipped in pytorch-grad-cam): every removed pixel
 * takes the weighted mean of its 8 neighbours (weight 1/6 for the 4 axial, 1/12 for the 4 diagonal
 * neighbours; neighbours outside the image are dropped and the mean is over the remaining weights),
 * neighbours that are themselves removed being unknowns. That is one sparse linear system per
 * image, with every channel as a right-hand side: for removed pixel i,
 * {@code sum_j w_ij * v_i - sum_{j removed} w_ij v_j = sum_{j kept} w_ij x_j}.
 * Then {@code noise * N(0,1)} is added to every imputed value ({@code noise = 0.01}), in float32
 * as the reference does.
 *
 * <p>The system matrix is symmetric (the weights are symmetric in the offset) and positive
 * definite whenever some pixel is kept (the 8-neighbour grid is connected, so every group of
 * removed pixels reaches a kept one). It is solved directly, like the reference's {@code spsolve}:
 * a Cholesky factorisation in double precision over the matrix envelope (unknowns in row-major
 * pixel order, so a row's envelope is at most one image row wide and there is no fill outside it),
 * then one forward and one backward substitution per channel. Iterative solvers (conjugate
 * gradients) were tried first and need thousands of iterations on large holes at 224x224.
 * If no pixel is kept at all the system is singular (pytorch-grad-cam then gets NaN); we impute
 * zeros plus noise and report it through {@link #lastWasDegenerate()}.
 */
public final class NoisyLinearImputer {
    private static final int[] DY = {1, 0, -1, 1, 0, -1, 1, -1};
    private static final int[] DX = {1, 1, 1, -1, -1, -1, 0, 0};
    private static final double[] W = {1 / 12.0, 1 / 6.0, 1 / 12.0, 1 / 12.0, 1 / 6.0, 1 / 12.0, 1 / 6.0, 1 / 6.0};

    private final double noise;
    private volatile boolean degenerate;

    public NoisyLinearImputer() { this(0.01); }

    public NoisyLinearImputer(double noise) {
        if (!(noise >= 0)) throw new IllegalArgumentException("noise must be >= 0, got " + noise);
        this.noise = noise;
    }

    public boolean lastWasDegenerate() { return degenerate; }

    /**
     * @param img  C*H*W values of one image
     * @param keep H*W flags, true = pixel kept, false = imputed
     * @return a new C*H*W array
     */
    public float[] impute(float[] img, int c, int h, int w, boolean[] keep, NoiseSource source) {
        int hw = h * w;
        if (img.length != c * hw || keep.length != hw) throw new IllegalArgumentException("image/mask sizes do not match " + c + "x" + h + "x" + w);
        int[] var = new int[hw];
        int m = 0;
        for (int p = 0; p < hw; p++) var[p] = keep[p] ? -1 : m++;
        int[] pixel = new int[m];
        for (int p = 0; p < hw; p++) if (!keep[p]) pixel[var[p]] = p;
        boolean singular = m == hw && m > 0;
        degenerate = singular;
        float[] out = img.clone();
        float[] g = source.gaussians(c * m);
        if (m == 0) return out;

        // Envelope: row i of the lower triangle is stored from first[i] to i.
        int[] first = new int[m];
        long[] start = new long[m + 1];
        for (int i = 0; i < m; i++) {
            int p = pixel[i], y = p / w, x = p % w, f = i;
            for (int k = 0; k < 8; k++) {
                int yy = y + DY[k], xx = x + DX[k];
                if (yy < 0 || xx < 0 || yy >= h || xx >= w || keep[yy * w + xx]) continue;
                f = Math.min(f, var[yy * w + xx]);
            }
            first[i] = f;
            start[i + 1] = start[i] + (i - f + 1);
        }
        if (start[m] > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("imputation system too large: " + start[m] + " envelope entries");
        double[] l = new double[(int) start[m]];
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
                } else if (var[q] < i) {
                    l[(int) start[i] + var[q] - first[i]] = -W[k];
                }
            }
            l[(int) start[i] + i - first[i]] = sum;
        }
        if (!singular) factor(l, first, start, m);
        for (int ch = 0; ch < c; ch++) {
            double[] v = rhs[ch];
            if (singular) java.util.Arrays.fill(v, 0);
            else solve(l, first, start, m, v);
            for (int i = 0; i < m; i++) {
                // pytorch-grad-cam: float32(solution) + noise * randn, in float32
                out[ch * hw + pixel[i]] = (float) v[i] + (float) noise * g[ch * m + i];
            }
        }
        return out;
    }

    /** In-place Cholesky A = L L^T over the envelope (row-oriented). */
    private static void factor(double[] l, int[] first, long[] start, int m) {
        for (int i = 0; i < m; i++) {
            int si = (int) start[i], fi = first[i];
            for (int j = fi; j <= i; j++) {
                int sj = (int) start[j], fj = first[j];
                int lo = Math.max(fi, fj);
                double s = l[si + j - fi];
                s -= dot(l, si + lo - fi, sj + lo - fj, j - lo);
                if (j < i) {
                    l[si + j - fi] = s / l[sj + j - fj];
                } else {
                    if (!(s > 0)) throw new IllegalStateException("imputation system is not positive definite at unknown " + i);
                    l[si + i - fi] = Math.sqrt(s);
                }
            }
        }
    }

    /** sum_k l[a+k] * l[b+k]: the inner loop of the factorisation, in vector lanes where the Vector API runs. */
    private static double dot(double[] l, int a, int b, int n) {
        return dev.candela.tensor.VectorOps.dot(l, a, l, b, n);
    }

    private static void solve(double[] l, int[] first, long[] start, int m, double[] v) {
        for (int i = 0; i < m; i++) {
            int si = (int) start[i], fi = first[i];
            double s = v[i];
            for (int k = fi; k < i; k++) s -= l[si + k - fi] * v[k];
            v[i] = s / l[si + i - fi];
        }
        for (int i = m - 1; i >= 0; i--) {
            int si = (int) start[i], fi = first[i];
            v[i] /= l[si + i - fi];
            double vi = v[i];
            for (int k = fi; k < i; k++) v[k] -= l[si + k - fi] * vi;
        }
    }
}
