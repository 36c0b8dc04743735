package dev.candela.metrics;

import java.util.SplittableRandom;

/**
 * Standard normal draws for the ROAD imputer. Injectable so ROAD is reproducible (pytorch-grad-cam
 * draws unseeded) and so tests can replay the exact arrays a reference run drew.
 */
@FunctionalInterface
public interface NoiseSource {
    /** {@code count} independent N(0, 1) values, for one imputation call. */
    float[] gaussians(int count);

    /** A deterministic source: same seed, same sequence of draws. */
    static NoiseSource seeded(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return count -> {
            float[] g = new float[count];
            synchronized (r) {
                for (int i = 0; i < count; i++) g[i] = (float) r.nextGaussian();
            }
            return g;
        };
    }
}
