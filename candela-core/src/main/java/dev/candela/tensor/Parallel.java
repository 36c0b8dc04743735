package dev.candela.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * Fork-join parallelism with a fixed thread count. Work is split into independent index ranges only
 * (never a reduction across tasks), so results are bit-identical for any thread count.
 */
public final class Parallel implements AutoCloseable {
    private static final Parallel SERIAL = new Parallel(1);
    private final int threads;
    private final ForkJoinPool pool;

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    public static Parallel serial() { return SERIAL; }

    public static Parallel ofAvailable() { return new Parallel(Runtime.getRuntime().availableProcessors()); }

    public int threads() { return threads; }

    /** Runs body(i) for i in [0, n); each i is an independent unit of work. */
    public void forEach(int n, IntConsumer body) {
        if (n <= 0) return;
        if (pool == null || n == 1) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        int chunks = Math.min(n, threads * 4);
        pool.invoke(new Chunk(body, 0, n, Math.max(1, (n + chunks - 1) / chunks)));
    }

    private static final class Chunk extends RecursiveAction {
        private final IntConsumer body;
        private final int from, to, grain;

        Chunk(IntConsumer body, int from, int to, int grain) {
            this.body = body; this.from = from; this.to = to; this.grain = grain;
        }

        @Override protected void compute() {
            if (to - from <= grain) {
                for (int i = from; i < to; i++) body.accept(i);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Chunk(body, from, mid, grain), new Chunk(body, mid, to, grain));
        }
    }

    @Override public void close() {
        if (pool != null) pool.shutdown();
    }
}
