package dev.candela.cli;

import dev.candela.explain.Explainer;
import java.io.PrintWriter;
import java.util.HashSet;
import java.util.Set;

/** Small checks the commands share (kept out of the commands so they stay short). */
final class CliChecks {
    private CliChecks() {}

    /** With {@code allow}, an explainer that warns (each distinct message once) instead of failing on NaN or infinity. */
    static Explainer nonFinite(Explainer ex, boolean allow, PrintWriter err) {
        if (!allow) return ex;
        Set<String> seen = java.util.Collections.synchronizedSet(new HashSet<>());
        return ex.allowingNonFinite(m -> {
            if (seen.add(m)) err.println("candela: warning: " + m);
        });
    }
}
