package dev.candela.cli;

import dev.candela.cli.args.ArgFiles;
import dev.candela.cli.args.ArgParser;
import dev.candela.cli.args.HelpText;
import dev.candela.cli.args.UsageException;
import dev.candela.io.Text;
import java.io.PrintWriter;
import java.util.ArrayList;
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

    /**
     * Runs the command line and returns the exit status (for tests: nothing calls System.exit). As with picocli:
     * {@code @file} arguments are expanded first ({@link ArgFiles}); before the command, {@code -h}/{@code --help}
     * and {@code -V}/{@code --version} win over an unknown option or word; {@code help COMMAND} is that command's help.
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        try {
            List<String> all;
            try {
                all = ArgFiles.expand(Arrays.asList(args));
            } catch (UsageException e) {
                return usageError(err, "candela", e.getMessage());
            }
            boolean help = false, version = false;
            String unknown = null;
            List<String> unmatched = new ArrayList<>();
            int unmatchedFrom = -1, at = 0;
            for (; at < all.size(); at++) {
                String a = all.get(at);
                if (COMMANDS.containsKey(a) || a.equals("help")) break;
                if (a.matches("-[hV]+")) {
                    help |= a.indexOf('h') > 0;
                    version |= a.indexOf('V') > 0;
                } else if (a.equals("--help")) {
                    help = true;
                } else if (a.equals("--version")) {
                    version = true;
                } else if (a.startsWith("-") && a.length() > 1 && unknown == null) {
                    unknown = "Unknown option: '" + a + "'";
                } else if (!a.startsWith("-") || a.length() == 1) {
                    if (unmatched.isEmpty()) unmatchedFrom = at;
                    unmatched.add(a);
                }
            }
            if (help) return print(out, topHelp());
            if (version) return print(out, version());
            if (unknown != null) return usageError(err, "candela", unknown);
            if (!unmatched.isEmpty()) {
                return usageError(err, "candela", unmatched.size() == 1 ? "Unmatched argument at index " + unmatchedFrom + ": '" + unmatched.get(0) + "'"
                        : "Unmatched arguments from index " + unmatchedFrom + ": " + quoted(unmatched));
            }
            if (at == all.size()) return usageError(err, "candela", "missing command: try 'candela explain IMAGE' or 'candela --help'");
            List<String> rest = all.subList(at + 1, all.size());
            if (all.get(at).equals("help")) return help(rest, out, err);
            CliCommand c = COMMANDS.get(all.get(at)).get();
            c.writeTo(err, out);
            return execute(c, rest.toArray(String[]::new));
        } catch (RuntimeException e) { // a bug, not the user's mistake: one line, no stack trace
            err.println("candela: internal error: " + Text.safe(String.valueOf(e)));
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * {@code candela help [COMMAND]}: the command's help, or the list of commands. picocli's help command was a help
     * request itself, so it never checked the rest: its first word names the command, other words and unknown
     * options are ignored ({@code help explain extra} is explain's help, exit 0), an unknown command is exit 2.
     */
    private static int help(List<String> rest, PrintWriter out, PrintWriter err) {
        for (String a : rest) if (a.equals("-h") || a.equals("--help")) return print(out, topHelp());
        for (String name : rest) {
            if (name.startsWith("-") && name.length() > 1) continue;
            Supplier<CliCommand> c = COMMANDS.get(name);
            if (c == null) return usageError(err, "candela", "Unknown subcommand '" + name + "'");
            return print(out, HelpText.of("candela", c.get().spec()));
        }
        return print(out, topHelp());
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
