package dev.candela.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Which kernels a command line run uses when the user has not said. The scalar and the Vector API kernels give
 * the same bits (KernelChoiceTest), so this is a choice of speed alone: the Vector API runs interpreted until
 * the JIT compiles it, which costs a one-image run on the shipped 28x28 model about a third of its wall time,
 * while any longer run gains from it. Decided once, before the first kernel is used.
 */
final class KernelPolicy {
    /** Up to this many single files on the shipped model count as a short run. */
    static final int SHORT_RUN_FILES = 4;

    private KernelPolicy() {}

    /** Picks the scalar kernels for a short explain run on the shipped model, unless -Dcandela.vector is set. */
    static void forExplain(Path model, List<Path> inputs) {
        if (System.getProperty("candela.vector") != null) return;
        if (shortRun(model, inputs)) System.setProperty("candela.vector", "scalar");
    }

    static boolean shortRun(Path model, List<Path> inputs) {
        if (model != null || inputs.isEmpty() || inputs.size() > SHORT_RUN_FILES) return false;
        for (Path p : inputs) if (!Files.isRegularFile(p) || p.toString().endsWith(".npy")) return false;
        return true;
    }
}
