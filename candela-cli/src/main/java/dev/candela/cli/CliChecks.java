package dev.candela.cli;

import dev.candela.explainer.Explainer;
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

    /** Most worker threads accepted: far more than any machine has cores, far fewer than exhaust the OS. */
    static int maxThreads() { return Math.max(256, 8 * Runtime.getRuntime().availableProcessors()); }

    static void threads(Integer threads) {
        if (threads != null && (threads < 1 || threads > maxThreads())) {
            throw new IllegalArgumentException("--threads must be between 1 and " + maxThreads() + ", got " + threads);
        }
    }

    static void atLeast(String option, long value, long min) {
        if (value < min) throw new IllegalArgumentException(option + " must be >= " + min + ", got " + value);
    }

    static void finiteAtLeast(String option, double value, double min) {
        if (!(Double.isFinite(value) && value >= min)) throw new IllegalArgumentException(option + " must be a finite number >= " + min + ", got " + value);
    }

    /**
     * --out must be a directory that can be created or written: refused before the model runs, in one
     * line, when it names a file, sits under a file, or is read-only.
     */
    static void outputDirectory(String option, java.nio.file.Path out) {
        java.nio.file.Path p = out.toAbsolutePath();
        java.nio.file.Path existing = p;
        while (existing != null && !java.nio.file.Files.exists(existing)) existing = existing.getParent();
        if (existing == null) return;
        if (!java.nio.file.Files.isDirectory(existing)) {
            throw new IllegalArgumentException(option + " " + out + ": " + (existing.equals(p) ? "is a file, not a directory" : existing + " is a file, not a directory"));
        }
        if (!java.nio.file.Files.isWritable(existing)) {
            throw new IllegalArgumentException(option + " " + out + ": " + (existing.equals(p) ? "" : existing + " ") + "is not writable (permission denied)");
        }
    }

    static void finite(String option, float[] values) {
        for (float v : values) if (!Float.isFinite(v)) throw new IllegalArgumentException(option + " must be finite, got " + v);
    }

    /**
     * A method's map, raw map, coefficients and attributions must be finite (a backward rule can divide
     * 0 by 0 even when the forward pass was finite): exit 2 naming the method and the part, or with
     * --allow-non-finite a warning.
     */
    static void finiteResult(String method, dev.candela.explain.Explanation e, boolean allow, PrintWriter err) {
        String[] parts = {"map", "raw map", "coefficients", "attributions"};
        dev.candela.tensor.Tensor[] ts = {e.maps(), e.rawMaps(), e.coefficients(), e.attributions()};
        for (int k = 0; k < ts.length; k++) {
            if (ts[k] == null) continue;
            int i = dev.candela.run.ForwardChecks.firstNonFinite(ts[k].data());
            if (i < 0) continue;
            float v = ts[k].data()[i];
            String m = method + ": the " + parts[k] + " holds " + (Float.isNaN(v) ? "NaN" : "an infinity") + " at flat index " + i + " of " + ts[k].shape();
            if (!allow) throw new dev.candela.run.NonFiniteException(method, null, m + " (use --allow-non-finite to write it anyway)");
            err.println("candela: warning: " + m);
        }
    }

    /** A file-system error as one line that says what failed and why (its own message is often only the path). */
    static String fileError(java.nio.file.FileSystemException f) {
        String why = f.getReason();
        if (why == null || why.isBlank()) {
            why = switch (f) {
                case java.nio.file.AccessDeniedException a -> "permission denied";
                case java.nio.file.NoSuchFileException n -> "no such file or directory";
                case java.nio.file.NotDirectoryException n -> "not a directory";
                case java.nio.file.FileAlreadyExistsException x -> "a file of that name already exists";
                default -> f.getClass().getSimpleName();
            };
        }
        return "cannot access " + f.getFile() + (f.getOtherFile() != null ? " / " + f.getOtherFile() : "") + ": " + why;
    }

    /** Creates --out now, so a folder that cannot be made is one clear line before the model runs. */
    static void createOutputDirectory(String option, java.nio.file.Path out) {
        try {
            java.nio.file.Files.createDirectories(out);
        } catch (java.nio.file.FileSystemException e) {
            throw new IllegalArgumentException(option + " " + out + ": " + fileError(e));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(option + " " + out + ": cannot create it (" + e.getMessage() + ")");
        }
    }
}
