package dev.candela.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.graph.GraphBuilder;
import dev.candela.graph.Model;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ExecutorTest {

    /** A small residual model with a branch that joins again: exercises gradient accumulation. */
    static Model residual(long seed) {
        GraphBuilder b = new GraphBuilder("input", Shape.of(2, 8, 8), seed);
        String x = b.conv("conv1", b.input(), 4, 3, 1, 1);
        x = b.batchNorm("bn1", x);
        String r = b.relu("relu1", x);
        String y = b.conv("conv2", r, 4, 3, 1, 1);
        y = b.relu("relu2", y);
        String s = b.sum("add", r, y);
        String p = b.maxPool("pool", s, 2, 2);
        String g = b.globalAvgPool("gap", p);
        String f = b.flatten("flatten", g);
        return b.build(b.linear("fc", f, 3));
    }

    static Tensor randomInput(Random r, int n) {
        float[] d = new float[n * 2 * 8 * 8];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return Tensor.of(d, n, 2, 8, 8);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void backwardToInputMatchesCentralFiniteDifferences(long seed) {
        Model m = residual(seed);
        Executor ex = new Executor(m, ReferenceKernels.INSTANCE);
        Random r = new Random(seed);
        Tensor x = randomInput(r, 1);
        Activations fwd = ex.forward(x);
        Tensor seedT = Tensor.of(new float[]{0.3f, -1.2f, 0.7f}, 1, 3);
        Tensor gx = ex.backward(fwd, m.graph().output(), seedT, Set.of("input"), GradientRule.INSTANCE).get("input");
        double h = 1e-2, f0 = dot(fwd.output(), seedT);
        int checked = 0;
        for (int k = 0; k < 40; k++) {
            int i = r.nextInt(x.size());
            float[] plus = x.data().clone(), minus = x.data().clone();
            plus[i] += (float) h;
            minus[i] -= (float) h;
            double fp = dot(ex.forward(new Tensor(x.shape(), plus)).output(), seedT);
            double fm = dot(ex.forward(new Tensor(x.shape(), minus)).output(), seedT);
            double fd = (fp - fm) / (2 * h);
            // A ReLU or max-pool switch inside [x-h, x+h] makes one-sided slopes disagree: not differentiable there.
            if (Math.abs((fp - f0) / h - (f0 - fm) / h) > 1e-2 + 0.05 * Math.abs(fd)) continue;
            checked++;
            assertEquals(fd, gx.data()[i], 2e-3 + 2e-2 * Math.abs(fd), "seed " + seed + " element " + i);
        }
        assertTrue(checked >= 20, "seed " + seed + ": too few smooth points checked: " + checked);
    }

    static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) s += (double) a.data()[i] * b.data()[i];
        return s;
    }

    @Test
    void forwardFromALayerReproducesTheFullForward() {
        Model m = residual(7);
        Executor ex = new Executor(m, ReferenceKernels.INSTANCE);
        Tensor x = randomInput(new Random(7), 2);
        Activations full = ex.forward(x);
        Activations tail = ex.forwardFrom(Map.of("add", full.get("add")), Set.of());
        assertEquals(full.output().sum(), tail.output().sum(), 0.0);
    }

    @Test
    void backwardStopsAtAnIntermediateLayerAndMatchesTheFullChain() {
        Model m = residual(11);
        Executor ex = new Executor(m, ReferenceKernels.INSTANCE);
        Tensor x = randomInput(new Random(11), 2);
        Activations fwd = ex.forward(x);
        Tensor seedT = Tensor.of(new float[]{1, 0, 0, 0, 1, 0}, 2, 3);
        Map<String, Tensor> both = ex.backward(fwd, m.graph().output(), seedT, Set.of("relu1", "input"), GradientRule.INSTANCE);
        Map<String, Tensor> mid = ex.backward(fwd, m.graph().output(), seedT, Set.of("relu1"), GradientRule.INSTANCE);
        assertEquals(both.get("relu1").sum(), mid.get("relu1").sum(), 0.0);
        assertTrue(mid.get("relu1").shape().equals(Shape.of(2, 4, 8, 8)));
    }

    @Test
    void wrongInputShapeIsAClearError() {
        Model m = residual(1);
        Executor ex = new Executor(m, ReferenceKernels.INSTANCE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ex.forward(Tensor.zeros(1, 3, 8, 8)));
        assertTrue(e.getMessage().contains("Nx2x8x8"), e.getMessage());
    }

    @Test
    void perThreadExecutorsStillVerifyAndCallListenersFromOneThread() {
        Model m = residual(5);
        Tensor x = randomInput(new Random(5), 3);
        try (dev.candela.tensor.Parallel two = new dev.candela.tensor.Parallel(2)) {
            // --verify compares every op with the reference: the executors a batch is split across must too
            java.util.List<FastKernels.Difference> diffs = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            Executor verifying = new Executor(m, FastKernels.verifying(two, diffs::add));
            for (Executor w : verifying.perThread()) w.forward(x, Set.of());
            assertTrue(!diffs.isEmpty(), "no op of the per-thread passes was verified");
            // a listener (a trace, an activation hook) was called from one thread, in node order: splitting the
            // batch across threads would call it from several at once, so such an executor keeps its op split
            Executor listened = Executor.fast(m, two).withListener((node, in, out) -> { });
            assertEquals(java.util.List.of(listened), listened.perThread());
        }
    }

    @Test
    void warningExecutorsDoNotSplitBatchesSoEachPassWarnsOnceFromOneThread() {
        Model m = residual(6);
        Tensor x = randomInput(new Random(6), 4);
        x.data()[x.size() - 1] = Float.NaN; // in the last item: a split batch's second part
        for (int threads : new int[]{1, 2}) {
            try (dev.candela.tensor.Parallel p = new dev.candela.tensor.Parallel(threads)) {
                java.util.List<String> warned = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
                Executor ex = Executor.fast(m, p).withNonFinite(ForwardChecks.NonFinite.WARN, warned::add);
                java.util.List<Executor> workers = ex.perThread();
                int parts = workers.size();
                for (int k = 0; k < parts; k++) {
                    int from = 4 * k / parts, to = 4 * (k + 1) / parts, item = x.size() / 4;
                    float[] d = java.util.Arrays.copyOfRange(x.data(), from * item, to * item);
                    workers.get(k).forward(Tensor.of(d, to - from, 2, 8, 8), Set.of());
                }
                // one forward pass of the batch warns once, naming the value by its index in the batch
                assertEquals(1, warned.size(), threads + " thread(s): " + warned);
                assertTrue(warned.get(0).contains("[3, 1, 7, 7] of 4x2x8x8"), threads + " thread(s): " + warned.get(0));
            }
        }
    }
}
