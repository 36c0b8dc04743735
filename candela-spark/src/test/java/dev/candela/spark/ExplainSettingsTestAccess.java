package dev.candela.spark;

import dev.candela.explainer.Method;
import dev.candela.graph.Model;
import java.util.List;

/** The transformers' method parsing (the CLI's flag defaults), for the tests' single-JVM references. */
final class ExplainSettingsTestAccess {
    private ExplainSettingsTestAccess() {}

    static List<Method> methods(String specs, Model model) {
        return new ExplainSettings(specs, "", "", 0, 32, 1, 0, false, -1, -1, "", "").parseMethods(model);
    }
}
