package dev.candela.explain.sampled;

import dev.candela.explain.attribution.Reference;
import dev.candela.explain.cam.LayerEvidence;
import dev.candela.explain.display.DisplayMap;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.run.GradientRule;
import dev.candela.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * GradientSHAP / expected gradients (Lundberg and Lee 2017; Erion et al. 2021) as Captum's {@code GradientShap}
 * computes it: for each input x and each of {@code samples} draws, a baseline b picked uniformly from the
 * baseline distribution, Gaussian noise e (standard deviation {@code stdev}) added to the input, and a point
 * t uniform in [0, 1); the attribution is the mean over draws of (x + e - b) * grad f(t (x + e) + (1 - t) b).
 * Its expectation over infinitely many draws is the expected gradients value, whose sum over the input equals
 * E_b[f(x) - f(b)] when stdev is 0.
 *
 * <p>Draws come from {@code java.util.Random(seed)} in Captum's order, over the expanded rows (input i, draw
 * s at row i * samples + s): every row's baseline index ({@code nextInt(K)}), then the noise of every element
 * of every row ({@code stdev * nextGaussian()}, only when stdev > 0), then every row's t ({@code nextDouble()}).
 * Points run through forward and backward in batches sized by the memory budget.
 *
 * @param samples   draws per input (Captum {@code n_samples}, default 5)
 * @param stdev     noise standard deviation (Captum {@code stdevs}, default 0)
 * @param baselines the baseline distribution: a given .npy of K items (every row draws from the same K), or a
 *                  reference made from each input (zeros, blur, constant: K = 1 per row)
 * @param seed      seed of the draws
 */
public record GradientShap(int samples, double stdev, Reference baselines, long seed) implements SampledMethod {
    public GradientShap {
        if (samples < 1 || samples > 100_000) throw new IllegalArgumentException("gradient-shap: n-samples must be in 1..100000, got " + samples);
        if (!(stdev >= 0) || Double.isInfinite(stdev)) throw new IllegalArgumentException("gradient-shap: stdevs must be finite and >= 0, got " + stdev);
    }

    public static GradientShap defaults() { return new GradientShap(5, 0.0, new Reference.Zeros(), 0); }

    public String name() { return "gradient-shap"; }

    public DisplayMap.Pixels display() { return DisplayMap.SIGNED_SUM; }

    public Map<String, Object> options() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n_samples", samples);
        m.put("stdevs", stdev);
        m.put("baselines", baselines.describe());
        m.put("seed", seed);
        return m;
    }

    /** The draws for R inputs with K baselines each: index per expanded row, noise per element (or null), t per row. */
    public record Draws(int[] index, float[] noise, float[] t) {}

    public Draws draws(int rows, int k, int itemSize) {
        Random r = new Random(seed);
        int n = Math.multiplyExact(rows, samples);
        int[] idx = new int[n];
        for (int j = 0; j < n; j++) idx[j] = r.nextInt(k);
        float[] noise = null;
        if (stdev > 0) {
            noise = new float[Math.multiplyExact(n, itemSize)];
            for (int i = 0; i < noise.length; i++) noise[i] = (float) (stdev * r.nextGaussian());
        }
        float[] t = new float[n];
        for (int j = 0; j < n; j++) t[j] = (float) r.nextDouble();
        return new Draws(idx, noise, t);
    }

    public Tensor attribute(LayerEvidence e) {
        Tensor x = e.input();
        int rows = e.rows(), size = x.shape().itemSize();
        boolean shared = baselines instanceof Reference.Given g && g.value().shape().itemSize() == size;
        Tensor dist = shared ? ((Reference.Given) baselines).value() : baselines.of(x);
        int k = shared ? dist.dim(0) : 1;
        return attribute(e.executor(), x, (row, logits) -> e.targets().get(row).objective().seed(logits), dist, shared, draws(rows, k, size));
    }

    /** The backward seed of row {@code row} given the logits at a point. */
    @FunctionalInterface
    public interface Seeds {
        float[] seed(int row, float[] logits);
    }

    /**
     * GradientSHAP with the given draws: {@code dist} holds K baselines shared by all rows ({@code shared}) or
     * one baseline per row.
     */
    public static Tensor attribute(Executor ex, Tensor x, Seeds seeds, Tensor dist, boolean shared, Draws d) {
        int rows = x.dim(0), size = x.shape().itemSize(), n = d.t().length, samples = n / rows;
        int bs = Math.max(1, Math.min(n, dev.candela.run.ForwardChecks.itemsWithin(ex.graph(), dev.candela.io.Limits.batchMemoryBytes()) / 2));
        String in = ex.graph().input(), out = ex.graph().output();
        double[] acc = new double[rows * size];
        for (int from = 0; from < n; from += bs) {
            int to = Math.min(n, from + bs), len = to - from;
            float[] pts = new float[len * size], diff = new float[len * size];
            for (int j = from; j < to; j++) {
                int row = j / samples, b = shared ? d.index()[j] : row;
                float t = d.t()[j], u = 1f - t;
                for (int i = 0; i < size; i++) {
                    float xi = x.data()[row * size + i];
                    if (d.noise() != null) xi += d.noise()[j * size + i];
                    float bi = dist.data()[b * size + i];
                    pts[(j - from) * size + i] = t * xi + u * bi;
                    diff[(j - from) * size + i] = xi - bi;
                }
            }
            Activations fwd = ex.forward(new Tensor(x.shape().withDim(0, len), pts));
            Tensor logits = fwd.output();
            int classes = logits.shape().itemSize();
            float[] seed = new float[len * classes];
            for (int j = from; j < to; j++) {
                float[] row = java.util.Arrays.copyOfRange(logits.data(), (j - from) * classes, (j - from + 1) * classes);
                System.arraycopy(seeds.seed(j / samples, row), 0, seed, (j - from) * classes, classes);
            }
            Tensor g = ex.backward(fwd, out, new Tensor(logits.shape(), seed), Set.of(in), GradientRule.INSTANCE).get(in);
            for (int j = from; j < to; j++) {
                int row = j / samples;
                for (int i = 0; i < size; i++) acc[row * size + i] += diff[(j - from) * size + i] * g.data()[(j - from) * size + i];
            }
        }
        float[] res = new float[rows * size];
        for (int i = 0; i < res.length; i++) res[i] = (float) (acc[i] / samples);
        return new Tensor(x.shape(), res);
    }
}
