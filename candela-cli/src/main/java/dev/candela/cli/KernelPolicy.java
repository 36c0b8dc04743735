package dev.candela.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which kernels a command line run uses when the user has not said. The scalar and the Vector API kernels give
 * the same bits (KernelChoiceTest), so this is a choice of speed alone: the Vector API runs interpreted until the
 * JIT compiles it, about 0.5 s of a one-image run on the shared MobileNet (Grad-CAM: 1.0 s scalar, 1.5 s vector,
 * whole process), while any longer run gains from it (Score-CAM there: 5.8 s scalar, 3.0 s vector). A short run
 * is a few image files, on the shipped model with any method or on a small model with methods of one forward and
 * one backward pass. Decided once, before the first kernel is used.
 *
 * <p>The launcher ({@code ./candela}) applies the same rule to the command line before the JVM starts, to leave
 * the Vector API module out of a short run: without an incubator module the JDK's ahead-of-time cache also holds
 * linked classes and lambdas (KernelPolicyTest keeps the two rules equal).
 */
final class KernelPolicy {
    /** Up to this many single files count as a short run. */
    static final int SHORT_RUN_FILES = 4;

    /** A model file up to this size is small (the shared MobileNet v1 0.25: 1.9 MB, 41 M multiply-adds per image). */
    static final long SMALL_MODEL_BYTES = 8L << 20;

    /** Methods of one forward pass and at most one backward pass per layer (on a small model, a short run). */
    static final Set<String> ONE_PASS = Set.of("cam", "grad-cam", "hires-cam", "grad-cam-elementwise", "grad-cam++", "xgrad-cam",
            "layer-cam", "eigen-cam", "eigen-grad-cam", "lift-cam", "lrp-cam", "random-cam", "gradient", "gradient-x-input",
            "guided-backprop", "guided-grad-cam", "deeplift", "lrp");

    private KernelPolicy() {}

    /** Picks the scalar kernels for a short explain run, unless -Dcandela.vector is set. */
    static void forExplain(Path model, List<Path> inputs, List<String> methods) {
        if (System.getProperty("candela.vector") != null) return;
        if (shortRun(model, inputs, methods)) System.setProperty("candela.vector", "scalar");
    }

    static boolean shortRun(Path model, List<Path> inputs, List<String> methods) {
        if (inputs.isEmpty() || inputs.size() > SHORT_RUN_FILES) return false;
        for (Path p : inputs) if (!Files.isRegularFile(p) || p.toString().endsWith(".npy")) return false;
        if (model == null) return true;
        try {
            if (!Files.isRegularFile(model) || Files.size(model) > SMALL_MODEL_BYTES) return false;
        } catch (IOException e) {
            return false;
        }
        for (String spec : methods) {
            // the names, without their options in parentheses
            for (String name : spec.replaceAll("\\([^)]*\\)", "").split(",")) {
                if (!ONE_PASS.contains(name.trim().toLowerCase(Locale.ROOT))) return false;
            }
        }
        return true;
    }
}
