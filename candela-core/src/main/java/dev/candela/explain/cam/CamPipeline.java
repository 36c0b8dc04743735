package dev.candela.explain.cam;

import dev.candela.image.Resize;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * The raw-map steps every CAM method shares, defined once, with pytorch-grad-cam's conventions
 * (base_cam.py): raw = sum_k w_k A_k (or the method's own map), or its first principal component
 * (eigen smooth). How the raw map becomes the [0,1] map is the method's
 * {@link dev.candela.explain.display.DisplayMap}. Arithmetic is float32 like PGC's numpy, with channel
 * sums accumulated in double.
 */
public final class CamPipeline {
    /** pytorch-grad-cam's scale_cam_image epsilon. */
    public static final float EPS = 1e-7f;

    private CamPipeline() {}

    /** How Eigen-CAM style projections choose the sign of the principal component. */
    public enum EigenSign {
        /**
         * Deterministic: the larger of |max p| and |min p| is made positive (pytorch-grad-cam's
         * SegEigenCAM rule), so the ReLU keeps the dominant half of the component.
         */
        DOMINANT_POSITIVE,
        /** Whatever the SVD returns (pytorch-grad-cam's EigenCAM: LAPACK decides, maps may come out inverted). */
        AS_SVD
    }

    /** The raw map (R x h x w) of one layer, before ReLU and normalisation. */
    public static Tensor rawMaps(Weights w, Tensor activations, boolean eigenSmooth) {
        return switch (w) {
            case Weights.PerChannel pc -> eigenSmooth
                    ? projectWeighted(activations, pc.coefficients(), null)
                    : channelSum(activations, pc.coefficients(), null);
            case Weights.PerElement pe -> eigenSmooth
                    ? projectWeighted(activations, null, pe.weights())
                    : channelSum(activations, null, pe.weights());
            case Weights.RawMap rm -> rm.map();
            case Weights.FinalMap fm -> fm.map();
            case Weights.Audited a -> rawMaps(a.weights(), activations, eigenSmooth);
        };
    }

    public static Tensor coefficients(Weights w) {
        return switch (w) {
            case Weights.PerChannel pc -> pc.coefficients();
            case Weights.PerElement pe -> null;
            case Weights.RawMap rm -> rm.coefficients();
            case Weights.FinalMap fm -> fm.coefficients();
            case Weights.Audited a -> coefficients(a.weights());
        };
    }

    /** sum_k c_k A_k (coefficients R x K) or sum_k W_k A_k (element weights R x K x h x w). */
    static Tensor channelSum(Tensor a, Tensor coef, Tensor elem) {
        int r = a.dim(0), k = a.dim(1), hw = a.shape().itemSize() / k;
        float[] ad = a.data(), out = new float[r * hw];
        double[] acc = new double[hw];
        for (int n = 0; n < r; n++) {
            java.util.Arrays.fill(acc, 0);
            for (int c = 0; c < k; c++) {
                int base = (n * k + c) * hw;
                if (coef != null) {
                    float wc = coef.data()[n * k + c];
                    for (int i = 0; i < hw; i++) acc[i] += wc * ad[base + i];
                } else {
                    float[] ed = elem.data();
                    for (int i = 0; i < hw; i++) acc[i] += ed[base + i] * ad[base + i];
                }
            }
            for (int i = 0; i < hw; i++) out[n * hw + i] = (float) acc[i];
        }
        return new Tensor(Shape.of(r, a.dim(2), a.dim(3)), out);
    }

    /** PGC eigen_smooth: the first principal component of the weighted activations w_k A_k. */
    static Tensor projectWeighted(Tensor a, Tensor coef, Tensor elem) {
        int r = a.dim(0), k = a.dim(1), hw = a.shape().itemSize() / k;
        float[] weighted = new float[a.size()];
        for (int n = 0; n < r; n++) {
            for (int c = 0; c < k; c++) {
                int base = (n * k + c) * hw;
                for (int i = 0; i < hw; i++) {
                    float w = coef != null ? coef.data()[n * k + c] : elem.data()[base + i];
                    weighted[base + i] = w * a.data()[base + i];
                }
            }
        }
        return projection(new Tensor(a.shape(), weighted), EigenSign.DOMINANT_POSITIVE);
    }

    /**
     * PGC get_2d_projection: per row, M = A as (h*w) x K with NaN -> 0, columns centred by their spatial
     * mean, p = M v1 (v1 the first right singular vector) = sigma1 u1, reshaped h x w.
     */
    public static Tensor projection(Tensor a, EigenSign sign) {
        int r = a.dim(0), k = a.dim(1), h = a.dim(2), w = a.dim(3), hw = h * w;
        float[] out = new float[r * hw];
        for (int n = 0; n < r; n++) {
            DMatrixRMaj m = new DMatrixRMaj(hw, k);
            for (int c = 0; c < k; c++) {
                double mean = 0;
                int base = (n * k + c) * hw;
                for (int i = 0; i < hw; i++) {
                    float v = a.data()[base + i];
                    mean += Float.isNaN(v) ? 0 : v;
                }
                mean /= hw;
                for (int i = 0; i < hw; i++) {
                    float v = a.data()[base + i];
                    m.set(i, c, (Float.isNaN(v) ? 0 : v) - mean);
                }
            }
            double[] p = firstComponent(m);
            double mx = Double.NEGATIVE_INFINITY, mn = Double.POSITIVE_INFINITY;
            for (double v : p) { mx = Math.max(mx, v); mn = Math.min(mn, v); }
            boolean flip = sign == EigenSign.DOMINANT_POSITIVE && Math.abs(mn) > Math.abs(mx);
            for (int i = 0; i < hw; i++) out[n * hw + i] = (float) (flip ? -p[i] : p[i]);
        }
        return new Tensor(Shape.of(r, h, w), out);
    }

    /** sigma1 * u1 of m (rows x cols); zeros for an all-zero matrix. */
    private static double[] firstComponent(DMatrixRMaj m) {
        int rows = m.numRows;
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(m.numRows, m.numCols, true, false, true);
        if (!svd.decompose(m.copy())) throw new IllegalStateException("SVD did not converge");
        double[] s = svd.getSingularValues();
        int best = 0;
        for (int i = 1; i < svd.numberOfSingularValues(); i++) if (s[i] > s[best]) best = i;
        DMatrixRMaj u = svd.getU(null, false);
        double[] p = new double[rows];
        if (svd.numberOfSingularValues() == 0) return p;
        for (int i = 0; i < rows; i++) p[i] = u.get(i, best) * s[best];
        return p;
    }

    /** In place: x - min, then / (max + 1e-7), float32 like PGC's scale_cam_image. */
    public static void minMax(float[] d, int off, int len) { dev.candela.tensor.Reductions.rowMinMax(d, off, len, EPS); }

}
