package dev.candela.bench;

import dev.candela.explainer.Explainer;
import dev.candela.explain.Target;
import dev.candela.explainer.CamMethods;
import dev.candela.graph.GraphBuilder;
import dev.candela.graph.Model;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;

/**
 * Issue 4's cost requirement, measured (not a unit test): LIFT-CAM's time per image against Grad-CAM's,
 * both through the same Explainer path (forward pass included), on a VGG16-shaped and a MobileNet-v1
 * (0.25)-shaped model with seeded random weights at 224 x 224.
 *
 * <pre>java --add-modules jdk.incubator.vector -Xmx6g -cp target/classes:target/test-classes:$(cat cp.txt) \
 *     dev.candela.bench.LiftCamCostBench [threads] [reps] [vgg|mobilenet|both|MODEL.onnx|MODEL.cnd] [layer]</pre>
 */
public final class LiftCamCostBench {
    private LiftCamCostBench() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String which = args.length > 2 ? args[2] : "both";
        if (which.endsWith(".onnx") || which.endsWith(".cnd")) {
            try {
                run(which, dev.candela.format.ModelFiles.load(java.nio.file.Path.of(which)), args[3], threads, reps);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return;
        }
        if (!which.equals("vgg")) run("mobilenet-v1-0.25", mobileNet(), "relu13b", threads, reps);
        if (!which.equals("mobilenet")) run("vgg16", vgg16(), "features.29", threads, reps);
    }

    private static void run(String name, Model m, String layer, int threads, int reps) {
        Random r = new Random(1);
        float[] d = new float[3 * 224 * 224];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        Tensor x = Tensor.of(d, 1, 3, 224, 224);
        try (Explainer ex = Explainer.of(m, threads)) {
            Explainer.Request req = Explainer.Request.defaults().layers(layer).targets(Target.classIndex(7));
            double[] grad = new double[reps], lift = new double[reps];
            for (int i = -1; i < reps; i++) { // i = -1 warms up
                long t0 = System.nanoTime();
                ex.explain(x, CamMethods.byName("grad-cam"), req);
                long t1 = System.nanoTime();
                ex.explain(x, CamMethods.byName("lift-cam"), req);
                long t2 = System.nanoTime();
                if (i >= 0) { grad[i] = (t1 - t0) / 1e6; lift[i] = (t2 - t1) / 1e6; }
            }
            Arrays.sort(grad);
            Arrays.sort(lift);
            System.out.printf("%s (%d threads, %d reps): grad-cam median %.1f ms, lift-cam median %.1f ms, ratio %.3f (min %.1f / %.1f)%n",
                    name, threads, reps, grad[reps / 2], lift[reps / 2], lift[reps / 2] / grad[reps / 2], grad[0], lift[0]);
        }
    }

    /** torchvision VGG16's shapes (features.0 .. features.30, classifier 25088-4096-4096-1000). */
    static Model vgg16() {
        GraphBuilder b = new GraphBuilder("x", Shape.of(3, 224, 224), 16);
        int[] cfg = {64, 64, -1, 128, 128, -1, 256, 256, 256, -1, 512, 512, 512, -1, 512, 512, 512, -1};
        String t = "x";
        int i = 0;
        for (int c : cfg) {
            if (c < 0) {
                t = b.maxPool("features." + i++, t, 2, 2);
            } else {
                t = b.conv("features." + i++, t, c, 3, 1, 1);
                t = b.relu("features." + i++, t);
            }
        }
        t = b.flatten("flatten", t);
        t = b.linear("classifier.0", t, 4096);
        t = b.relu("classifier.1", t);
        t = b.linear("classifier.3", t, 4096);
        t = b.relu("classifier.4", t);
        t = b.linear("classifier.6", t, 1000);
        return b.build(t);
    }

    /** MobileNet v1 0.25 shapes: 3x3/2 conv, 13 depthwise-separable blocks, GAP, FC 1000. */
    static Model mobileNet() {
        GraphBuilder b = new GraphBuilder("x", Shape.of(3, 224, 224), 25);
        String t = b.relu("relu0", b.conv("conv0", "x", 8, 3, 2, 1));
        int[][] blocks = {{16, 1}, {32, 2}, {32, 1}, {64, 2}, {64, 1}, {128, 2}, {128, 1}, {128, 1}, {128, 1}, {128, 1}, {128, 1}, {256, 2}, {256, 1}};
        for (int k = 0; k < blocks.length; k++) {
            int c = b.shape(t).dim(1);
            t = b.relu("relu" + (k + 1) + "a", b.conv("dw" + (k + 1), t, c, 3, blocks[k][1], 1, c));
            t = b.relu("relu" + (k + 1) + "b", b.conv("pw" + (k + 1), t, blocks[k][0], 1, 1, 0));
        }
        t = b.globalAvgPool("gap", t);
        t = b.flatten("flatten", t);
        t = b.linear("fc", t, 1000);
        return b.build(t);
    }

}
