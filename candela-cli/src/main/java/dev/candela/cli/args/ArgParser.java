package dev.candela.cli.args;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a command line against a {@link CommandSpec} and hands each option and operand its values. The rules
 * (those of picocli, which Candela used before, so no command line that worked stops working):
 * {@code --name value} and {@code --name=value}; a value may start with '-' ({@code --offset -1}) unless it is
 * itself an option name; a single-valued option given twice, an unknown option, a missing value and a value of
 * the wrong type are errors naming the option; {@code --} ends the options; {@code -h}/{@code --help} and
 * {@code -V}/{@code --version} work in every command.
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
        Request request = Request.RUN;
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
            if (a.equals("-h") || a.equals("--help")) {
                request = Request.HELP;
                continue;
            }
            if (a.equals("-V") || a.equals("--version")) {
                if (request == Request.RUN) request = Request.VERSION;
                continue;
            }
            int eq = a.startsWith("--") ? a.indexOf('=') : -1;
            String name = eq > 0 ? a.substring(0, eq) : a;
            String attached = eq > 0 ? a.substring(eq + 1) : null;
            OptionSpec o = spec.option(name);
            if (o == null) {
                if (looksNumeric(a)) { // a negative number where an operand is expected
                    operands.add(a);
                    operandIndex.add(i);
                    continue;
                }
                throw new UsageException("Unknown option: '" + a + "'" + closest(spec, name));
            }
            List<String> values = given.computeIfAbsent(o, k -> new ArrayList<>());
            switch (o.kind()) {
                case SWITCH -> {
                    if (attached != null && !attached.equalsIgnoreCase("true") && !attached.equalsIgnoreCase("false")) {
                        throw new UsageException("Invalid value for option '" + o.name() + "': '" + attached + "' is not a boolean");
                    }
                    values.add(attached == null ? "true" : attached.toLowerCase(java.util.Locale.ROOT));
                }
                case VALUE, LIST -> {
                    String v;
                    if (attached != null) v = attached;
                    else if (i + 1 < args.size() && !isOptionName(spec, args.get(i + 1))) v = args.get(++i);
                    else throw new UsageException("Missing required parameter for option '" + o.name() + "' (" + o.label() + ")");
                    if (o.kind() == OptionSpec.Kind.VALUE && !values.isEmpty()) {
                        throw new UsageException("option '" + o.name() + "' (" + o.label() + ") should be specified only once");
                    }
                    if (o.split() == null) values.add(v);
                    else for (String part : v.split(o.split(), -1)) values.add(part);
                }
                case OPTIONAL_VALUE -> {
                    if (!values.isEmpty()) throw new UsageException("option '" + o.name() + "' (" + o.label() + ") should be specified only once");
                    if (attached != null) values.add(attached);
                    else if (i + 1 < args.size() && o.choices().contains(args.get(i + 1))) values.add(args.get(++i));
                    else values.add(o.fallbackValue());
                }
            }
        }
        if (request != Request.RUN) return request;
        List<String> missing = new ArrayList<>();
        for (OptionSpec o : spec.options()) if (o.required() && !given.containsKey(o)) missing.add("'" + o.synopsis() + "'");
        if (!missing.isEmpty()) {
            throw new UsageException("Missing required option" + (missing.size() > 1 ? "s: " : ": ") + String.join(", ", missing));
        }
        List<List<String>> perOperand = distribute(spec, operands, operandIndex);
        for (OptionSpec o : spec.options()) {
            List<String> values = given.get(o);
            if (values == null) {
                if (o.defaultValue() == null) continue;
                values = o.split() == null ? List.of(o.defaultValue()) : List.of(o.defaultValue().split(o.split(), -1));
            }
            try {
                o.sink().accept(values);
            } catch (IllegalArgumentException e) {
                throw new UsageException("Invalid value for option '" + o.name() + "': " + e.getMessage());
            }
        }
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
        return request;
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

    /** An argument that names an option of this command (and so is never taken as the previous option's value). */
    private static boolean isOptionName(CommandSpec spec, String a) {
        if (isStandard(a) || a.equals("--")) return true;
        int eq = a.startsWith("--") ? a.indexOf('=') : -1;
        return spec.option(eq > 0 ? a.substring(0, eq) : a) != null;
    }

    private static boolean looksNumeric(String a) {
        return a.matches("-(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
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
                int d = distance(name, n);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = n;
                }
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    /** Levenshtein distance (names are short). */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
