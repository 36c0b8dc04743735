package dev.candela.cli;

import dev.candela.explain.Progress;

/** The command line's progress: a bar when stderr is a terminal, plain log lines (about every 10%) otherwise. */
final class ConsoleProgress {
    private ConsoleProgress() {}

    static Progress console() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal() ? bar() : Progress.lines(System.err);
    }

    private static Progress bar() {
        return (task, total) -> {
            me.tongfei.progressbar.ProgressBar pb = new me.tongfei.progressbar.ProgressBarBuilder()
                    .setTaskName(task).setInitialMax(total)
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build();
            return new Progress.Step() {
                public void advance(long units) { pb.stepBy(units); }
                public void close() { pb.close(); }
            };
        };
    }
}
