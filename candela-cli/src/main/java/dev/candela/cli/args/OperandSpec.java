package dev.candela.cli.args;

import java.util.List;
import java.util.function.Consumer;

/**
 * A command's positional arguments of one kind: {@code IN.onnx} (exactly one) or {@code [IMAGE...]} (any number).
 * Operands are handed out in declaration order; only the last kind may take more than one.
 */
public record OperandSpec(String label, int min, int max, String description, Consumer<List<String>> sink) {
    public OperandSpec {
        if (min < 0 || max < min) throw new IllegalArgumentException("operand " + label + ": bad count " + min + ".." + max);
    }

    /** {@code IN.onnx} or {@code [IMAGE...]}, as help shows it. */
    String synopsis() {
        String s = max > 1 ? label + "..." : label;
        return min == 0 ? "[" + s + "]" : s;
    }
}
