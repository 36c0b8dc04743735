package dev.candela.explain;

import dev.candela.explainer.Explainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.graph.GraphBuilder;
import dev.candela.graph.Model;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: one Model (and one Explainer) shared by 8 threads running 200 mixed explanations each,
 * every result bit-identical to the sequential run; and 2,000 explanations in one JVM without the heap
 * after GC growing by 5% or more from the first 100 to the last 100.
 */
class ConcurrencySoakTest {
    static final List<String> METHODS = List.of("grad-cam", "grad-cam++", "xgrad-cam", "layer-cam", "hires-cam", "eigen-cam",
            "score-cam", "ablation-cam", "full-grad", "grad-cam-elementwise");

    static Model model() {
        GraphBuilder b = new GraphBuilder("x", Shape.of(3, 16, 16), 5);
        String x = b.conv("conv1", "x", 8, 3, 1, 1);
        x = b.batchNorm("bn1", x);
        x = b.relu("relu1", x);
        String y = b.conv("conv2", x, 8, 3, 1, 1);
        y = b.relu("relu2", y);
        x = b.sum("add", x, y);
        x = b.maxPool("pool", x, 2, 2);
        x = b.conv("conv3", x, 12, 3, 1, 1);
        x = b.relu("relu3", x);
        x = b.globalAvgPool("gap", x);
        x = b.flatten("flat", x);
        x = b.linear("fc", x, 6);
        return b.build(x);
    }

    record Task(int input, String method) {}

    static List<Task> tasks(int n, long seed) {
        Random r = new Random(seed);
        List<Task> t = new ArrayList<>();
        for (int i = 0; i < n; i++) t.add(new Task(r.nextInt(20), METHODS.get(r.nextInt(METHODS.size()))));
        return t;
    }

    static Tensor input(int k) {
        Random r = new Random(1000 + k);
        float[] d = new float[3 * 16 * 16];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return Tensor.of(d, 1, 3, 16, 16);
    }

    static int[] bits(Explanation e) {
        float[] m = e.maps().data();
        int[] b = new int[m.length];
        for (int i = 0; i < m.length; i++) b[i] = Float.floatToRawIntBits(m[i]);
        return b;
    }

    @Test
    void eightThreadsShareOneModelAndMatchTheSequentialRunBitForBit() throws Exception {
        Model m = model();
        List<Task> tasks = tasks(200, 7);
        List<int[]> sequential = new ArrayList<>();
        try (Explainer ex = Explainer.of(m, 2)) {
            for (Task t : tasks) sequential.add(bits(ex.explain(input(t.input()), t.method())));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> fs = new ArrayList<>();
                for (int th = 0; th < 8; th++) {
                    final int thread = th;
                    fs.add(pool.submit(() -> {
                        List<Integer> order = new ArrayList<>();
                        for (int i = 0; i < tasks.size(); i++) order.add(i);
                        Collections.shuffle(order, new Random(thread)); // every thread its own order
                        for (int i : order) {
                            Task t = tasks.get(i);
                            assertArrayEquals(sequential.get(i), bits(ex.explain(input(t.input()), t.method())), "thread " + thread + " task " + i + " " + t);
                        }
                        return order.size();
                    }));
                }
                int done = 0;
                for (Future<Integer> f : fs) done += f.get();
                assertEquals(1600, done);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * Live heap bytes: the total of a class histogram, which the JVM takes after a full GC. (Runtime's
     * used memory after System.gc() counts the parallel collector's uncompacted dense prefix too, which
     * made the same live set read anywhere from 6 to 10 MB.)
     */
    @Test
    void perturbationBatchesFollowTheMemoryBudgetWithoutChangingResults() {
        Model m = model();
        long perItem = dev.candela.run.ForwardChecks.activationBytesPerItem(m.graph());
        assertEquals(1, dev.candela.run.ForwardChecks.itemsWithin(m.graph(), 1));
        assertEquals(3, dev.candela.run.ForwardChecks.itemsWithin(m.graph(), 3 * perItem + 1));
        List<int[]> normal = new ArrayList<>(), tight = new ArrayList<>();
        try (Explainer ex = Explainer.of(m, 2)) {
            for (String method : List.of("score-cam", "ablation-cam")) normal.add(bits(ex.explain(input(1), method)));
            String old = System.getProperty("candela.batchMemoryBytes");
            System.setProperty("candela.batchMemoryBytes", Long.toString(2 * perItem)); // batches of 2
            try {
                for (String method : List.of("score-cam", "ablation-cam")) tight.add(bits(ex.explain(input(1), method)));
            } finally {
                if (old == null) System.clearProperty("candela.batchMemoryBytes"); else System.setProperty("candela.batchMemoryBytes", old);
            }
        }
        for (int i = 0; i < normal.size(); i++) assertArrayEquals(normal.get(i), tight.get(i), "method " + i);
    }

    static long heapAfterGc() throws Exception {
        javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        String histo = (String) server.invoke(new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[]{new String[0]}, new String[]{String[].class.getName()});
        for (String line : histo.lines().toList()) {
            if (line.startsWith("Total")) {
                String[] f = line.trim().split("\\s+");
                return Long.parseLong(f[f.length - 1]);
            }
        }
        throw new IllegalStateException("no Total line in the class histogram");
    }

    @Test
    void twoThousandExplanationsDoNotGrowTheHeap() throws Exception {
        Model m = model();
        List<Task> tasks = tasks(Integer.getInteger("candela.soak.n", 2000), 11);
        long first = 0, last = 0;
        try (Explainer ex = Explainer.of(m, 2)) {
            for (int i = 0; i < tasks.size(); i++) {
                Task t = tasks.get(i);
                ex.explain(input(t.input()), t.method());
                if (i == 99) first = heapAfterGc();
                if (Boolean.getBoolean("candela.soak.verbose") && (i + 1) % 500 == 0) System.out.println("soak " + (i + 1) + ": " + heapAfterGc());
                if (i == tasks.size() - 1) last = heapAfterGc();
            }
        }
        double growth = (last - first) / (double) first;
        System.out.printf("soak: heap after GC %d bytes after 100 explanations, %d after 2000 (%+.2f%%)%n", first, last, 100 * growth);
        assertTrue(growth < 0.05, "heap after GC grew " + 100 * growth + "% (" + first + " -> " + last + ")");
    }
}
