package dev.candela.explain;

import java.util.ArrayDeque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The source of randomness of noisy methods (Smooth Grad-CAM++, SS-CAM, Random-CAM). Injectable so runs
 * are reproducible and so tests can replay the exact noise a reference library drew.
 */
public interface Noise {

    /** Fills {@code out} with samples of N(0, std^2). */
    void gaussian(float[] out, double std);

    /** Fills {@code out} with samples of U(lo, hi). */
    void uniform(float[] out, double lo, double hi);

    /** A seeded pseudo-random source (same seed, same samples). */
    static Noise seeded(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return new Noise() {
            public synchronized void gaussian(float[] out, double std) {
                for (int i = 0; i < out.length; i++) out[i] = (float) (nextGaussian(r) * std);
            }

            public synchronized void uniform(float[] out, double lo, double hi) {
                for (int i = 0; i < out.length; i++) out[i] = (float) (lo + (hi - lo) * r.nextDouble());
            }
        };
    }

    /**
     * A seed for one (image, method) pair from a run's seed, independent of the order of work and of the other
     * images and methods of the run (the same mixing as the evaluation's per-image seeds).
     */
    static long seedFor(long seed, String image, String method) {
        long h = seed * 0x9E3779B97F4A7C15L;
        h ^= image.hashCode() * 0xC2B2AE3D27D4EB4FL;
        h ^= (long) method.hashCode() << 17;
        return h ^ (h >>> 31);
    }

    /**
     * Replays recorded arrays in order (each call consumes the next one, which must have the
     * requested length). The recorded values are used as they are: {@code std}, {@code lo} and {@code hi}
     * are ignored because the recording already has them applied.
     */
    static Noise replay(List<float[]> arrays) {
        ArrayDeque<float[]> q = new ArrayDeque<>(arrays);
        return new Noise() {
            public synchronized void gaussian(float[] out, double std) { next(out); }

            public synchronized void uniform(float[] out, double lo, double hi) { next(out); }

            private void next(float[] out) {
                float[] a = q.poll();
                if (a == null) throw new IllegalStateException("replayed noise exhausted");
                if (a.length != out.length) throw new IllegalStateException("replayed noise has " + a.length + " values, " + out.length + " requested");
                System.arraycopy(a, 0, out, 0, a.length);
            }
        };
    }

    private static double nextGaussian(SplittableRandom r) {
        // Box-Muller on two uniforms from r: deterministic and independent of java.util.Random.
        double u1 = 1.0 - r.nextDouble(), u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
