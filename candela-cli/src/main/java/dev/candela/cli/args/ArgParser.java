package dev.candela.cli.args;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a command line against a {@link CommandSpec} and hands each option and operand its values. The rules
 * (those of picocli, which Candela used before, so no command line that worked stops working):
 * {@code --name value} and {@code --name=value} ({@code --name=} is the empty value); a value may start with '-'
 * ({@code --offset -1}) unless it is itself an option name; a switch or single-valued option given twice, an unknown
 * option, a missing value and a value of the wrong type are errors naming the option; a negative number is an operand,
 * any other unknown word starting with '-' an unknown option; options may follow operands; {@code --} ends the
 * options; {@code -h}/{@code --help} and {@code -V}/{@code --version} (also {@code -hV}) work in every command and
 * win over unknown options, missing operands and missing required options, but not over a bad value. Names are
 * case-sensitive and never abbreviated. {@code @file} arguments are expanded before this, by {@link ArgFiles}.
 *
 * <p>Kept different from picocli on purpose: in a command with operands, an option with an optional value
 * ({@code --denoise}) takes the next argument only when it is one of its words (picocli took any word, so
 * {@code explain --denoise img.png} lost the image);
 * a value is never unquoted or split inside quotes; an unknown option is named before missing required options.
 */
public final class ArgParser {
    private ArgParser() {}

    /** What the command line asks for. */
    public enum Request { RUN, HELP, VERSION }

    /** The help and version switches every command has. */
    static boolean isStandard(String a) {
        return a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version");
    }

