package dev.candela.cli.args;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The usage text of a command (its {@code --help}) and of a command set, wrapped to 80 columns. */
public final class HelpText {
    private static final int WIDTH = 80;
    private static final int MAX_LEFT = 30;

    private HelpText() {}

    /** {@code candela explain --help}: usage line, description, operands, options (in declaration order). */
    public static String of(String parent, CommandSpec spec) {
        StringBuilder b = new StringBuilder();
        StringBuilder usage = new StringBuilder("Usage: " + parent + " " + spec.name() + " [-hV]");
        for (OptionSpec o : spec.options()) if (o.required()) usage.append(' ').append(o.synopsis());
        if (spec.options().stream().anyMatch(o -> !o.required())) usage.append(" [OPTIONS]");
        for (OperandSpec op : spec.operands()) usage.append(' ').append(op.synopsis());
        wrap(b, usage.toString(), 0, "        ");
        wrap(b, spec.description(), 0, "");
        List<String[]> rows = new ArrayList<>();
        for (OperandSpec op : spec.operands()) rows.add(new String[]{"      " + op.synopsis(), op.description()});
        for (OptionSpec o : spec.options()) {
            String names = String.join(", ", o.names());
            String left = "      " + switch (o.kind()) {
                case SWITCH -> names;
                case OPTIONAL_VALUE -> names + "[=" + o.label() + "]";
                case VALUE, LIST -> names + "=" + o.label();
            };
            String text = o.description().replace("${DEFAULT-VALUE}", String.valueOf(o.defaultValue()));
            rows.add(new String[]{left, o.required() ? text + " (required)" : text});
        }
        rows.add(new String[]{"  -h, --help", "Show this help message and exit."});
        rows.add(new String[]{"  -V, --version", "Print version information and exit."});
        table(b, rows);
        return b.toString();
    }

    /** {@code candela --help}: the commands and their one-line descriptions. */
    public static String commands(String name, String description, Map<String, String> commands) {
        StringBuilder b = new StringBuilder();
        b.append("Usage: ").append(name).append(" [-hV] [COMMAND]\n");
        wrap(b, description, 0, "");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"  -h, --help", "Show this help message and exit."});
        rows.add(new String[]{"  -V, --version", "Print version information and exit."});
        table(b, rows);
        b.append("Commands:\n");
        rows.clear();
        commands.forEach((c, d) -> rows.add(new String[]{"  " + c, d}));
        table(b, rows);
        return b.toString();
    }

    private static void table(StringBuilder b, List<String[]> rows) {
        int left = 0;
        for (String[] r : rows) if (r[0].length() + 2 <= MAX_LEFT) left = Math.max(left, r[0].length() + 2);
        String pad = " ".repeat(left);
        for (String[] r : rows) {
            if (r[0].length() + 2 > left) {
                b.append(r[0]).append('\n').append(pad);
                wrap(b, r[1], left, pad);
            } else {
                b.append(r[0]).append(" ".repeat(left - r[0].length()));
                wrap(b, r[1], left, pad);
            }
        }
    }

    /** Appends {@code text} from column {@code column} (already reached), continuation lines indented by {@code indent}. */
    private static void wrap(StringBuilder b, String text, int column, String indent) {
        int col = column;
        boolean first = true;
        for (String word : text.split(" ")) {
            if (!first && col + 1 + word.length() > WIDTH) {
                b.append('\n').append(indent);
                col = indent.length();
                first = true;
            }
            if (!first) {
                b.append(' ');
                col++;
            }
            b.append(word);
            col += word.length();
            first = false;
        }
        b.append('\n');
    }
}
