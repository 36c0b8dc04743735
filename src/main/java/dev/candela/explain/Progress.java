package dev.candela.explain;

import java.io.PrintStream;

/**
 * Reports progress of long runs (masked forwards of Score-CAM, evaluations over folders). On a terminal
 * a progress bar; otherwise plain log lines; silent by default in the API.
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

    /** A progress bar when stderr is a terminal, log lines (about every 10%) otherwise. */
    static Progress console() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal() ? bar() : lines(System.err);
    }

    static Progress bar() {
        return (task, total) -> {
            me.tongfei.progressbar.ProgressBar pb = new me.tongfei.progressbar.ProgressBarBuilder()
                    .setTaskName(task).setInitialMax(total)
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build();
            return new Step() {
                public void advance(long units) { pb.stepBy(units); }
                public void close() { pb.close(); }
            };
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
