package dev.candela.bench;

import dev.candela.explain.Explainer;
import dev.candela.explain.Target;
import dev.candela.explain.cam.CamMethods;
import dev.candela.explain.cam.CamOptions;
import dev.candela.explain.cam.CamSession;
import dev.candela.format.ModelFiles;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Time per image of each CAM method (issue 3, item 7), the same work as tools/bench_cam.py does with
 * pytorch-grad-cam / TorchCAM. Each method is timed on its own session (forward pass included, as a
 * PGC call includes it); one warm-up call of Grad-CAM first. Prints JSON lines (wall and process CPU ms).
 *
 * <pre>java --add-modules jdk.incubator.vector -cp ... dev.candela.bench.CamTiming THREADS mobilenet|resnet50 METHOD[,METHOD...]</pre>
 */
public final class CamTiming {
    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        String which = args[1];
        List<String> methods = List.of(args[2].split(","));
        Model m;
        Tensor x;
        String layer;
        int target;
        if (which.equals("mobilenet")) {
            m = ModelFiles.load(Path.of("../shared/models/mobilenet_v1_0.25_224_imagenet.onnx"));
            x = Npy.read(Path.of("testdata/golden/runtime/mobilenet_v1_chelsea/input.npy"));
            layer = "conv_pw_13_relu";
            target = 281;
        } else {
            m = Architectures.resnet50(1);
            Random r = new Random(0);
            float[] d = new float[3 * 224 * 224];
            for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
            x = Tensor.of(d, 1, 3, 224, 224);
            layer = "auto";
            target = 1;
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Explainer ex = Explainer.of(m, threads)) {
            Explainer.Request req = Explainer.Request.defaults().layers(layer).targets(Target.classIndex(target))
                    .options(CamOptions.defaults().withBatchSize(32));
            ex.session(x, req).explain(CamMethods.byName("grad-cam"));
            for (String name : methods) {
                long c0 = os.getProcessCpuTime(), t0 = System.nanoTime();
                CamSession s = ex.session(x, req);
                s.explain(CamMethods.byName(name));
                double wall = (System.nanoTime() - t0) / 1e6, cpu = (os.getProcessCpuTime() - c0) / 1e6;
                System.out.printf("{\"impl\": \"candela\", \"model\": \"%s\", \"layer\": \"%s\", \"method\": \"%s\", \"threads\": %d, \"wall_ms\": %.1f, \"cpu_ms\": %.1f, \"load\": %.1f}%n",
                        which, s.evidence().get(0).layer(), name, threads, wall, cpu, os.getSystemLoadAverage());
            }
        }
    }
}
