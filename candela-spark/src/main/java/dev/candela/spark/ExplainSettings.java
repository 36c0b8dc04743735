package dev.candela.spark;

import dev.candela.explainer.Explainer;
import dev.candela.explainer.Method;
import dev.candela.explainer.Methods;
import dev.candela.explain.Target;
import dev.candela.explain.cam.CamOptions;
import dev.candela.graph.Model;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        Map<String, String> d = new LinkedHashMap<>();
        d.put("base", "grad-cam");
        d.put("level", "input");
        d.put("zero", "drop");
        d.put("bn", "merge");
        d.put("reference", "zeros");
        d.put("rules", "captum");
        d.put("steps", "50");
        d.put("quadrature", "gausslegendre");
        d.put("samples", "20");
        d.put("noise", "0.1");
        d.put("seed", Long.toString(seed));
        return new Methods.Defaults(d);
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
                .options(CamOptions.defaults().withBatchSize(batchSize).withSeed(seed));
    }
}
