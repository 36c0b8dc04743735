package dev.candela.explain.cam;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.Locale;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * KPCA-CAM (Karmani et al. 2024) as pytorch-grad-cam's {@code KPCA_CAM} computes it
 * ({@code get_2d_projection_kernel}): per image the h*w positions are samples of K features, centred per
 * feature; scikit-learn's {@code KernelPCA(n_components=1, kernel, gamma)} projects them on the first kernel
 * principal component: kernel matrix (gamma default 1/K, coef0 1, degree 3), centred (KernelCenterer),
 * eigenvector v of its largest eigenvalue lambda with the sign that makes v's largest |entry| positive
 * (svd_flip), projection v * sqrt(lambda) (lambda below 0 taken as 0). The projection is the raw map. Computed in
 * double (scikit-learn computes in the activations' float32; scikit-learn uses ARPACK instead of a dense
 * solver above 200 positions: the same vector up to its tolerance).
 *
 * @param kernel sigmoid (pytorch-grad-cam's default), rbf, poly, linear or cosine
 * @param gamma  kernel coefficient, NaN for scikit-learn's default 1 / K
 */
public record KpcaCam(String kernel, double gamma) implements CamMethod {
    public KpcaCam {
        kernel = kernel.trim().toLowerCase(Locale.ROOT);
        if (!java.util.List.of("sigmoid", "rbf", "poly", "linear", "cosine").contains(kernel)) {
            throw new IllegalArgumentException("kpca-cam: kernel must be sigmoid, rbf, poly, linear or cosine, got '" + kernel + "'");
        }
        if (Double.isInfinite(gamma)) throw new IllegalArgumentException("kpca-cam: gamma must be finite");
    }

    public KpcaCam() { this("sigmoid", Double.NaN); }

    public String name() { return "kpca-cam"; }

    public Weights weights(LayerEvidence e) {
        Tensor a = e.activations();
        int r = a.dim(0), k = a.dim(1), h = a.dim(2), w = a.dim(3), n = h * w;
        float[] out = new float[r * n];
        for (int row = 0; row < r; row++) {
            double[][] x = new double[n][k];
            for (int c = 0; c < k; c++) {
                double mean = 0;
                for (int i = 0; i < n; i++) {
                    float v = a.data()[(row * k + c) * n + i];
                    x[i][c] = Float.isNaN(v) ? 0 : v;
                    mean += x[i][c];
                }
                mean /= n;
                for (int i = 0; i < n; i++) x[i][c] -= mean;
            }
            double[] p = firstComponent(kernelMatrix(x, k), n);
            for (int i = 0; i < n; i++) out[row * n + i] = (float) p[i];
        }
        return new Weights.RawMap(new Tensor(Shape.of(r, h, w), out), null);
    }

    double[][] kernelMatrix(double[][] x, int features) {
        int n = x.length;
        double g = Double.isNaN(gamma) ? 1.0 / features : gamma;
        double[][] km = new double[n][n];
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) norms[i] = Math.sqrt(dot(x[i], x[i]));
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double d = dot(x[i], x[j]);
                double v = switch (kernel) {
                    case "linear" -> d;
                    case "poly" -> Math.pow(g * d + 1, 3);
                    case "sigmoid" -> Math.tanh(g * d + 1);
                    case "rbf" -> Math.exp(-g * Math.max(0, norms[i] * norms[i] + norms[j] * norms[j] - 2 * d));
                    case "cosine" -> norms[i] == 0 || norms[j] == 0 ? 0 : d / (norms[i] * norms[j]);
                    default -> throw new IllegalStateException(kernel);
                };
                km[i][j] = km[j][i] = v;
            }
        }
        return km;
    }

    private static double dot(double[] u, double[] v) {
        double s = 0;
        for (int i = 0; i < u.length; i++) s += u[i] * v[i];
        return s;
    }

    /** Centres the kernel matrix, takes its top eigenpair, sign by svd_flip, returns v * sqrt(max(lambda, 0)). */
    static double[] firstComponent(double[][] km, int n) {
        double[] colMean = new double[n];
        double all = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) colMean[j] += km[i][j] / n;
        for (int j = 0; j < n; j++) all += colMean[j] / n;
        DMatrixRMaj m = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) m.set(i, j, km[i][j] - colMean[i] - colMean[j] + all);
        double largest = 0, kmax = 0;
        for (int i = 0; i < n * n; i++) largest = Math.max(largest, Math.abs(m.data[i]));
        for (double[] rowK : km) for (double v : rowK) kmax = Math.max(kmax, Math.abs(v));
        // a constant kernel (an all-zero layer) centres to 0 up to rounding: eigenvalue 0, projection 0 (scikit-learn's sqrt(0))
        if (largest <= 1e-12 * kmax) return new double[n];
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eig.decompose(m)) throw new IllegalStateException("kpca-cam: eigen-decomposition failed (largest centred kernel entry " + largest + ")");
        int best = -1;
        double top = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < eig.getNumberOfEigenvalues(); i++) {
            double v = eig.getEigenvalue(i).getReal();
            if (v > top) {
                top = v;
                best = i;
            }
        }
        DMatrixRMaj vec = eig.getEigenVector(best);
        double[] v = new double[n];
        int arg = 0;
        double norm = 0;
        for (int i = 0; i < n; i++) {
            v[i] = vec.get(i, 0);
            norm += v[i] * v[i];
            if (Math.abs(v[i]) > Math.abs(v[arg])) arg = i;
        }
        norm = Math.sqrt(norm);
        double scale = (v[arg] < 0 ? -1 : 1) * Math.sqrt(Math.max(top, 0)) / (norm == 0 ? 1 : norm);
        for (int i = 0; i < n; i++) v[i] *= scale;
        return v;
    }
}
