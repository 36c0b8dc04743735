package dev.candela.bench;

import dev.candela.testkit.Architectures;
import dev.candela.explain.fgcam.BaseComponents;
import dev.candela.explain.fgcam.FgCam;
import dev.candela.format.ModelFiles;
import dev.candela.graph.LayerNames;
import dev.candela.graph.Model;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * FG-CAM per image down to the input (forward, Grad-CAM components at the last feature map, raising):
 * the real MobileNet v1 0.25 (../shared) and VGG-16 (random weights) at 224x224. The same work in the
 * official code is timed by tools/bench_fgcam_official.py.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g", "-XX:+UseParallelGC"})
public class FgCamBench {
    @Param({"mobilenet", "vgg16"})
    public String model;

    @Param({"1", "2"})
    public int threads;

    Parallel parallel;
    Executor executor;
    Tensor input;
    String camLayer;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        Model m = switch (model) {
            case "mobilenet" -> ModelFiles.load(Path.of("..", "shared", "models", "mobilenet_v1_0.25_224_imagenet.onnx"));
            case "vgg16" -> Architectures.vgg16(1);
            default -> throw new IllegalArgumentException(model);
        };
        camLayer = model.equals("mobilenet") ? new LayerNames(m.graph()).resolve("conv_pw_13_relu") : "features.30";
        parallel = new Parallel(threads);
        executor = Executor.fast(m, parallel);
        float[] x = new float[3 * 224 * 224];
        Random r = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        input = new Tensor(Shape.of(1, 3, 224, 224), x);
    }

    @TearDown(Level.Trial)
    public void tearDown() { parallel.close(); }

    @Benchmark
    public Tensor fgGradCamToInput() {
        Activations fwd = executor.forward(input);
        int[] cls = dev.candela.explain.attribution.TargetWeights.argmax(fwd.output());
        Tensor comps = BaseComponents.compute(new BaseComponents.Base.GradCam(), executor, fwd, input, camLayer, cls);
        return new FgCam(executor).raise(fwd, camLayer, comps, executor.graph().input()).map();
    }
}
