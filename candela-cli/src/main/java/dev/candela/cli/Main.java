package dev.candela.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code candela} command line. Exit status: 0 on success, 2 on bad usage or bad input (one line
 * on stderr saying what and how to fix it), 1 on an internal error.
 */
@Command(name = "candela", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Pure-Java CNN explanations: CAM family, DeepLIFT, LRP, FG-CAM.")
public final class Main implements Runnable {
    /**
     * The subcommands, in the order {@code --help} lists them. They are registered here rather than in the
     * annotation so that a run of one command builds only that command's model: picocli reads every registered
     * command's annotations by reflection at start-up, in its pre-Java-6 class files that the AOT cache cannot
     * hold, and building all seven cost about 0.1 s of every run.
     */
    static final java.util.SequencedMap<String, java.util.function.Supplier<Object>> COMMANDS = new java.util.LinkedHashMap<>();
    static {
        COMMANDS.put("explain", ExplainCommand::new);
        COMMANDS.put("convert", ConvertCommand::new);
        COMMANDS.put("inspect", InspectCommand::new);
        COMMANDS.put("run", RunCommand::new);
        COMMANDS.put("evaluate", EvaluateCommand::new);
        COMMANDS.put("bench", BenchCommand::new);
        COMMANDS.put("help", CommandLine.HelpCommand::new);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: try 'candela explain IMAGE' or 'candela --help'");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit status (for tests: nothing calls System.exit). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        java.util.function.Supplier<Object> only = args.length > 0 && !args[0].equals("help") ? COMMANDS.get(args[0]) : null;
        if (only != null) cl.addSubcommand(only.get());
        else COMMANDS.values().forEach(c -> cl.addSubcommand(c.get()));
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            String why = dev.candela.io.Text.safe(String.valueOf(ex.getMessage()));
            err.println(c.getCommandName().equals("candela") ? "candela: " + why : "candela " + c.getCommandName() + ": " + why);
            err.println("(see '" + (c.getCommandName().equals("candela") ? "candela" : "candela " + c.getCommandName()) + " --help')");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parse) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException) {
                // bad input: a file that cannot be read, a name that does not exist, a value out of range
                err.println("candela " + c.getCommandName() + ": " + dev.candela.io.Text.safe(String.valueOf(ex.getMessage()).replace('\n', ' ')));
                return 2;
            }
            err.println("candela " + c.getCommandName() + ": internal error: " + ex);
            return 1;
        });
        return cl.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"candela " + (v != null ? v : "dev")};
        }
    }
}
