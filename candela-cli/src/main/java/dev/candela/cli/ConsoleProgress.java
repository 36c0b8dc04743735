package dev.candela.cli;

import dev.candela.explain.Progress;

/** The command line's progress: a bar when stderr is a terminal, plain log lines (about every 10%) otherwise. */
final class ConsoleProgress {
    private ConsoleProgress() {}

    static {
        // No native code: the bar's terminal library (jline) may only run external commands (stty) and use
        // reflection; its JNI library is not shipped, and without these it would try to load it.
        System.getProperties().putIfAbsent("org.jline.terminal.providers", "exec");
        System.getProperties().putIfAbsent("org.jline.terminal.exec.redirectPipeCreationMode", "reflection");
        System.getProperties().putIfAbsent("org.jline.terminal.pty.fileDescriptorCreationMode", "reflection");
    }

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
