package dev.candela.cli;

import dev.candela.format.ModelFormatException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Callable;
import dev.candela.cli.args.CommandSpec;

/**
 * What every command shares: bad input (a wrong file, shape, name or option value) becomes exit 2 with
 * one line on stderr; anything else is an internal error (exit 1).
 */
abstract class CliCommand implements Callable<Integer> {
    /** Streams a test gave the command; null: the process's own. */
    private PrintWriter out, err;

    private CommandSpec spec;

    /** The arguments this command was parsed from (after its name); evaluate --spark sends them to the executors. */
    List<String> args = List.of();

    /** The command's name, description, options and operands, each bound to a field of this object. */
    abstract CommandSpec declare();

    /** This object's spec (built once). */
    final CommandSpec spec() {
        if (spec == null) spec = declare();
        return spec;
    }

    /**
     * Does the work: returns 0, or 2 when it went past bad inputs it reported (a folder with a broken file);
     * throws IllegalArgumentException or IOException for bad input that stops it.
     */
    abstract int run() throws IOException;

    /** Sends the command's output and messages to these writers instead of the command line's (tests). */
    final void writeTo(PrintWriter err, PrintWriter out) {
        this.err = err;
        this.out = out;
    }

    PrintWriter out() {
        if (out == null) out = new PrintWriter(System.out, true);
        return out;
    }

    PrintWriter err() {
        if (err == null) err = new PrintWriter(System.err, true);
        return err;
    }

    /** "candela explain": how messages name the command. */
    String commandName() {
        return "candela " + spec().name();
    }

    @Override public final Integer call() {
        try {
            return exitCode(commandName(), err(), () -> {
                int status = run();
                out().flush();
                return status;
            });
        } finally {
            err().flush();
            out().flush();
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
