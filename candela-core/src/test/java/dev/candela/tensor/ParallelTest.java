package dev.candela.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The loop runner every kernel uses: each index once, failures as thrown, safe under concurrent and nested use. */
class ParallelTest {

    @Test
    void everyIndexRunsExactlyOnceForAnyCountAndThreads() {
        for (int threads = 1; threads <= 4; threads++) {
            try (Parallel p = new Parallel(threads)) {
                SplittableRandom r = new SplittableRandom(threads);
                for (int round = 0; round < 300; round++) {
                    int n = r.nextInt(200);
                    AtomicIntegerArray seen = new AtomicIntegerArray(Math.max(1, n));
                    p.forEach(n, seen::incrementAndGet);
                    for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "index " + i + " of " + n + ", threads " + threads + ", round " + round);
                }
            }
        }
    }

    @Test
    void aFailureReachesTheCallerAsThrown() {
        try (Parallel p = new Parallel(2)) {
            IllegalArgumentException boom = new IllegalArgumentException("bad input at 17");
            IllegalArgumentException got = assertThrows(IllegalArgumentException.class, () -> p.forEach(100, i -> { if (i == 17) throw boom; }));
            assertSame(boom, got);
            // and the runner still works afterwards
            AtomicIntegerArray seen = new AtomicIntegerArray(50);
            p.forEach(50, seen::incrementAndGet);
            for (int i = 0; i < 50; i++) assertEquals(1, seen.get(i));
        }
    }

    @Test
    void loopsInsideLoopsAndConcurrentCallersEachSeeEveryIndexOnce() throws Exception {
        try (Parallel p = new Parallel(2); ExecutorService callers = Executors.newFixedThreadPool(3)) {
            AtomicIntegerArray nested = new AtomicIntegerArray(40 * 30);
            p.forEach(40, i -> p.forEach(30, j -> nested.incrementAndGet(i * 30 + j)));
            for (int k = 0; k < nested.length(); k++) assertEquals(1, nested.get(k), "nested " + k);
            @SuppressWarnings("unchecked") Future<AtomicIntegerArray>[] f = new Future[6];
            for (int c = 0; c < f.length; c++) {
                f[c] = callers.submit(() -> {
                    AtomicIntegerArray s = new AtomicIntegerArray(1000);
                    for (int rep = 0; rep < 50; rep++) p.forEach(1000, s::incrementAndGet);
                    return s;
                });
            }
            for (Future<AtomicIntegerArray> x : f) {
                AtomicIntegerArray s = x.get();
                for (int i = 0; i < 1000; i++) assertEquals(50, s.get(i), "concurrent caller, index " + i);
            }
        }
    }

    @Test
    void aClosedRunnerStillRunsEveryIndexOnTheCaller() {
        Parallel p = new Parallel(3);
        p.close();
        AtomicIntegerArray seen = new AtomicIntegerArray(20);
        p.forEach(20, seen::incrementAndGet);
        for (int i = 0; i < 20; i++) assertEquals(1, seen.get(i));
    }
}
