package dev.candela.explain.fgcam;

import dev.candela.tensor.Tensor;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * FG-CAM's denoising of the base components (official {@code FG_CAM.svd}): per batch item, NaN -> 0 and
 * +-inf -> +-max float, reshape to K x (H*W), subtract each row's mean, SVD, keep the top
 * d = floor(0.1 * min(K, H*W)) components (d = 0, i.e. all zeros, when min(K, H*W) &lt; 10, as in the official
 * code, which has no guard). The official code never adds the row means back, so every
 * channel then sums to 0 over space; {@code addMeansBack} is the documented alternative that restores them.
 */
public final class Denoising {
    private Denoising() {}

    public static int keptComponents(int channels, int pixels) {
        return (int) Math.floor(0.1 * Math.min(channels, pixels));
    }

    public static Tensor apply(Tensor components, boolean addMeansBack) {
        int n = components.dim(0), k = components.dim(1), hw = components.shape().itemSize() / k;
        float[] out = new float[components.size()];
        int d = keptComponents(k, hw);
        for (int b = 0; b < n; b++) {
            DMatrixRMaj m = new DMatrixRMaj(k, hw);
            double[] mean = new double[k];
            for (int c = 0; c < k; c++) {
                double s = 0;
                for (int i = 0; i < hw; i++) {
                    float v = components.data()[(b * k + c) * hw + i];
                    double x = Float.isNaN(v) ? 0 : v == Float.POSITIVE_INFINITY ? Float.MAX_VALUE : v == Float.NEGATIVE_INFINITY ? -Float.MAX_VALUE : v;
                    m.set(c, i, x);
                    s += x;
                }
                mean[c] = s / hw;
                for (int i = 0; i < hw; i++) m.set(c, i, m.get(c, i) - mean[c]);
            }
            DMatrixRMaj rec = new DMatrixRMaj(k, hw);
            if (d > 0) {
                SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(k, hw, true, true, false);
                if (!svd.decompose(m)) throw new IllegalStateException("SVD of the FG-CAM components did not converge");
                DMatrixRMaj u = svd.getU(null, false), w = svd.getW(null), vt = svd.getV(null, true);
                SingularOps_DDRM.descendingOrder(u, false, w, vt, true);
                DMatrixRMaj ud = CommonOps_DDRM.extract(u, 0, k, 0, d);
                for (int j = 0; j < d; j++) for (int c = 0; c < k; c++) ud.set(c, j, ud.get(c, j) * w.get(j, j));
                CommonOps_DDRM.mult(ud, CommonOps_DDRM.extract(vt, 0, d, 0, hw), rec);
            }
            for (int c = 0; c < k; c++)
                for (int i = 0; i < hw; i++)
                    out[(b * k + c) * hw + i] = (float) (rec.get(c, i) + (addMeansBack ? mean[c] : 0));
        }
        return new Tensor(components.shape(), out);
    }
}
