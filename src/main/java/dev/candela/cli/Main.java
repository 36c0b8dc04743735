package dev.candela.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code candela} command line. Exit status: 0 on success, 2 on bad usage or bad input (one line on
 * stderr saying why), 1 on an internal error.
 */
@Command(name = "candela", mixinStandardHelpOptions = true, version = "candela 0.1.0",
        description = "Runs and explains CNNs converted from ONNX, in pure Java.")
public final class Main {
    /** The subcommands, in help order. A new command is one more line here. */
    static final List<Supplier<Object>> COMMANDS = List.of(
            ConvertCommand::new,
            InspectCommand::new,
            RunCommand::new,
            ExplainCommand::new);

    private Main() {}

    public static void main(String[] args) {
        int code = run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        System.exit(code);
    }

    /** Runs the CLI in-process (tests use this) and returns the exit status. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(out, err);
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        for (Supplier<Object> s : COMMANDS) cl.addSubcommand(s.get());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println(c.getCommandName().equals("candela") ? "candela: " + ex.getMessage() : "candela " + c.getCommandName() + ": " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help'.");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, p) -> {
            c.getErr().println("candela " + c.getCommandName() + ": internal error: " + ex);
            return 1;
        });
        cl.setExecutionStrategy(new CommandLine.RunLast());
        return cl;
    }
}
