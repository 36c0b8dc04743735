package dev.candela.metrics;

import dev.candela.tensor.Tensor;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Deletion and insertion curves (Petsiuk et al. 2018, RISE). Pixels are ranked by map value,
 * highest first (ties by position, a stable sort). <b>Deletion</b> replaces the top-ranked pixels
 * (all channels) by the deletion substrate, progressively; <b>insertion</b> starts from the
 * insertion substrate and restores the top-ranked pixels from the input. The curve is the target
 * score against the fraction of pixels changed and the metric is the trapezoid area under it.
 * Deletion: lower is better; insertion: higher is better.
 * <ul>
 *   <li>{@link Convention#RISE} (default): {@code step} pixels per point, {@code n = ceil(HW/step)}
 *       steps, point {@code i} has {@code min(i step, HW)} pixels changed, plotted at {@code i/n};
 *       AUC = {@code (sum s - s_0/2 - s_n/2) / n}. Substrates: zeros for deletion, a Gaussian blur
 *       of the input (11x11, sigma 5) for insertion.</li>
 *   <li>{@link Convention#TORCHCAM} ({@code DeletionInsertionMetric}): {@code steps} intervals,
 *       {@code step = ceil(HW/steps)}, counts {@code 0, step, 2 step, ..., HW} plotted at
 *       {@code count/HW}; one baseline (zeros by default) for both curves; trapezoid over those
 *       fractions.</li>
 * </ul>
 * Perturbed inputs are built a chunk at a time and scored as one batch per chunk.
 */
public final class DeletionInsertion {
    public enum Convention { RISE, TORCHCAM }

    public enum Kind { DELETION, INSERTION }

    /** One image's curve: scores at the given fractions of pixels changed. */
    public record Curve(double[] fractions, float[] scores) {
        public double auc() { return trapezoid(fractions, scores); }
    }

    private final Convention convention;
    private final int stepOrSteps;
    private final Substrate deletionSubstrate;
    private final Substrate insertionSubstrate;
    private final int chunk;

    private DeletionInsertion(Convention convention, int stepOrSteps, Substrate deletion, Substrate insertion, int chunk) {
        if (stepOrSteps < 1) throw new IllegalArgumentException("step must be >= 1, got " + stepOrSteps);
        if (chunk < 1) throw new IllegalArgumentException("chunk must be >= 1, got " + chunk);
        this.convention = convention;
        this.stepOrSteps = stepOrSteps;
        this.deletionSubstrate = deletion;
        this.insertionSubstrate = insertion;
        this.chunk = chunk;
    }

    /** RISE with {@code step} pixels per point (RISE's demo uses the image width, 224). */
    public static DeletionInsertion rise(int step) {
        return new DeletionInsertion(Convention.RISE, step, Substrate.zeros(), Substrate.riseBlur(), 64);
    }

    /** TorchCAM with {@code steps} intervals (TorchCAM's default is 20) and a zero baseline. */
    public static DeletionInsertion torchCam(int steps) {
        return new DeletionInsertion(Convention.TORCHCAM, steps, Substrate.zeros(), Substrate.zeros(), 32);
    }

    public DeletionInsertion withSubstrates(Substrate deletion, Substrate insertion) {
        return new DeletionInsertion(convention, stepOrSteps, deletion, insertion, chunk);
    }

    /** At most this many perturbed inputs are materialised and scored together. */
    public DeletionInsertion withChunk(int chunk) {
        return new DeletionInsertion(convention, stepOrSteps, deletionSubstrate, insertionSubstrate, chunk);
    }

    public Convention convention() { return convention; }

    /** Pixel counts changed at each point of the curve, for an image of {@code pixels} pixels. */
    public int[] counts(int pixels) {
        return switch (convention) {
            case RISE -> {
                int n = (pixels + stepOrSteps - 1) / stepOrSteps;
                int[] c = new int[n + 1];
                for (int i = 0; i <= n; i++) c[i] = (int) Math.min((long) i * stepOrSteps, pixels);
                yield c;
            }
            case TORCHCAM -> {
                int step = (pixels + stepOrSteps - 1) / stepOrSteps;
                int n = (pixels + step - 1) / step;
                int[] c = new int[n + 1];
                for (int i = 0; i < n; i++) c[i] = i * step;
                c[n] = pixels;
                yield c;
            }
        };
    }

    private double[] fractions(int[] counts, int pixels) {
        double[] f = new double[counts.length];
        int n = counts.length - 1;
        for (int i = 0; i < f.length; i++) {
            f[i] = switch (convention) {
                case RISE -> (double) i / n;
                case TORCHCAM -> (double) (float) ((float) counts[i] / pixels);
            };
        }
        return f;
    }

    /** The curves of every image of the batch. */
    public Curve[] curves(Kind kind, Scorer scorer, MapBatch batch) {
        int pixels = batch.pixels();
        int[] counts = counts(pixels);
        double[] fractions = fractions(counts, pixels);
        Tensor substrate = (kind == Kind.DELETION ? deletionSubstrate : insertionSubstrate).apply(batch.inputs());
        Curve[] out = new Curve[batch.size()];
        int c = batch.channels(), item = c * pixels;
        float[] x = batch.inputData(), base = substrate.data();
        for (int i = 0; i < batch.size(); i++) {
            int[] rank = ranks(batch.map(i));
            float[] scores = new float[counts.length];
            int[] target = new int[Math.min(chunk, counts.length)];
            for (int from = 0; from < counts.length; from += chunk) {
                int to = Math.min(counts.length, from + chunk);
                float[] perturbed = new float[(to - from) * item];
                for (int p = from; p < to; p++) {
                    int k = counts[p];
                    int off = (p - from) * item;
                    for (int ch = 0; ch < c; ch++) {
                        int src = i * item + ch * pixels, dst = off + ch * pixels;
                        for (int q = 0; q < pixels; q++) {
                            boolean changed = rank[q] < k;
                            // deletion: changed pixels come from the substrate; insertion: changed pixels are restored
                            boolean fromInput = kind == Kind.DELETION ? !changed : changed;
                            perturbed[dst + q] = fromInput ? x[src + q] : base[src + q];
                        }
                    }
                }
                int[] t = to - from == target.length ? target : new int[to - from];
                Arrays.fill(t, batch.targets()[i]);
                float[] s = scorer.scores(Tensor.of(perturbed, to - from, c, batch.height(), batch.width()), t);
                System.arraycopy(s, 0, scores, from, to - from);
            }
            out[i] = new Curve(fractions, scores);
        }
        return out;
    }

    /** Rank of each pixel when sorted by value, highest first, ties in index order. */
    static int[] ranks(float[] map) {
        Integer[] order = IntStream.range(0, map.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer q) -> map[q]).reversed());
        int[] rank = new int[map.length];
        for (int r = 0; r < order.length; r++) rank[order[r]] = r;
        return rank;
    }

    /** Trapezoid area under (x, y). */
    public static double trapezoid(double[] x, float[] y) {
        double a = 0;
        for (int i = 1; i < x.length; i++) a += (x[i] - x[i - 1]) * ((double) y[i] + y[i - 1]) / 2;
        return a;
    }

    /** The AUC of one kind of curve as an {@link ImageMetric}. */
    public ImageMetric auc(Kind kind) {
        DeletionInsertion self = this;
        String name = (kind == Kind.DELETION ? "deletion" : "insertion") + (convention == Convention.TORCHCAM ? "-torchcam" : "");
        return new ImageMetric() {
            @Override public String name() { return name; }
            @Override public boolean higherIsBetter() { return kind == Kind.INSERTION; }
            @Override public double[] evaluate(Scorer scorer, MapBatch batch) {
                Curve[] cs = self.curves(kind, scorer, batch);
                double[] r = new double[cs.length];
                for (int i = 0; i < cs.length; i++) r[i] = cs[i].auc();
                return r;
            }
        };
    }
}
