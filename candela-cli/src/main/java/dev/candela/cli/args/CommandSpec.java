package dev.candela.cli.args;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A command's name, one-line description, options and operands, in the order help lists them. A command builds
 * its spec from code, each option bound to one of its fields by a lambda: nothing is read by reflection, so a run
 * costs no more than the options it declares (and the JDK's ahead-of-time cache can hold all of it).
 */
public final class CommandSpec {
    private final String name;
    private final String description;
    private final List<OptionSpec> options;
    private final List<OperandSpec> operands;
    private final Map<String, OptionSpec> byName;

    private CommandSpec(String name, String description, List<OptionSpec> options, List<OperandSpec> operands) {
        this.name = name;
        this.description = description;
        this.options = List.copyOf(options);
        this.operands = List.copyOf(operands);
        Map<String, OptionSpec> m = new LinkedHashMap<>();
        for (OptionSpec o : options) {
            for (String n : o.names()) {
                if (!n.startsWith("-") || ArgParser.isStandard(n) || m.put(n, o) != null) throw new IllegalStateException(name + ": option name " + n + " declared twice or reserved");
            }
        }
        for (int i = 0; i + 1 < operands.size(); i++) {
            if (operands.get(i).max() != operands.get(i).min()) throw new IllegalStateException(name + ": only the last operand may vary in number");
        }
        this.byName = Map.copyOf(m);
    }

    public String name() { return name; }

    public String description() { return description; }

    public List<OptionSpec> options() { return options; }

    public List<OperandSpec> operands() { return operands; }

    /** The option with this name or alias, or null. */
    public OptionSpec option(String optionName) { return byName.get(optionName); }

    public static Builder builder(String name, String description) { return new Builder(name, description); }

    /** Declares a command's options and operands; each method returns this builder for the next declaration. */
    public static final class Builder {
        private final String name, description;
        private final List<OptionSpec> options = new ArrayList<>();
        private final List<OperandSpec> operands = new ArrayList<>();

        private Builder(String name, String description) {
            this.name = name;
            this.description = description;
        }

        /** A switch: {@code to} gets true when it is given (or what {@code --name=true|false} says). */
        public Builder flag(String names, String description, Consumer<Boolean> to) {
            return add(new OptionSpec(names(names), OptionSpec.Kind.SWITCH, null, null, null, null, null, false, description,
                    vs -> to.accept(Boolean.valueOf(vs.get(vs.size() - 1)))));
        }

        /** An option with one value, given at most once; {@code defaultValue} (may be null) stands in when absent. */
        public <T> Builder value(String names, String label, String defaultValue, String description, ValueType<T> type, Consumer<T> to) {
            return add(new OptionSpec(names(names), OptionSpec.Kind.VALUE, label(names, label), defaultValue, null, null, null, false, description,
                    vs -> to.accept(convert(type, vs.get(0)))));
        }

        /**
         * An option that may be repeated, each text split by {@code split} (a regular expression; null: not split):
         * {@code to} gets every value in order, or the default's when the option is absent and has one.
         */
        public <T> Builder list(String names, String label, String split, String defaultValue, String description, ValueType<T> type, Consumer<List<T>> to) {
            return add(new OptionSpec(names(names), OptionSpec.Kind.LIST, label(names, label), defaultValue, null, null, split, false, description, vs -> {
                List<T> values = new ArrayList<>(vs.size());
                for (String v : vs) values.add(convert(type, v));
                to.accept(values);
            }));
        }

        /**
         * An option whose value may be left out: bare, it takes {@code fallback}; the next argument is its value only
         * when it is one of {@code choices} (so {@code --denoise image.png} leaves the image an operand).
         */
        public Builder optionalValue(String names, String label, String fallback, Set<String> choices, String description, Consumer<String> to) {
            return add(new OptionSpec(names(names), OptionSpec.Kind.OPTIONAL_VALUE, label(names, label), null, fallback, choices, null, false, description,
                    vs -> to.accept(vs.get(0))));
        }

        /** Makes the option declared last one that must be given. */
        public Builder required() {
            options.set(options.size() - 1, options.get(options.size() - 1).asRequired());
            return this;
        }

        /** Exactly one positional argument. */
        public <T> Builder operand(String label, String description, ValueType<T> type, Consumer<T> to) {
            operands.add(new OperandSpec(label, 1, 1, description, vs -> to.accept(convert(type, vs.get(0)))));
            return this;
        }

        /** Any number of positional arguments (the last operand declared). */
        public <T> Builder operands(String label, String description, ValueType<T> type, Consumer<List<T>> to) {
            operands.add(new OperandSpec(label, 0, Integer.MAX_VALUE, description, vs -> {
                List<T> values = new ArrayList<>(vs.size());
                for (String v : vs) values.add(convert(type, v));
                to.accept(values);
            }));
            return this;
        }

        public CommandSpec build() { return new CommandSpec(name, description, options, operands); }

        private Builder add(OptionSpec o) {
            options.add(o);
            return this;
        }

        /** The value of one text; a bad text's message starts with it quoted ("'x' is not an int"). */
        private static <T> T convert(ValueType<T> type, String text) {
            try {
                return type.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + text + "' " + e.getMessage(), e);
            }
        }

        private static List<String> names(String names) { return Arrays.asList(names.split("\\|")); }

        /** {@code <steps>} for {@code --steps}, unless the declaration names it. */
        private static String label(String names, String label) {
            if (label != null) return label;
            String first = names(names).get(0).replaceFirst("^-+", "");
            StringBuilder b = new StringBuilder("<");
            boolean up = false;
            for (char c : first.toCharArray()) {
                if (c == '-') up = true;
                else {
                    b.append(up ? Character.toUpperCase(c) : Character.toLowerCase(c));
                    up = false;
                }
            }
            return b.length() == 1 ? "<value>" : b.append('>').toString();
        }
    }
}
