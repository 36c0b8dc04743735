package dev.candela.bench;

import dev.candela.tensor.Parallel;
import dev.candela.tensor.Sgemm;
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
 * SGEMM C[M x N] = A[M x K] · B[K x N] with A packed once (as conv weights are) and B packed per call.
 * GFLOP/s = 2 M N K / median time. Shapes: square 512 and 1024, ResNet layer1 3x3 conv
 * (M=64, K=576, N=3136) and a deep 3x3 conv (M=512, K=4608, N=49).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class SgemmBench {
    @Param({"512x512x512", "1024x1024x1024", "64x576x3136", "512x4608x49"})
    public String mkn;

    @Param({"1", "2"})
    public int threads;

    int m, k, n;
    Sgemm.PackedA a;
    float[] b, c;
    Parallel parallel;

    @Setup(Level.Trial)
    public void setup() {
        String[] d = mkn.split("x");
        m = Integer.parseInt(d[0]);
        k = Integer.parseInt(d[1]);
        n = Integer.parseInt(d[2]);
        Random r = new Random(3);
        float[] av = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < av.length; i++) av[i] = (float) r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        a = Sgemm.packA(av, 0, k, 1, m, k);
        parallel = new Parallel(threads);
    }

    @TearDown(Level.Trial)
    public void close() { parallel.close(); }

    @Benchmark
    public float[] sgemm() {
        Sgemm.multiply(a, Sgemm.rowMajor(b, 0, n), n, c, 0, n, parallel);
        return c;
    }
}
