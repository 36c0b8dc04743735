package dev.candela.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.candela.format.ModelFiles;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ONNX Runtime for Java against Candela on the same ONNX file and input, in one JVM: forward pass
 * timed the way {@link Timing} times everything else (warm-up, median wall ms, mean process CPU ms per
 * run), and ORT used as a forward-pass oracle (largest absolute logit difference).
 *
 * <p>Lives in src/bench/java, a test source root only under the Maven profile {@code bench}: ONNX
 * Runtime is native code and must never be on Candela's run-time or default test class path.
 *
 * <pre>tools/bench_ort.sh THREADS [resnet50,vgg16,efficientnet_b0,path/to/model.onnx] [warmS runS]</pre>
 *
 * Files: tools/build/{resnet50,vgg16}_224.onnx and input_224.npy (tools/export_bench_models.py).
 * ORT runs with intra-op threads = THREADS, one inter-op thread, sequential execution, all graph
 * optimisations, and spin-waiting off (as PyTorch is timed with OMP_WAIT_POLICY=PASSIVE): spinning
 * threads would burn the other jobs' CPU and inflate the process CPU time on this shared machine.
 */
public final class OrtBench {
    private OrtBench() {}

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        List<String> models = List.of((args.length > 1 ? args[1] : "resnet50,vgg16").split(","));
        double warmS = args.length > 2 ? Double.parseDouble(args[2]) : 4;
        double runS = args.length > 3 ? Double.parseDouble(args[3]) : 10;
        Path build = Path.of("tools", "build");
        Tensor input = Npy.read(build.resolve("input_224.npy"));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        System.out.printf("{\"ort\": \"%s\", \"threads\": %d, \"load\": %.1f}%n", env.getVersion(), threads, load());
        for (String model : models) {
            // a name of tools/build/NAME_224.onnx, or the path of any .onnx file taking the same 1x3x224x224 input
            Path onnx = model.endsWith(".onnx") ? Path.of(model) : build.resolve(model + "_224.onnx");
            String name = model.endsWith(".onnx") ? onnx.getFileName().toString().replaceFirst("\\.onnx$", "") : model;
            float[] ortOut;
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setIntraOpNumThreads(threads);
                o.setInterOpNumThreads(1);
                o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                o.addConfigEntry("session.intra_op.allow_spinning", "0");
                // -Dort.profile=PREFIX: ORT writes its per-node timings (PREFIX_<date>.json) beside Candela's `bench` table
                String profile = System.getProperty("ort.profile");
                if (profile != null) o.enableProfiling(profile + "-" + name + "-t" + threads);
                try (OrtSession s = env.createSession(onnx.toString(), o);
                     OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.data()), toLong(input.shape().dims()))) {
                    Map<String, OnnxTensor> feed = Map.of(s.getInputNames().iterator().next(), x);
                    ortOut = ortRun(s, feed);
                    Timing.Result r = Timing.time(() -> {
                        try (OrtSession.Result res = s.run(feed)) {
                            if (res.size() == 0) throw new IllegalStateException("no output");
                        } catch (OrtException e) {
                            throw new IllegalStateException(e);
                        }
                    }, warmS, runS, 5, 5);
                    Timing.print(name + " forward ort", threads, r);
                }
            }
            Model m = ModelFiles.load(onnx);
            try (Parallel p = new Parallel(threads)) {
                Executor e = Executor.fast(m, p);
                float[] candela = e.forward(input, Set.of()).output().data().clone();
                Timing.Result r = Timing.time(() -> e.forward(input, Set.of()), warmS, runS, 5, 5);
                Timing.print(name + " forward candela", threads, r);
                double maxDiff = 0, maxAbs = 0;
                int argC = 0, argO = 0;
                for (int i = 0; i < candela.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(candela[i] - ortOut[i]));
                    maxAbs = Math.max(maxAbs, Math.abs(ortOut[i]));
                    if (candela[i] > candela[argC]) argC = i;
                    if (ortOut[i] > ortOut[argO]) argO = i;
                }
                if (candela.length != ortOut.length) throw new IllegalStateException("output sizes differ: " + candela.length + " vs " + ortOut.length);
                System.out.printf("{\"work\": \"%s oracle\", \"threads\": %d, \"outputs\": %d, \"max_abs_diff\": %.3e, \"max_abs_logit\": %.3f, \"argmax_candela\": %d, \"argmax_ort\": %d}%n",
                        name, threads, candela.length, maxDiff, maxAbs, argC, argO);
            }
        }
    }

    private static float[] ortRun(OrtSession s, Map<String, OnnxTensor> feed) throws OrtException {
        try (OrtSession.Result res = s.run(feed)) {
            OnnxTensor t = (OnnxTensor) res.get(0);
            FloatBuffer b = t.getFloatBuffer();
            float[] out = new float[b.remaining()];
            b.get(out);
            return out;
        }
    }

    private static long[] toLong(int[] dims) {
        long[] l = new long[dims.length];
        for (int i = 0; i < dims.length; i++) l[i] = dims[i];
        return l;
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
