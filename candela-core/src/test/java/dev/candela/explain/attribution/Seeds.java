package dev.candela.explain.attribution;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.Random;
import java.util.stream.LongStream;

/** Our own small seed generator for property tests (jqwik is not used): a fixed, printed list of seeds. */
final class Seeds {
    private Seeds() {}

    /** Eight seeds from a SplitMix-like sequence (same every run). */
    static LongStream eight() {
        return LongStream.iterate(0x9E3779B97F4A7C15L, s -> s * 6364136223846793005L + 1442695040888963407L).limit(8).map(s -> s >>> 16);
    }

    static Tensor gaussian(long seed, double std, int... dims) {
        Random r = new Random(seed);
        Shape s = Shape.of(dims);
        float[] d = new float[s.size()];
        for (int i = 0; i < d.length; i++) d[i] = (float) (r.nextGaussian() * std);
        return new Tensor(s, d);
    }

    static Tensor uniform(long seed, double lo, double hi, int... dims) {
        Random r = new Random(seed);
        Shape s = Shape.of(dims);
        float[] d = new float[s.size()];
        for (int i = 0; i < d.length; i++) d[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return new Tensor(s, d);
    }
}
