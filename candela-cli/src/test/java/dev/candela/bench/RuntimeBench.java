package dev.candela.bench;

import dev.candela.testkit.Architectures;
import dev.candela.graph.Model;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.run.GradientRule;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.Map;
import java.util.Random;
import java.util.Set;
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
 * ResNet-50 and VGG-16 at 1x3x224x224 (random weights, built in Java): forward, and forward plus
 * the gradient of one logit with respect to the input. Sample-time mode, so the report has medians.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 8, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g", "-XX:+UseParallelGC"})
public class RuntimeBench {
    @Param({"resnet50", "vgg16"})
    public String model;

    @Param({"1", "2"})
    public int threads;

    Parallel parallel;
    Executor executor;
    Tensor input;
    String output;

    @Setup(Level.Trial)
    public void setup() {
        Model m = switch (model) {
            case "resnet50" -> Architectures.resnet50(1);
            case "vgg16" -> Architectures.vgg16(1);
            default -> throw new IllegalArgumentException(model);
        };
        parallel = new Parallel(threads);
        executor = Executor.fast(m, parallel);
        output = m.graph().output();
        float[] x = new float[3 * 224 * 224];
        Random r = new Random(7);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        input = new Tensor(Shape.of(1, 3, 224, 224), x);
    }

    @TearDown(Level.Trial)
    public void close() { parallel.close(); }

    @Benchmark
    public Tensor forward() {
        return executor.forward(input, Set.of()).output();
    }

    @Benchmark
    public Tensor forwardBackward() {
        Activations a = executor.forward(input);
        Tensor seed = Tensor.zeros(a.output().shape());
        seed.data()[281] = 1f;
        Map<String, Tensor> g = executor.backward(a, output, seed, Set.of(executor.graph().input()), GradientRule.INSTANCE);
        return g.get(executor.graph().input());
    }
}
