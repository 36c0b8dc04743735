package dev.candela.cli;

import dev.candela.format.ModelFiles;
import dev.candela.graph.LayerNames;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.run.FastKernels;
import dev.candela.run.Trace;
import java.io.Writer;
import dev.candela.tensor.Parallel;
import dev.candela.cli.args.CommandSpec;
import dev.candela.cli.args.ValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code candela run}: a forward pass writing the model output and any requested activations as .npy. */
final class RunCommand extends CliCommand {
    Path model;
    Path input;
    List<String> outputs = new ArrayList<>();
    Path outDir;
    Integer threads;
    boolean verify;
    Path trace;

    @Override CommandSpec declare() {
        CommandSpec.Builder o = CommandSpec.builder("run", "Run a model forward; writes DIR/<name>.npy for the output and each requested activation.");
        o.value("--model", null, null, "a .cnd or .onnx file", ValueType.PATH, v -> model = v).required();
        o.value("--input", null, null, "a .npy float32 tensor N x C x H x W, used exactly as given", ValueType.PATH, v -> input = v).required();
        o.list("--outputs", "NAME", ",", null, "activations to write: node name, tensor name or module path (e.g. layer4, features.13)", ValueType.STRING, v -> outputs = v);
        o.value("--out", "DIR", null, "output directory", ValueType.PATH, v -> outDir = v).required();
        o.value("--threads", "N", null, "worker threads (default: available processors)", ValueType.INT, v -> threads = v);
        o.flag("--verify", "also run the scalar reference kernel of every op and report the largest difference", v -> verify = v);
        o.value("--trace", "FILE", null, "write a JSON line per layer: shape, min, max, mean, L2 and a CRC32 of the output's bits", ValueType.PATH, v -> trace = v);
        return o.build();
    }

    @Override int run() throws IOException {
        CliChecks.threads(threads);
        CliChecks.outputDirectory("--out", outDir);
        CliChecks.createOutputDirectory("--out", outDir);
        if (!Files.isRegularFile(input)) throw new IllegalArgumentException("--input " + input + " is not a file");
        Model m = ModelFiles.load(model);
        InputBatch batch = InputBatch.read(input, m);
        LayerNames names = new LayerNames(m.graph());
        Map<String, String> files = new LinkedHashMap<>();
        for (String name : outputs) {
            String tensor = names.resolve(name);
            files.put(name.replace('/', '_'), tensor);
        }
        files.putIfAbsent(m.graph().output().replace('/', '_'), m.graph().output());
        Set<String> keep = new HashSet<>(files.values());
        Activations acts;
        List<FastKernels.Difference> diffs = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Parallel p = threads == null ? Parallel.ofAvailable() : new Parallel(threads);
             Writer traceOut = trace == null ? Writer.nullWriter() : Files.newBufferedWriter(trace)) {
            Executor ex = new Executor(m, verify ? FastKernels.verifying(p, diffs::add) : new FastKernels(p));
            if (trace != null) ex = ex.withListener(new Trace(traceOut));
            acts = ex.forward(batch.tensor(), keep);
        }
        if (verify) {
            List<FastKernels.Difference> worst = FastKernels.worstFirst(diffs);
            FastKernels.Difference w = worst.isEmpty() ? null : worst.get(0);
            out().printf(java.util.Locale.ROOT, "verify: %d ops compared with the scalar reference; largest relative difference %.3g%s%n",
                    diffs.size(), w == null ? 0.0 : w.relative(), w == null ? "" : " (" + w.op() + " " + w.phase() + " " + w.shape() + ", max |diff| " + w.maxAbs() + ")");
        }
        if (trace != null) out().println("trace: " + trace);
        Files.createDirectories(outDir);
        for (Map.Entry<String, String> e : files.entrySet()) {
            Path f = outDir.resolve(e.getKey() + ".npy");
            Npy.write(f, acts.get(e.getValue()));
            out().printf("%s  %s  %s%n", dev.candela.io.Text.safe(f.toString()), dev.candela.io.Text.safe(e.getValue()), acts.get(e.getValue()).shape());
        }
        return 0;
    }
}
