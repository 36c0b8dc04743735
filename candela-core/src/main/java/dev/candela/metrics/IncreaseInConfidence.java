package dev.candela.metrics;

/**
 * Increase in Confidence (Chattopadhyay et al. 2018): per image {@code 1} if the score of the masked
 * input {@code x * L} exceeds the score of {@code x}, else {@code 0}. pytorch-grad-cam's
 * {@code IncreaseInConfidence} tests {@code O - Y > 0} in float32 and TorchCAM tests {@code Y < O};
 * for finite floats both are the same predicate, so there is one convention. Higher is better.
 */
public final class IncreaseInConfidence implements ImageMetric {
    @Override public String name() { return "increase-in-confidence"; }

    @Override public boolean higherIsBetter() { return true; }

    @Override public double[] evaluate(Scorer scorer, MapBatch batch) {
        float[] y = scorer.scores(batch.inputs(), batch.targets());
        float[] o = scorer.scores(batch.masked(m -> m), batch.targets());
        double[] r = new double[y.length];
        for (int i = 0; i < y.length; i++) r[i] = o[i] - y[i] > 0 ? 1 : 0;
        return r;
    }
}
