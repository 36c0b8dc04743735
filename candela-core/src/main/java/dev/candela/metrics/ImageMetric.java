package dev.candela.metrics;

/** A metric that gives one number per explained image, computed from model scores alone. */
public interface ImageMetric {
    /** Lower-case hyphenated name, as used on the command line and in result files. */
    String name();

    boolean higherIsBetter();

    /** One value per image of the batch. */
    double[] evaluate(Scorer scorer, MapBatch batch);
}