    /**
     * Parses {@code args} and, unless help or the version is asked for, gives every option its values (or its
     * default) and every operand kind its arguments.
     *
     * @throws UsageException naming the argument that does not fit
     */
    public static Request parse(CommandSpec spec, List<String> args) {
        Map<OptionSpec, List<String>> given = new LinkedHashMap<>();
        List<String> operands = new ArrayList<>();
        List<Integer> operandIndex = new ArrayList<>();
        String unknown = null; // like picocli, an unknown option is reported after the rest is read, and not at all with --help
        boolean help = false, version = false;
        boolean optionsEnded = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (optionsEnded || !a.startsWith("-") || a.length() == 1) {
                operands.add(a);
                operandIndex.add(i);
                continue;
            }
            if (a.equals("--")) {
                optionsEnded = true;
                continue;
            }
            if (a.matches("-[hV]+")) { // -h, -V and picocli's clusters of them (-hV)
                help |= a.indexOf('h') > 0;
                version |= a.indexOf('V') > 0;
                continue;
            }
            int eq = a.startsWith("--") ? a.indexOf('=') : -1;
            String name = eq > 0 ? a.substring(0, eq) : a;
            String attached = eq > 0 ? a.substring(eq + 1) : null;
            if (name.equals("--help") || name.equals("--version")) {
                boolean on = attached == null || bool(name, attached);
                if (name.equals("--help")) help |= on;
                else version |= on;
                continue;
            }
            OptionSpec o = spec.option(name);
            if (o == null) {
                if (looksNumeric(a)) { // a negative number where an operand is expected
                    operands.add(a);
                    operandIndex.add(i);
                } else if (unknown == null) {
                    unknown = "Unknown option: '" + a + "'" + closest(spec, name);
                }
                continue;
            }
            List<String> values = given.computeIfAbsent(o, k -> new ArrayList<>());
            switch (o.kind()) {
                case SWITCH -> {
                    // picocli: a switch is single-valued too ("option '--force' should be specified only once")
                    if (!values.isEmpty()) throw new UsageException("option '" + o.name() + "' should be specified only once");
                    values.add(attached == null ? "true" : String.valueOf(bool(o.name(), attached)));
                }
                case VALUE, LIST -> {
                    String v;
                    if (attached != null) v = attached;
                    else if (i + 1 < args.size() && !isOptionName(spec, args.get(i + 1))) v = args.get(++i);
                    else throw new UsageException("Missing required parameter for option '" + o.name() + "' (" + o.label() + ")");
                    if (o.kind() == OptionSpec.Kind.VALUE && !values.isEmpty()) {
                        throw new UsageException("option '" + o.name() + "' (" + o.label() + ") should be specified only once");
                    }
                    values.addAll(split(o, v));
                }
                case OPTIONAL_VALUE -> {
                    if (!values.isEmpty()) throw new UsageException("option '" + o.name() + "' (" + o.label() + ") should be specified only once");
                    if (attached != null) values.add(attached);
                    else if (i + 1 < args.size() && takesAsValue(spec, o, args.get(i + 1))) values.add(args.get(++i));
                    else values.add(o.fallbackValue());
                }
            }
        }
        // values are converted (and a bad one reported) even with --help, as picocli did; the fields are only set
        for (OptionSpec o : spec.options()) {
            List<String> values = given.get(o);
            if (values == null) {
                if (o.defaultValue() == null) continue;
                values = split(o, o.defaultValue());
            }
            try {
                o.sink().accept(values);
            } catch (IllegalArgumentException e) {
                throw new UsageException("Invalid value for option '" + o.name() + "': " + e.getMessage());
            }
        }
        if (help) return Request.HELP;
        if (version) return Request.VERSION;
        if (unknown != null) throw new UsageException(unknown);
        List<String> missing = new ArrayList<>();
        for (OptionSpec o : spec.options()) if (o.required() && !given.containsKey(o)) missing.add("'" + o.synopsis() + "'");
        if (!missing.isEmpty()) {
            throw new UsageException("Missing required option" + (missing.size() > 1 ? "s: " : ": ") + String.join(", ", missing));
        }
        List<List<String>> perOperand = distribute(spec, operands, operandIndex);
        for (int k = 0; k < spec.operands().size(); k++) {
            OperandSpec op = spec.operands().get(k);
            List<String> values = perOperand.get(k);
            if (values.isEmpty() && op.min() == 0) continue;
            try {
                op.sink().accept(values);
            } catch (IllegalArgumentException e) {
                throw new UsageException("Invalid value for positional parameter " + op.label() + ": " + e.getMessage());
            }
        }
        return Request.RUN;
    }

    /**
     * An option's text as values: split by its regular expression the way picocli split (String.split without a
     * limit: trailing empty parts are dropped, so {@code --mean 0.5,0.5,} is two values and {@code --layer ,} none).
     */
    private static List<String> split(OptionSpec o, String text) {
        return o.split() == null ? List.of(text) : List.of(text.split(o.split()));
    }

    /** A switch's attached value: true or false in any case, as picocli read it. */
    private static boolean bool(String option, String text) {
        if (text.equalsIgnoreCase("true")) return true;
        if (text.equalsIgnoreCase("false")) return false;
        throw new UsageException("Invalid value for option '" + option + "': '" + text + "' is not a boolean");
    }

    /** The operands in declaration order: too few or too many is an error naming what is missing or left over. */
    private static List<List<String>> distribute(CommandSpec spec, List<String> operands, List<Integer> index) {
        List<List<String>> out = new ArrayList<>();
        int at = 0;
        List<String> missing = new ArrayList<>();
        for (OperandSpec op : spec.operands()) {
            int take = (int) Math.min(op.max(), (long) operands.size() - at);
            if (take < op.min()) {
                missing.add("'" + op.label() + "'");
                take = Math.max(take, 0);
            }
            out.add(operands.subList(at, at + take));
            at += take;
        }
        if (!missing.isEmpty()) throw new UsageException("Missing required parameter" + (missing.size() > 1 ? "s: " : ": ") + String.join(", ", missing));
        if (at < operands.size()) {
            List<String> rest = operands.subList(at, operands.size());
            throw new UsageException(rest.size() == 1
                    ? "Unmatched argument at index " + index.get(at) + ": '" + rest.get(0) + "'"
                    : "Unmatched arguments from index " + index.get(at) + ": " + quoted(rest));
        }
        return out;
    }

    /**
     * Whether an option with an optional value takes {@code next} as its value: one of its words (in any case, as the
     * methods read them); or, in a command without operands (evaluate), any word that is not an option, as picocli did.
     */
    private static boolean takesAsValue(CommandSpec spec, OptionSpec o, String next) {
        if (o.choices().contains(next.trim().toLowerCase(Locale.ROOT))) return true;
        return spec.operands().isEmpty() && !isOptionName(spec, next);
    }

    /** An argument that names an option of this command (and so is never taken as the previous option's value). */
    private static boolean isOptionName(CommandSpec spec, String a) {
        if (a.equals("--")) return true;
        if (!a.startsWith("--") && a.length() > 2 && (a.startsWith("-h") || a.startsWith("-V"))) return true; // a cluster, as picocli saw it
        int eq = a.startsWith("--") ? a.indexOf('=') : -1;
        String name = eq > 0 ? a.substring(0, eq) : a;
        return isStandard(name) || spec.option(name) != null;
    }

    /** A number, as picocli told a negative number from an unknown option (Long.decode or Double.parseDouble). */
    private static boolean looksNumeric(String a) {
        try {
            Long.decode(a);
            return true;
        } catch (NumberFormatException e) {
            // not an integer: a decimal?
        }
        try {
            Double.parseDouble(a);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String quoted(List<String> values) {
        StringBuilder b = new StringBuilder();
        for (String v : values) b.append(b.isEmpty() ? "" : ", ").append('\'').append(v).append('\'');
        return b.toString();
    }

    /** " (did you mean '--layer'?)" when a declared name is one or two edits away, else nothing. */
    private static String closest(CommandSpec spec, String name) {
        String best = null;
        int bestDistance = 3;
        for (OptionSpec o : spec.options()) {
            for (String n : o.names()) {
                int d = dev.candela.graph.LayerNames.distance(name, n); // the one edit distance of the project
                if (d < bestDistance) {
                    bestDistance = d;
                    best = n;
                }
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }
}
