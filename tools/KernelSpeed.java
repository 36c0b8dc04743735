import dev.candela.explainer.Explainer;
import dev.candela.format.ModelFiles;
import dev.candela.graph.Model;
import dev.candela.image.ImageLoader;
import dev.candela.image.Preprocessor;
import dev.candela.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Issue 12's scalar-vs-vector measurement: median wall time of one Grad-CAM explanation (a forward and a
 * backward pass) after warm-up, with whichever kernels this JVM chose. Run by tools/kernel_speed.sh twice,
 * with and without --add-modules jdk.incubator.vector, alternating, and compare medians of the same session.
 * Usage: java -cp JARS tools/KernelSpeed.java MODEL IMAGE WARMUP RUNS THREADS
 */
public final class KernelSpeed {
    public static void main(String[] a) throws Exception {
        Model model = ModelFiles.load(Path.of(a[0]));
        Tensor in = new Preprocessor(model).prepare(ImageLoader.load(Path.of(a[1]))).input();
        int warm = Integer.parseInt(a[2]), runs = Integer.parseInt(a[3]), threads = Integer.parseInt(a[4]);
        double[] ms = new double[runs];
        try (Explainer ex = Explainer.of(model, threads)) {
            for (int i = 0; i < warm; i++) ex.explain(in, "grad-cam");
            for (int i = 0; i < runs; i++) {
                long t = System.nanoTime();
                ex.explain(in, "grad-cam");
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        Arrays.sort(ms);
        boolean vector = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        System.out.printf(java.util.Locale.ROOT, "%s %s median %.3f ms (min %.3f, max %.3f, n=%d)%n",
                Path.of(a[0]).getFileName(), vector ? "vector" : "scalar", ms[runs / 2], ms[0], ms[runs - 1], runs);
    }
}
