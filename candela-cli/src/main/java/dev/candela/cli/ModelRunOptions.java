package dev.candela.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import dev.candela.cli.args.CommandSpec;
import dev.candela.cli.args.ValueType;

/**
 * The options of every command that runs a model to explain it ({@code explain}, {@code evaluate}): the same
 * names, meanings and defaults in each, so a flag learnt on one works on the other.
 */
final class ModelRunOptions {
    Path model;
    List<String> layers = new ArrayList<>();
    Integer threads;
    long seed;
    boolean allowNonFinite;

    /** Declares these options on a command. */
    void declare(CommandSpec.Builder o) {
        o.value("--model", null, null, "model file (.cnd or .onnx); default: the shipped model in weights/", ValueType.PATH, v -> model = v)
                .list("--layer", null, ",", null, "layer(s) to explain: node name, tensor name, module path, or 'auto' (default). Several are fused.",
                        ValueType.STRING, layers::addAll)
                .value("--threads", null, null, "worker threads (default: available processors; results are the same bits for any count)", ValueType.INT, v -> threads = v)
                .value("--seed", null, "0", "seed of noisy methods (and of evaluate's ROAD noise and randomisation); default ${DEFAULT-VALUE}", ValueType.LONG, v -> seed = v)
                .flag("--allow-non-finite", "go on when a NaN or infinity appears in the input or a layer (default: exit 2 naming the layer); "
                        + "a warning still names it, and the values it touches stay NaN", v -> allowNonFinite = v);
    }

    /** The model file: the one given, or the shipped model. */
    Path modelFile() throws java.io.IOException { return model != null ? model : CliFiles.shippedModel(); }

    /** Option mistakes found before anything is read. */
    void check() { CliChecks.threads(threads); }
}
