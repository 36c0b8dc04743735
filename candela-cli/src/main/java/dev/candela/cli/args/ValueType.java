package dev.candela.cli.args;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * How an option's text becomes its value. A text that is not a value of the type throws
 * IllegalArgumentException whose message says what was expected ("is not an int"); the parser puts the option's
 * name in front of it.
 */
@FunctionalInterface
public interface ValueType<T> {
    T parse(String text);

    ValueType<String> STRING = s -> s;
    ValueType<Integer> INT = number(Integer::valueOf, "an int");
    ValueType<Long> LONG = number(Long::valueOf, "a long");
    ValueType<Float> FLOAT = number(Float::valueOf, "a float");
    ValueType<Double> DOUBLE = number(Double::valueOf, "a double");
    ValueType<Path> PATH = s -> {
        try {
            return Path.of(s);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("is not a file path (" + e.getReason() + ")");
        }
    };

    /** A number read by {@code parse} from the trimmed text; "is not " + {@code what} when it is not one. */
    private static <N> ValueType<N> number(java.util.function.Function<String, N> parse, String what) {
        return s -> {
            try {
                return parse.apply(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("is not " + what);
            }
        };
    }
}
