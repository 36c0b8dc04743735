package dev.candela.cli;

import dev.candela.tensor.Tensor;

/** Test access to the evaluate command's attribution-to-map rule. */
public final class EvaluateCommandAccess {
    private EvaluateCommandAccess() {}

    public static Tensor attributionMap(String method, Tensor attr) { return EvaluateCommand.attributionMap(method, attr); }
}
