package dev.candela.cli.args;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One option of a command as declared: its names, how many values it takes, its default, its help text, and where
 * its values go. {@code sink} receives the raw texts (every occurrence's, split) once, after the whole command line
 * is read; it converts them and throws IllegalArgumentException("is not an int") for a bad one.
 *
 * @param names         the first is the canonical name (help and messages use it); the others are aliases
 * @param label         the value's name in help ({@code --steps=<steps>}); null for a switch
 * @param defaultValue  the text used when the option is absent (null: the field keeps its initial value)
 * @param fallbackValue for {@link Kind#OPTIONAL_VALUE}: the value of the bare option
 * @param choices       for {@link Kind#OPTIONAL_VALUE}: the words the next argument may be to count as its value
 * @param split         a regular expression each text is split by (null: one value per occurrence)
 */
public record OptionSpec(List<String> names, Kind kind, String label, String defaultValue, String fallbackValue, Set<String> choices,
                         String split, boolean required, String description, Consumer<List<String>> sink) {

    /** How many values an option takes. */
    public enum Kind {
        /** no value: present or not ({@code --force}; {@code --force=false} is accepted too) */
        SWITCH,
        /** exactly one value, given once */
        VALUE,
        /** a value or none ({@code --denoise}, {@code --denoise=means-back}) */
        OPTIONAL_VALUE,
        /** values that may be repeated and split ({@code --layer a,b --layer c}) */
        LIST
    }

    public OptionSpec {
        names = List.copyOf(names);
        choices = choices == null ? Set.of() : Set.copyOf(choices);
    }

    /** The canonical name. */
    public String name() { return names.get(0); }

    /** {@code --steps=<steps>}, or the name alone for a switch: how help and messages show the option. */
    public String synopsis() { return kind == Kind.SWITCH ? name() : name() + "=" + label; }

    /** A copy that must be given. */
    OptionSpec asRequired() {
        return new OptionSpec(names, kind, label, defaultValue, fallbackValue, choices, split, true, description, sink);
    }
}
