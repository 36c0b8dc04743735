package dev.candela.metrics;

/**
 * Average Drop in Deletion (Jung and Oh 2021, LIFT-CAM): the relative fall of the target score when
 * the explained region is removed, i.e. the input is multiplied by {@code 1 - L}. With {@code Y} the
 * score of {@code x} and {@code D} the score of {@code x * (1 - L)}: per image {@code (Y - D) / Y}
 * (signed, not clipped). Higher is better.
 */
public final class AverageDropInDeletion implements ImageMetric {
    @Override public String name() { return "average-drop-in-deletion"; }

    @Override public boolean higherIsBetter() { return true; }

    @Override public double[] evaluate(Scorer scorer, MapBatch batch) {
        float[] y = scorer.scores(batch.inputs(), batch.targets());
        float[] d = scorer.scores(batch.masked(m -> 1.0 - m), batch.targets());
        double[] r = new double[y.length];
        for (int i = 0; i < y.length; i++) r[i] = ((double) y[i] - d[i]) / y[i];
        return r;
    }
}
