package dev.candela.spark;

import dev.candela.explainer.Explainer;
import dev.candela.explainer.Method;
import dev.candela.explainer.Methods;
import dev.candela.explain.Target;
import dev.candela.cli.MethodOptions;
import dev.candela.explain.Progress;
import dev.candela.graph.Model;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a transformer's params say, in a form that travels to the executors: method specs, target, layers, seed
 * and sizes, and how to find the image and its name in a row. Methods and targets are parsed by the core's one
 * parser ({@link Methods}, {@link Target}), with the defaults of the CLI's flags.
 *
 * @param inputIndex  index of the input column (binary bytes or an image struct)
 * @param imageStruct whether the input column is the image source's struct
 * @param pathIndex   index of the column naming the file (-1: none; the image struct's origin is used)
 * @param targetIndex index of an integer class column (-1: none)
 */
record ExplainSettings(String methods, String target, String layers, long seed, int batchSize, int threads,
                       int inputIndex, boolean imageStruct, int pathIndex, int targetIndex,
                       String modelSha, String modelExtension) implements Serializable {

    /** The run's default method options: the CLI's flag defaults ({@code candela explain --help}), with this seed. */
    static Methods.Defaults defaults(long seed) {
        return MethodOptions.flagDefaults().defaults(seed);
    }

    List<Method> parseMethods(Model model) {
        return Methods.parse(List.of(methods), defaults(seed), model);
    }

    List<String> layerList() {
        if (layers == null || layers.isBlank()) return List.of();
        return Arrays.stream(layers.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** The request for one row: the row's class if a target column gives one, else the target param, else the prediction. */
    Explainer.Request request(Integer rowTarget) {
        List<Target> ts = new ArrayList<>();
        if (rowTarget != null) ts.add(Target.classIndex(rowTarget));
        else if (target != null && !target.isBlank()) ts.add(Target.parse(target));
        return Explainer.Request.defaults().layers(layerList().toArray(String[]::new)).targets(ts)
                .options(MethodOptions.flagDefaults().camOptions(batchSize, seed, Progress.none()));
    }
}
