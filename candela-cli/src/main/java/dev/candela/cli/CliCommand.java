package dev.candela.cli;

import dev.candela.format.ModelFormatException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every command shares: bad input (a wrong file, shape, name or option value) becomes exit 2 with
 * one line on stderr; anything else is an internal error (exit 1).
 */
abstract class CliCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    /** Does the work; throws IllegalArgumentException or IOException for bad input. */
    abstract void execute() throws IOException;

    PrintWriter out() { return spec.commandLine().getOut(); }

    PrintWriter err() { return spec.commandLine().getErr(); }

    @Override public final Integer call() {
        try {
            return exitCode("candela " + spec.name(), err(), () -> {
                execute();
                out().flush();
                return 0;
            });
        } finally {
            err().flush();
        }
    }

    /** A command's work: returns its exit status (0, or 2 for bad input it reported and went past). */
    @FunctionalInterface
    interface Work {
        int run() throws IOException;
    }

    /**
     * The one exit-code policy of every command: the work's own status; bad input (a wrong file, shape, name or
     * option value: IllegalArgumentException, IOException, ModelFormatException) becomes exit 2 with one line on
     * {@code err}; anything else is an internal error (exit 1).
     */
    static int exitCode(String name, PrintWriter err, Work work) {
        try {
            return work.run();
        } catch (ModelFormatException | IllegalArgumentException | UncheckedIOException e) {
            err.println(name + ": " + oneLine(e));
            return 2;
        } catch (java.nio.file.NoSuchFileException e) {
            err.println(name + ": no such file: " + e.getFile());
            return 2;
        } catch (IOException e) {
            err.println(name + ": " + oneLine(e));
            return 2;
        } catch (RuntimeException | OutOfMemoryError e) {
            err.println(name + ": internal error: " + e);
            return 1;
        }
    }

    static String oneLine(Throwable e) {
        if (e instanceof java.nio.file.FileSystemException f) return dev.candela.io.Text.safe(CliChecks.fileError(f));
        if (e instanceof java.io.UncheckedIOException u && u.getCause() instanceof java.nio.file.FileSystemException f && u.getMessage() != null && u.getMessage().equals(f.getMessage())) {
            return dev.candela.io.Text.safe(CliChecks.fileError(f));
        }
        String m = e.getMessage() != null ? e.getMessage() : e.toString();
        return dev.candela.io.Text.safe(m.replace('\n', ' '));
    }
}
