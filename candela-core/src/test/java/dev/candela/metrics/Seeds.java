package dev.candela.metrics;

import java.util.SplittableRandom;
import java.util.stream.LongStream;

/** The seeds property tests run over: a fixed, printed list from our own generator. */
final class Seeds {
    private Seeds() {}

    static LongStream some() { return few(8); }

    static LongStream few(int n) {
        SplittableRandom r = new SplittableRandom(20261121L);
        return LongStream.generate(() -> r.nextLong() & 0xffffffL).limit(n);
    }
}
