package dev.candela.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options of every command that runs a model to explain it ({@code explain}, {@code evaluate}): the same
 * names, meanings and defaults in each, so a flag learnt on one works on the other.
 */
final class ModelRunOptions {
    @Option(names = "--model", description = "model file (.cnd or .onnx); default: the shipped model in weights/")
    Path model;

    @Option(names = "--layer", split = ",", description = "layer(s) to explain: node name, tensor name, module path, or 'auto' (default). Several are fused.")
    List<String> layers = new ArrayList<>();

    @Option(names = "--threads", description = "worker threads (default: available processors; results are the same bits for any count)")
    Integer threads;

    @Option(names = "--seed", defaultValue = "0", description = "seed of noisy methods (and of evaluate's ROAD noise and randomisation); default ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--allow-non-finite", description = "go on when a NaN or infinity appears in the input or a layer (default: exit 2 naming the layer); "
            + "a warning still names it, and the values it touches stay NaN")
    boolean allowNonFinite;

    /** The model file: the one given, or the shipped model. */
    Path modelFile() throws java.io.IOException { return model != null ? model : CliFiles.shippedModel(); }

    /** Option mistakes found before anything is read. */
    void check() { CliChecks.threads(threads); }
}
