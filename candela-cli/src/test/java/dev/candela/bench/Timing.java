package dev.candela.bench;

import dev.candela.testkit.Architectures;
import dev.candela.graph.Model;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.run.GradientRule;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Sgemm;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The same work as {@link RuntimeBench} and {@link SgemmBench}, timed the way tools/bench_torch.py
 * times PyTorch: median wall-clock ms of warm runs and the mean process CPU ms per run, as JSON lines.
 * On a shared machine the CPU time is what the work costs when other jobs steal the cores; JMH
 * gives the wall-clock figures.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp ... dev.candela.bench.Timing THREADS [mm,resnet50,vgg16]</pre>
 */
public final class Timing {
    private Timing() {}

    interface Work { void run(); }

    record Result(double wallMs, double cpuMs, int runs) {}

    /** Warm-up needs both time and a number of runs: on a loaded machine a few seconds may be only a few runs. */
    static Result time(Work w, double warmS, double runS) {
        return time(w, warmS, runS, 12, 5);
    }

    /** As {@link #time(Work, double, double)} with the minimum numbers of warm-up and timed runs given. */
    static Result time(Work w, double warmS, double runS, int minWarmRuns, int minRuns) {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long end = System.nanoTime() + (long) (warmS * 1e9);
        for (int i = 0; System.nanoTime() < end || i < minWarmRuns; i++) w.run();
        List<Double> wall = new ArrayList<>();
        end = System.nanoTime() + (long) (runS * 1e9);
        // Process CPU time ticks in 10 ms steps here, so it is taken over all runs (a mean per run).
        long c0 = os.getProcessCpuTime();
        while (System.nanoTime() < end || wall.size() < minRuns) {
            long t0 = System.nanoTime();
            w.run();
            wall.add((System.nanoTime() - t0) / 1e6);
        }
        double cpu = (os.getProcessCpuTime() - c0) / 1e6 / wall.size();
        return new Result(median(wall), cpu, wall.size());
    }

    /**
     * For work too long to time by seconds (Score-CAM on ResNet-50 is 2048 forwards): a fixed number of
     * warm-up runs, then {@code runs} timed runs; median wall ms and mean process CPU ms per run.
     */
    static Result timeRuns(Work w, int warmRuns, int runs) {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int i = 0; i < warmRuns; i++) w.run();
        List<Double> wall = new ArrayList<>();
        long c0 = os.getProcessCpuTime();
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            w.run();
            wall.add((System.nanoTime() - t0) / 1e6);
        }
        double cpu = (os.getProcessCpuTime() - c0) / 1e6 / runs;
        return new Result(median(wall), cpu, runs);
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]);
        List<String> only = List.of((args.length > 1 ? args[1] : "mm,resnet50,vgg16").split(","));
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        System.out.printf("{\"candela\": \"%s\", \"threads\": %d, \"load\": %.1f}%n", Sgemm.describe(), threads, load);
        try (Parallel p = new Parallel(threads)) {
            if (only.contains("mm")) {
                for (int[] s : new int[][]{{512, 512, 512}, {1024, 1024, 1024}, {64, 576, 3136}, {512, 4608, 49}}) {
                    int m = s[0], k = s[1], n = s[2];
                    Random r = new Random(3);
                    float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
                    for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
                    for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
                    Sgemm.PackedA pa = Sgemm.packA(a, 0, k, 1, m, k);
                    Result res = time(() -> Sgemm.multiply(pa, Sgemm.rowMajor(b, 0, n), n, c, 0, n, p), 2, 4);
                    System.out.printf("{\"work\": \"mm %dx%dx%d\", \"threads\": %d, \"median_ms\": %.3f, \"cpu_ms\": %.3f, \"gflops\": %.1f, \"gflops_cpu\": %.1f, \"runs\": %d}%n",
                            m, k, n, threads, res.wallMs(), res.cpuMs(), 2.0 * m * n * k / res.wallMs() / 1e6, 2.0 * m * n * k / res.cpuMs() / 1e6, res.runs());
                }
            }
            for (String name : List.of("resnet50", "vgg16")) {
                if (!only.contains(name)) continue;
                Model m = name.equals("resnet50") ? Architectures.resnet50(1) : Architectures.vgg16(1);
                Executor e = Executor.fast(m, p);
                float[] x = new float[3 * 224 * 224];
                Random r = new Random(7);
                for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
                Tensor in = new Tensor(Shape.of(1, 3, 224, 224), x);
                Result f = time(() -> e.forward(in, Set.of()), 4, 10);
                print(name + " forward", threads, f);
                Result fb = time(() -> {
                    Activations a = e.forward(in);
                    Tensor seed = Tensor.zeros(a.output().shape());
                    seed.data()[281] = 1f;
                    e.backward(a, m.graph().output(), seed, Set.of(m.graph().input()), GradientRule.INSTANCE);
                }, 4, 10);
                print(name + " forward+backward", threads, fb);
            }
        }
    }

    static void print(String work, int threads, Result r) {
        System.out.printf("{\"work\": \"%s\", \"threads\": %d, \"median_ms\": %.2f, \"cpu_ms\": %.2f, \"runs\": %d, \"load\": %.1f}%n",
                work, threads, r.wallMs(), r.cpuMs(), r.runs(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
