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
    ValueType<Integer> INT = s -> {
        try {
            return Integer.valueOf(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("is not an int");
        }
    };
    ValueType<Long> LONG = s -> {
        try {
            return Long.valueOf(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("is not a long");
        }
    };
    ValueType<Float> FLOAT = s -> {
        try {
            return Float.valueOf(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("is not a float");
        }
    };
    ValueType<Double> DOUBLE = s -> {
        try {
            return Double.valueOf(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("is not a double");
        }
    };
    ValueType<Path> PATH = s -> {
        try {
            return Path.of(s);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("is not a file path (" + e.getReason() + ")");
        }
    };
}
