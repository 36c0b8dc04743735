package dev.candela.cli;

import dev.candela.cli.args.ArgParser;
import dev.candela.cli.args.HelpText;
import dev.candela.cli.args.UsageException;
import dev.candela.io.Text;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.function.Supplier;

/**
 * The {@code candela} command line. Exit status: 0 on success, 2 on bad usage or bad input (one line
 * on stderr saying what and how to fix it), 1 on an internal error.
 */
public final class Main {
    static final String DESCRIPTION = "Pure-Java CNN explanations: CAM family, DeepLIFT, LRP, FG-CAM.";

    /** The subcommands, in the order {@code --help} lists them ({@code help} comes last). */
    static final SequencedMap<String, Supplier<CliCommand>> COMMANDS = new LinkedHashMap<>();
    static {
        COMMANDS.put("explain", ExplainCommand::new);
        COMMANDS.put("convert", ConvertCommand::new);
        COMMANDS.put("inspect", InspectCommand::new);
        COMMANDS.put("run", RunCommand::new);
        COMMANDS.put("evaluate", EvaluateCommand::new);
        COMMANDS.put("bench", BenchCommand::new);
    }

    private static final String HELP_COMMAND = "Display help information about the specified command.";

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit status (for tests: nothing calls System.exit). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        try {
            if (args.length == 0) return usageError(err, "candela", "missing command: try 'candela explain IMAGE' or 'candela --help'");
            String first = args[0];
            if (first.equals("-h") || first.equals("--help")) return print(out, topHelp());
            if (first.equals("-V") || first.equals("--version")) return print(out, version());
            if (first.equals("help")) {
                if (args.length == 1 || args[1].equals("-h") || args[1].equals("--help")) return print(out, topHelp());
                Supplier<CliCommand> c = COMMANDS.get(args[1]);
                if (c == null) return usageError(err, "candela", "Unknown subcommand '" + args[1] + "'");
                return print(out, HelpText.of("candela", c.get().spec()));
            }
            Supplier<CliCommand> command = COMMANDS.get(first);
            if (command == null) {
                if (first.startsWith("-")) return usageError(err, "candela", "Unknown option: '" + first + "'");
                return usageError(err, "candela", args.length == 1 ? "Unmatched argument at index 0: '" + first + "'"
                        : "Unmatched arguments from index 0: " + quoted(Arrays.asList(args)));
            }
            CliCommand c = command.get();
            c.writeTo(err, out);
            return execute(c, Arrays.copyOfRange(args, 1, args.length));
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * Parses {@code args} for one command and runs it (or prints its help or version): what {@code candela NAME
     * ARGS} does after choosing the command; tests call it with a command whose streams they set.
     */
    static int execute(CliCommand c, String... args) {
        try {
            List<String> list = List.of(args);
            c.args = list;
            return switch (ArgParser.parse(c.spec(), list)) {
                case HELP -> print(c.out(), HelpText.of("candela", c.spec()));
                case VERSION -> print(c.out(), version());
                case RUN -> c.call();
            };
        } catch (UsageException e) {
            return usageError(c.err(), "candela " + c.spec().name(), e.getMessage());
        } finally {
            c.out().flush();
            c.err().flush();
        }
    }

    /** Parses {@code args} into the command's fields without running it (evaluate's Spark executors, tests). */
    static void parse(CliCommand c, List<String> args) {
        c.args = List.copyOf(args);
        ArgParser.parse(c.spec(), args);
    }

    private static int usageError(PrintWriter err, String who, String why) {
        err.println(who + ": " + Text.safe(why));
        err.println("(see '" + who + " --help')");
        return 2;
    }

    private static int print(PrintWriter out, String text) {
        out.print(text.endsWith("\n") ? text : text + "\n");
        out.flush();
        return 0;
    }

    private static String topHelp() {
        Map<String, String> descriptions = new LinkedHashMap<>();
        COMMANDS.forEach((name, c) -> descriptions.put(name, firstSentence(c.get().spec().description())));
        descriptions.put("help", HELP_COMMAND);
        return HelpText.commands("candela", DESCRIPTION, descriptions);
    }

    private static String firstSentence(String d) {
        int colon = d.indexOf(": ");
        int stop = d.indexOf(". ");
        int end = colon > 0 && (stop < 0 || colon < stop) ? colon : stop;
        return end > 0 ? d.substring(0, end) + "." : d;
    }

    private static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return "candela " + (v != null ? v : "dev");
    }

    private static String quoted(List<String> values) {
        StringBuilder b = new StringBuilder();
        for (String v : values) b.append(b.isEmpty() ? "" : ", ").append('\'').append(v).append('\'');
        return b.toString();
    }
}
