package dev.candela.explain.cam;

import dev.candela.explain.Objective;
import dev.candela.explain.ResolvedTarget;
import dev.candela.run.Activations;
import dev.candela.run.GradientRule;
import dev.candela.tensor.Reductions;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * ShapleyCAM (Cai 2025, "CAMs as Shapley value-based explainers") as pytorch-grad-cam's {@code ShapleyCAM}
 * computes it: w_k = mean over h x w of (g - 0.5 H A)_k, where g = dT/dA and H A the Hessian-vector product of
 * the target T with the activations themselves (torch.autograd.grad of g with grad_outputs = A).
 *
 * <p>After the layer the networks Candela runs are piecewise linear (ReLU, max-pool, linear and affine ops), so
 * their second derivative is zero and H A = J^T H_T (J A), with J = dz/dA and H_T the Hessian of T in the
 * logits: zero for a logit (then ShapleyCAM is Grad-CAM, as pytorch-grad-cam gives with ClassifierOutputTarget),
 * the softmax Hessian for a {@code softmax:C} target (ClassifierOutputSoftmaxTarget), and -(diag p - p p^T)
 * for ReST, T = z_c - cross_entropy(z, c) (ClassifierOutputReST, the paper's target; option {@code target=rest}).
 * (J A)_j = sum (dz_j/dA) A is computed from one backward pass per class whose probability is at least
 * {@link #MIN_PROBABILITY} (the other classes' terms are scaled by their probability) on the input replicated,
 * and J^T u by one more backward pass: 1F + 1B + m(F + B) + 1B.
 *
 * @param rest explain ReST of the target class instead of the run's objective
 */
public record ShapleyCam(boolean rest) implements CamMethod {
    /** Classes below this probability are left out of J A (their Hessian terms carry the factor p_j). */
    public static final double MIN_PROBABILITY = 1e-9;

    public ShapleyCam() { this(false); }

    public String name() { return "shapley-cam"; }

    public boolean usesGradients() { return true; }

    public Weights weights(LayerEvidence e) {
        Tensor z = e.logits(), a = e.activations();
        int r = e.rows(), classes = z.shape().itemSize(), size = a.shape().itemSize();
        String layer = e.layer(), out = e.graph().output();
        float[] seeds = new float[r * classes], us = new float[r * classes];
        boolean anyHessian = false;
        for (int row = 0; row < r; row++) {
            ResolvedTarget t = e.targets().get(row);
            float[] zr = java.util.Arrays.copyOfRange(z.data(), row * classes, (row + 1) * classes);
            double[] p = Objective.softmax(zr);
            int c = t.classIndex();
            if (rest && c < 0) throw new IllegalArgumentException("shapley-cam(target=rest) explains one class; got " + t.description());
            float[] seed = rest ? restSeed(p, c) : t.objective().seed(zr);
            System.arraycopy(seed, 0, seeds, row * classes, classes);
            boolean hessian = rest || t.objective() instanceof Objective.Probability;
            if (!hessian) continue;
            anyHessian = true;
            List<Integer> kept = new ArrayList<>();
            for (int j = 0; j < classes; j++) if (p[j] >= MIN_PROBABILITY || j == c) kept.add(j);
            double[] v = jacobianTimesActivations(e, row, kept, classes, size);
            double pv = 0;
            for (int j : kept) pv += p[j] * v[j];
            double[] u = new double[classes];
            if (rest) {
                for (int j : kept) u[j] = -(p[j] * v[j] - p[j] * pv);
            } else {
                // T = p_c: H = p_c [(e_c - p)(e_c - p)^T - (diag p - p p^T)]
                double ev = v[c] - pv;
                for (int j = 0; j < classes; j++) {
                    double ej = (j == c ? 1 : 0) - p[j];
                    u[j] = p[c] * (ej * ev - (p[j] * v[j] - p[j] * pv));
                }
            }
            for (int j = 0; j < classes; j++) us[row * classes + j] = (float) u[j];
        }
        Tensor g = e.executor().backward(e.head(), out, new Tensor(z.shape(), seeds), Set.of(layer), GradientRule.INSTANCE).get(layer);
        float[] w = g.data().clone();
        if (anyHessian) {
            Tensor hvp = e.executor().backward(e.head(), out, new Tensor(z.shape(), us), Set.of(layer), GradientRule.INSTANCE).get(layer);
            for (int i = 0; i < w.length; i++) w[i] = g.data()[i] - 0.5f * hvp.data()[i];
        }
        return new Weights.PerChannel(Reductions.spatialMean(new Tensor(g.shape(), w)));
    }

    /** (J A)_j for the kept classes of one row: the input row replicated, one backward pass with one-hot seeds. */
    private static double[] jacobianTimesActivations(LayerEvidence e, int row, List<Integer> kept, int classes, int size) {
        Tensor x = e.input();
        int m = kept.size(), item = x.shape().itemSize();
        float[] rep = new float[m * item];
        for (int i = 0; i < m; i++) System.arraycopy(x.data(), row * item, rep, i * item, item);
        Activations fwd = e.executor().forward(new Tensor(x.shape().withDim(0, m), rep));
        float[] seed = new float[m * classes];
        for (int i = 0; i < m; i++) seed[i * classes + kept.get(i)] = 1;
        Tensor g = e.executor().backward(fwd, e.graph().output(), new Tensor(fwd.output().shape(), seed), Set.of(e.layer()), GradientRule.INSTANCE).get(e.layer());
        Tensor a = e.activations();
        double[] v = new double[classes];
        for (int i = 0; i < m; i++) {
            double s = 0;
            for (int q = 0; q < size; q++) s += (double) g.data()[i * size + q] * a.data()[row * size + q];
            v[kept.get(i)] = s;
        }
        return v;
    }

    /** d/dz of z_c - (logsumexp(z) - z_c) = 2 e_c - p. */
    private static float[] restSeed(double[] p, int c) {
        float[] s = new float[p.length];
        for (int j = 0; j < p.length; j++) s[j] = (float) ((j == c ? 2 : 0) - p[j]);
        return s;
    }
}
