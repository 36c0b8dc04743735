package dev.candela.explain.attribution;

import dev.candela.graph.Graph;
import dev.candela.image.Resize;
import dev.candela.run.Executor;
import dev.candela.tensor.Tensor;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * LIFT-CAM (Jung and Oh, ICCV 2021): CAM coefficients phi_k = DeepLIFT estimates of the Shapley values
 * of the activation maps A^k for the head F that follows the target layer, against all-zero maps.
 * The reference is injected at the target layer and the head runs on the pair (A, 0) as one batch of
 * 2N, so F^c(0) (= phi_0) and every downstream reference value come from the same pass; nothing
 * upstream of the layer is re-run. Post-processing as the official code: ReLU of sum_k phi_k A^k,
 * bilinear (align_corners=False) to the input size, min-max (a constant map is left as it is).
 */
public final class LiftCam {
    private final Executor executor;
    private final DeepLift deepLift;

    public LiftCam(Executor executor, DeepLiftOptions options) {
        this.executor = executor;
        this.deepLift = new DeepLift(executor, options);
    }

    public LiftCam(Executor executor) { this(executor, DeepLiftOptions.captum()); }

    /** LIFT-CAM of the given target rows ([N or 1, outputs]); null = the arg-max class of each item. */
    public LiftCamResult explain(Tensor input, String layer, Tensor targetWeights) {
        requireCut(executor.graph(), layer);
        var fwd = executor.forward(input, Set.of(layer));
        Tensor a = fwd.get(layer);
        Tensor w = targetWeights != null ? targetWeights
                : TargetWeights.oneHot(fwd.output().shape().itemSize(), TargetWeights.argmax(fwd.output()));
        return fromActivation(a, layer, w, input.dim(2), input.dim(3));
    }

    /**
     * LIFT-CAM from target-layer activations already computed ([N, K, h, w]); the map is resized to
     * outH x outW (outH = 0: no final map, for callers with their own pipeline).
     */
    public LiftCamResult fromActivation(Tensor a, String layer, Tensor targetWeights, int outH, int outW) {
        if (a.rank() != 4) throw new IllegalArgumentException("LIFT-CAM needs a [N, K, h, w] layer, got " + a.shape() + " at '" + layer + "'");
        DeepLiftResult r = deepLift.attributeFrom(layer, a, Tensor.zeros(a.shape()), targetWeights, layer, null);
        int n = a.dim(0), k = a.dim(1), hw = a.dim(2) * a.dim(3);
        double[][] phi = new double[n][k];
        float[] c = r.attributions().data();
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < k; ch++) {
                double s = 0;
                for (int i = 0; i < hw; i++) s += c[(b * k + ch) * hw + i];
                phi[b][ch] = s;
            }
        Tensor w = TargetWeights.forBatch(targetWeights, n, r.outputs().shape().itemSize());
        double[] y = TargetWeights.score(r.outputs(), w), y0 = TargetWeights.score(r.referenceOutputs(), w);
        double[] residual = new double[n];
        for (int b = 0; b < n; b++) {
            double s = 0;
            for (double p : phi[b]) s += p;
            residual[b] = s - (y[b] - y0[b]);
        }
        Tensor raw = combine(a, phi);
        Tensor map = outH > 0 ? postProcess(raw, outH, outW) : null;
        return new LiftCamResult(layer, w, phi, y, y0, residual, r.attributions(), raw, map);
    }

    /** sum_k phi_k A^k per item: [N, h, w]. */
    static Tensor combine(Tensor a, double[][] phi) {
        int n = a.dim(0), k = a.dim(1), h = a.dim(2), wd = a.dim(3), hw = h * wd;
        float[] out = new float[n * hw];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < hw; i++) {
                double s = 0;
                for (int ch = 0; ch < k; ch++) s += phi[b][ch] * a.data()[(b * k + ch) * hw + i];
                out[b * hw + i] = (float) s;
            }
        return Tensor.of(out, n, h, wd);
    }

    /** ReLU, bilinear (half-pixel) to outH x outW, then min-max per item; a constant map is left unchanged. */
    public static Tensor postProcess(Tensor raw, int outH, int outW) {
        int n = raw.dim(0), h = raw.dim(1), w = raw.dim(2);
        float[] out = new float[n * outH * outW];
        for (int b = 0; b < n; b++) {
            float[] plane = new float[h * w];
            for (int i = 0; i < plane.length; i++) plane[i] = Math.max(raw.data()[b * h * w + i], 0f);
            float[] up = Resize.bilinear(plane, h, w, outH, outW, Resize.Mode.HALF_PIXEL);
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (float v : up) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
            for (int i = 0; i < up.length; i++) out[b * outH * outW + i] = hi > lo ? (up[i] - lo) / (hi - lo) : up[i];
        }
        return Tensor.of(out, n, outH, outW);
    }

    /**
     * The head F must be a function of the layer alone: every path from the graph input to the output
     * passes through it (otherwise "the rest of the network" is not defined by A).
     */
    static void requireCut(Graph g, String layer) {
        if (!g.hasTensor(layer)) throw new IllegalArgumentException("unknown layer tensor '" + layer + "'");
        if (layer.equals(g.input())) return;
        Set<String> reach = new HashSet<>(List.of(g.input()));
        for (var node : g.nodes()) {
            boolean fed = false;
            for (String t : node.inputs()) if (!t.equals(layer) && reach.contains(t)) fed = true;
            if (fed && !node.output().equals(layer)) reach.add(node.output());
        }
        if (reach.contains(g.output())) {
            throw new IllegalArgumentException("layer '" + layer + "' does not separate the input from the output (a skip connection bypasses it); LIFT-CAM needs a layer the whole head depends on alone");
        }
    }
}
