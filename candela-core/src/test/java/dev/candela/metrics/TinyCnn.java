package dev.candela.metrics;

import dev.candela.graph.Flatten;
import dev.candela.graph.GlobalAvgPool;
import dev.candela.graph.Model;
import dev.candela.graph.Preprocessing;
import dev.candela.graph.Relu;
import dev.candela.image.Npy;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.run.GradientRule;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.testkit.TorchModelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The two-conv CNN of the tools scripts (conv1 relu maxpool2 conv2 relu mean fc), built from .npy
 * weights in PyTorch layout, and the simple map functions the property tests compare.
 */
public final class TinyCnn {
    private TinyCnn() {}

    static final Path FASHION = Path.of("testdata/models/fashion-tiny");

    static Tensor npy(Path dir, String name) {
        try {
            return Npy.read(dir.resolve(name + ".npy"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** conv1 relu maxpool2 conv2 relu mean fc, parameters from {@code <prefix><name>.npy} in {@code dir}. */
    static Model load(Path dir, String prefix, Shape inputItem, Preprocessing preprocessing) {
        TorchModelBuilder b = new TorchModelBuilder(TorchModelBuilder.Weights.npyFiles(dir, prefix));
        String t = b.conv("conv1", "x", 1, 1);
        t = b.add("relu1", new Relu(), t);
        t = b.maxPool("pool", t, 2, 2, 0);
        t = b.conv("conv2", t, 1, 1);
        t = b.add("relu2", new Relu(), t);
        t = b.add("gap", new GlobalAvgPool(), t);
        t = b.add("flat", new Flatten(), t);
        t = b.linear("fc", t);
        return b.build("x", inputItem, t, preprocessing, dir.toString());
    }

    public static Model fashion() { return load(FASHION, "", Shape.of(1, 28, 28), Preprocessing.unit()); }

    public static Tensor fashionImages(int n) { return npy(FASHION, "test_images").slice(0, n); }

    /** The labels are stored as int64; Npy hands them back as floats. */
    public static int[] fashionLabels(int n) {
        float[] d = npy(FASHION, "test_labels").data();
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = (int) d[i];
        return r;
    }

    /** Gradient of the target logit at tensor {@code at}, for a batch. */
    static Tensor gradient(Executor ex, Activations fwd, String at, int[] targets) {
        Tensor out = fwd.output();
        int k = out.shape().itemSize();
        float[] seed = new float[out.size()];
        for (int i = 0; i < targets.length; i++) seed[i * k + targets[i]] = 1;
        return ex.backward(fwd, ex.graph().output(), new Tensor(out.shape(), seed), Set.of(at), GradientRule.INSTANCE).get(at);
    }

    /** Min-max to [0, 1] per map, pytorch-grad-cam's way: (v - min) / (1e-7 + max - min). */
    static void normalise(float[] d, int n, int hw) {
        for (int i = 0; i < n; i++) {
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (int p = 0; p < hw; p++) { lo = Math.min(lo, d[i * hw + p]); hi = Math.max(hi, d[i * hw + p]); }
            for (int p = 0; p < hw; p++) d[i * hw + p] = (d[i * hw + p] - lo) / (1e-7f + hi - lo);
        }
    }

    /** Pixels ranked by their own gradient-times-input (summed over channels, signed), min-max normalised. */
    static MapFunction gradientTimesInput() {
        return (ex, x, targets) -> {
            Activations fwd = ex.forward(x);
            Tensor g = gradient(ex, fwd, ex.graph().input(), targets);
            int n = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3);
            float[] m = new float[n * hw];
            for (int i = 0; i < n; i++)
                for (int ch = 0; ch < c; ch++)
                    for (int p = 0; p < hw; p++) m[i * hw + p] += g.data()[(i * c + ch) * hw + p] * x.data()[(i * c + ch) * hw + p];
            normalise(m, n, hw);
            return Tensor.of(m, n, x.dim(2), x.dim(3));
        };
    }

    /** Uniform random values per pixel (the Random-CAM baseline at pixel level), seeded. */
    static MapFunction randomMap(long seed) {
        return (ex, x, targets) -> {
            SplittableRandom r = new SplittableRandom(seed);
            float[] m = new float[x.dim(0) * x.dim(2) * x.dim(3)];
            for (int i = 0; i < m.length; i++) m[i] = (float) r.nextDouble();
            return Tensor.of(m, x.dim(0), x.dim(2), x.dim(3));
        };
    }

    /** A method of the CAM registry (dev.candela.explain) at {@code layer}, seeded. */
    static MapFunction registered(String method, String layer, long seed) {
        return (ex, x, targets) -> {
            java.util.List<dev.candela.explain.Target> ts = new java.util.ArrayList<>();
            for (int t : targets) ts.add(dev.candela.explain.Target.classIndex(t));
            var request = dev.candela.explainer.Explainer.Request.defaults().layers(layer).targets(ts)
                    .options(dev.candela.explain.cam.CamOptions.defaults().withSeed(seed));
            return dev.candela.explainer.Explainer.of(ex).explain(x, dev.candela.explainer.CamMethods.byName(method), request).maps();
        };
    }
}
