package dev.candela.explain;

import java.io.PrintStream;

/**
 * Reports progress of long runs (masked forwards of Score-CAM, evaluations over folders). Silent by
 * default in the API; {@link #lines} logs plain lines; the command line adds a terminal progress bar.
 */
public interface Progress {

    /** Starts a task of {@code total} units; close the returned step when done. */
    Step start(String task, long total);

    interface Step extends AutoCloseable {
        void advance(long units);

        @Override void close();
    }

    static Progress none() {
        return (task, total) -> new Step() {
            public void advance(long units) {}
            public void close() {}
        };
    }

    static Progress lines(PrintStream out) {
        return (task, total) -> new Step() {
            long done, lastReported;

            public void advance(long units) {
                done += units;
                if (total > 0 && (done - lastReported) * 10 >= total) {
                    lastReported = done;
                    out.println(task + ": " + done + "/" + total);
                }
            }

            public void close() {}
        };
    }
}
