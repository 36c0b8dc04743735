package dev.candela.metrics;

import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ROAD, RemOve And Debias (Rong et al. 2022), with pytorch-grad-cam's conventions. For a percentile
 * {@code p} of the map values of one image ({@code numpy.percentile}, linear interpolation):
 * <ul>
 *   <li>{@link Order#MOST_RELEVANT_FIRST} keeps the pixels with {@code L < percentile_p(L)} and imputes
 *       the rest (so about {@code 100 - p} percent, the most relevant, are removed);</li>
 *   <li>{@link Order#LEAST_RELEVANT_FIRST} keeps the pixels with {@code 1 - L < percentile_p(1 - L)}
 *       (about {@code p} percent, the most relevant) and imputes the rest.</li>
 * </ul>
 * Removed pixels are filled by the {@link NoisyLinearImputer}. The value is the score of the imputed
 * input minus the score of the original. The sweep averages it over percentiles (default 10, 20,
 * ..., 90) and the combined score is {@code (mean LeRF - mean MoRF) / 2}: higher is better for
 * LeRF and combined, lower (more negative) is better for MoRF.
 *
 * <p>The combined score runs the LeRF sweep before the MoRF sweep and each percentile over the
 * images in order, the order pytorch-grad-cam draws its noise in.
 */
public final class Road {
    public enum Order { MOST_RELEVANT_FIRST, LEAST_RELEVANT_FIRST }

    public static final double[] DEFAULT_PERCENTILES = {10, 20, 30, 40, 50, 60, 70, 80, 90};

    private final NoisyLinearImputer imputer;
    private final NoiseSource noise;

    public Road(NoisyLinearImputer imputer, NoiseSource noise) {
        this.imputer = imputer;
        this.noise = noise;
    }

    /** The standard imputer (noise 0.01) with noise drawn from a seeded source. */
    public static Road seeded(long seed) { return new Road(new NoisyLinearImputer(), NoiseSource.seeded(seed)); }

    /** Score after imputation minus the original score, per image, at one percentile. */
    public float[] at(Order order, double percentile, Scorer scorer, MapBatch batch) {
        float[] y = scorer.scores(batch.inputs(), batch.targets());
        float[] s = scorer.scores(imputed(order, percentile, batch), batch.targets());
        float[] r = new float[y.length];
        for (int i = 0; i < y.length; i++) r[i] = s[i] - y[i];
        return r;
    }

    /** The inputs with the pixels {@code order} removes at {@code percentile} imputed. */
    public Tensor imputed(Order order, double percentile, MapBatch batch) {
        if (!(percentile >= 0 && percentile <= 100)) throw new IllegalArgumentException("percentile must be in [0, 100], got " + percentile);
        int c = batch.channels(), h = batch.height(), w = batch.width(), hw = h * w, item = c * hw;
        float[] out = new float[batch.inputs().size()];
        for (int i = 0; i < batch.size(); i++) {
            boolean[] keep = keepMask(order, percentile, batch.map(i));
            float[] img = Arrays.copyOfRange(batch.inputData(), i * item, (i + 1) * item);
            System.arraycopy(imputer.impute(img, c, h, w, keep, noise), 0, out, i * item, item);
        }
        return new Tensor(batch.inputs().shape(), out);
    }

    static boolean[] keepMask(Order order, double percentile, float[] map) {
        float[] v = map.clone();
        if (order == Order.LEAST_RELEVANT_FIRST) for (int i = 0; i < v.length; i++) v[i] = 1f - v[i];
        double threshold = percentile(v, percentile);
        boolean[] keep = new boolean[v.length];
        for (int i = 0; i < v.length; i++) keep[i] = v[i] < threshold;
        return keep;
    }

    /** numpy.percentile with linear interpolation. */
    static double percentile(float[] values, double p) {
        float[] s = values.clone();
        Arrays.sort(s);
        double pos = p / 100.0 * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, s.length - 1);
        double frac = pos - lo;
        // numpy's _lerp: a + (b - a) * t, switched to b - (b - a) * (1 - t) for t >= 0.5
        double a = s[lo], b = s[hi], d = b - a;
        return frac >= 0.5 ? b - d * (1 - frac) : a + d * frac;
    }

    /**
     * Mean over percentiles of {@link #at}, per image. All imputed inputs of the sweep (percentile
     * outer, image inner: the reference's noise order) are scored as one batch.
     */
    public float[] sweep(Order order, double[] percentiles, Scorer scorer, MapBatch batch) {
        float[] y = scorer.scores(batch.inputs(), batch.targets());
        return sweepFrom(y, order, percentiles, scorer, batch);
    }

    private float[] sweepFrom(float[] y, Order order, double[] percentiles, Scorer scorer, MapBatch batch) {
        int n = batch.size();
        List<Tensor> parts = new ArrayList<>();
        int[] targets = new int[n * percentiles.length];
        for (int k = 0; k < percentiles.length; k++) {
            parts.add(imputed(order, percentiles[k], batch));
            System.arraycopy(batch.targets(), 0, targets, k * n, n);
        }
        float[] s = scorer.scores(Tensor.concatBatch(parts), targets);
        float[] acc = new float[n];
        for (int k = 0; k < percentiles.length; k++) {
            for (int i = 0; i < n; i++) acc[i] += s[k * n + i] - y[i];
        }
        for (int i = 0; i < n; i++) acc[i] /= percentiles.length;
        return acc;
    }

    /** (mean LeRF - mean MoRF) / 2, per image. */
    public float[] combined(double[] percentiles, Scorer scorer, MapBatch batch) {
        float[] y = scorer.scores(batch.inputs(), batch.targets());
        float[] lerf = sweepFrom(y, Order.LEAST_RELEVANT_FIRST, percentiles, scorer, batch);
        float[] morf = sweepFrom(y, Order.MOST_RELEVANT_FIRST, percentiles, scorer, batch);
        float[] r = new float[lerf.length];
        for (int i = 0; i < r.length; i++) r[i] = (lerf[i] - morf[i]) / 2;
        return r;
    }

    /** ROAD as {@link ImageMetric}s: "road-morf", "road-lerf", "road-combined" over {@code percentiles}. */
    public ImageMetric metric(String which, double[] percentiles) {
        Road self = this;
        return new ImageMetric() {
            @Override public String name() { return which; }
            @Override public boolean higherIsBetter() { return !which.equals("road-morf"); }
            @Override public double[] evaluate(Scorer scorer, MapBatch batch) {
                float[] r = switch (which) {
                    case "road-morf" -> self.sweep(Order.MOST_RELEVANT_FIRST, percentiles, scorer, batch);
                    case "road-lerf" -> self.sweep(Order.LEAST_RELEVANT_FIRST, percentiles, scorer, batch);
                    case "road-combined" -> self.combined(percentiles, scorer, batch);
                    default -> throw new IllegalArgumentException("unknown ROAD metric '" + which + "' (road-morf, road-lerf, road-combined)");
                };
                double[] d = new double[r.length];
                for (int i = 0; i < r.length; i++) d[i] = r[i];
                return d;
            }
        };
    }
}
