package dev.candela.tensor;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Data parallelism with a fixed thread count. Work is split into independent index ranges only (never a
 * reduction across tasks), so results are bit-identical for any thread count.
 *
 * <p>The calling thread works too, and the helper threads spin briefly between jobs before they park: a forward
 * pass is a few hundred short parallel loops (a ReLU over 3 MB takes 0.2 ms), and waking a parked thread for each
 * (as a fork-join pool does) cost about as much as the second core gained. A loop started while another is
 * running on the same instance (another caller, or a loop inside a loop) runs on its caller's thread alone.
 */
public final class Parallel implements AutoCloseable {
    private static final Parallel SERIAL = new Parallel(1);
    /** How long a helper spins for the next loop before it parks (a forward pass's loops follow each other closely). */
    private static final long SPIN_NANOS = 200_000;

    private final int threads;
    private final Thread[] helpers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Job job;
    private volatile boolean closed;

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.helpers = new Thread[threads - 1];
        for (int i = 0; i < helpers.length; i++) {
            int self = i + 1;
            Thread t = new Thread(() -> helperLoop(self), "candela-worker-" + self);
            t.setDaemon(true);
            helpers[i] = t;
            t.start();
        }
    }

    public static Parallel serial() { return SERIAL; }

    public static Parallel ofAvailable() { return new Parallel(Runtime.getRuntime().availableProcessors()); }

    public int threads() { return threads; }

    /**
     * One parallel loop: chunks of {@code grain} indices, a contiguous share of them per participant (the caller
     * first, then each helper), each share claimed in turn from its start; a participant whose share is done takes
     * chunks from the others'. Consecutive loops over the same shape give each thread the same share (the same
     * columns of consecutive pointwise convolutions), so it finds its input in its own cache, and a late helper's
     * share is still taken by whoever is free.
     */
    private static final class Job {
        final IntConsumer body;
        final int n, grain, chunks;
        final AtomicInteger[] cursor;
        final int[] end;
        /**
         * Participants inside {@link #work}. One that comes after every chunk was claimed finds nothing to do, so the
         * caller, once its own claims run out, waits only for those already in (not for a parked helper to wake).
         */
        final AtomicInteger working = new AtomicInteger();
        volatile Throwable failure;

        Job(IntConsumer body, int n, int grain, int participants) {
            this.body = body;
            this.n = n;
            this.grain = grain;
            this.chunks = (n + grain - 1) / grain;
            this.cursor = new AtomicInteger[participants];
            this.end = new int[participants];
            for (int p = 0; p < participants; p++) {
                cursor[p] = new AtomicInteger((int) ((long) chunks * p / participants));
                end[p] = (int) ((long) chunks * (p + 1) / participants);
            }
        }

        void work(int self) {
            working.incrementAndGet();
            try {
                for (int k = 0; k < cursor.length && failure == null; k++) {
                    int share = (self + k) % cursor.length;
                    for (int c; failure == null && (c = cursor[share].getAndIncrement()) < end[share]; ) {
                        int last = Math.min(n, (c + 1) * grain);
                        for (int i = c * grain; i < last; i++) body.accept(i);
                    }
                }
            } catch (Throwable t) {
                if (failure == null) failure = t;
            } finally {
                working.decrementAndGet();
            }
        }
    }

    /** Runs body(i) for i in [0, n); each i is an independent unit of work. */
    public void forEach(int n, IntConsumer body) {
        if (n <= 0) return;
        if (helpers.length == 0 || n == 1 || closed || !busy.compareAndSet(false, true)) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        try {
            int chunks = Math.min(n, threads * 4);
            Job j = new Job(body, n, Math.max(1, (n + chunks - 1) / chunks), threads);
            job = j;
            for (Thread h : helpers) LockSupport.unpark(h);
            j.work(0);
            while (j.working.get() > 0) Thread.onSpinWait();
            Throwable f = j.failure;
            if (f instanceof RuntimeException r) throw r;
            if (f instanceof Error e) throw e;
            if (f != null) throw new IllegalStateException(f);
        } finally {
            busy.set(false);
        }
    }

    private void helperLoop(int self) {
        Job done = null;
        long idleSince = System.nanoTime();
        while (!closed) {
            Job j = job;
            if (j != null && j != done) {
                done = j;
                j.work(self);
                idleSince = System.nanoTime();
            } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
                idleSince = System.nanoTime();
            }
        }
    }

    @Override public void close() {
        closed = true;
        for (Thread h : helpers) LockSupport.unpark(h);
    }
}
