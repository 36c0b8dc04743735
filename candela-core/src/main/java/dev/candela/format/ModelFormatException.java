package dev.candela.format;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model file (.cnd or .onnx) that cannot be used. The message names the file, the field that is wrong
 * and what was expected, so a user can act on it without a stack trace.
 */
public final class ModelFormatException extends IOException {
    private final String file;
    private final String field;

    public ModelFormatException(Path file, String field, String message) {
        this(file, field, message, null);
    }

    public ModelFormatException(Path file, String field, String message, Throwable cause) {
        super(render(file, field, message), cause);
        this.file = file == null ? "" : file.toString();
        this.field = field;
    }

    private static String render(Path file, String field, String message) {
        String f = file == null ? "(model)" : file.toString();
        return field == null || field.isEmpty() ? f + ": " + message : f + ": " + field + ": " + message;
    }

    /** The file (as given) the error is about. */
    public String file() { return file; }

    /** The field (header path, node, tensor or ONNX element) that is wrong. */
    public String field() { return field; }
}
