package dev.candela.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.candela.format.ModelFiles;
import dev.candela.graph.Graph;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.run.Executor;
import dev.candela.run.ForwardListener;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.cli.args.CommandSpec;
import dev.candela.cli.args.ValueType;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code candela bench MODEL}: where one forward pass spends its time. Each layer's time is the wall time
 * from the previous layer's completion to its own (the executor runs layers in order, each one parallel
 * inside), its median over the timed runs; GFLOP/s counts two operations per multiply-add. Timing a layer
 * needs its output, so those runs go op by op; the forward time is measured apart, in the runs a user's
 * forward pass makes (a convolution and the element-wise ops only it feeds in one pass), unless
 * {@code --unfused}.
 */
final class BenchCommand extends CliCommand {
    Path model;
    int batch;
    Integer threads;
    int warmup;
    int runs;
    int top;
    Path json;
    boolean unfused;

    /** One layer's result: median milliseconds of the runs, multiply-adds per forward pass (whole batch). */
    record Layer(String name, String op, String shape, long multiplyAdds, double millis) {
        double gflops() { return millis > 0 ? 2.0 * multiplyAdds / (millis * 1e6) : 0; }
    }

    @Override CommandSpec declare() {
        CommandSpec.Builder o = CommandSpec.builder("bench", "Time a model's forward pass per layer: median milliseconds over --runs after --warmup, share of the total and GFLOP/s, per layer and per op kind.");
        o.operand("MODEL", "a .cnd or .onnx file", ValueType.PATH, v -> model = v);
        o.value("--batch", null, "1", "images per forward pass (default ${DEFAULT-VALUE})", ValueType.INT, v -> batch = v);
        o.value("--threads", "N", null, "worker threads (default: available processors)", ValueType.INT, v -> threads = v);
        o.value("--warmup", null, "3", "untimed forward passes first (default ${DEFAULT-VALUE})", ValueType.INT, v -> warmup = v);
        o.value("--runs", null, "10", "timed forward passes (default ${DEFAULT-VALUE})", ValueType.INT, v -> runs = v);
        o.value("--top", "N", "0", "list only the N slowest layers (default: every layer, in graph order)", ValueType.INT, v -> top = v);
        o.value("--json", "FILE", null, "also write the numbers as JSON", ValueType.PATH, v -> json = v);
        o.flag("--unfused", "time the forward pass op by op, as the per-layer runs do (no convolution fused with the ops after it)", v -> unfused = v);
        return o.build();
    }

    @Override int run() throws IOException {
        CliChecks.threads(threads);
        CliChecks.atLeast("--batch", batch, 1);
        CliChecks.atLeast("--warmup", warmup, 0);
        CliChecks.atLeast("--runs", runs, 1);
        CliChecks.atLeast("--top", top, 0);
        if (batch > 4096 || runs > 100_000 || warmup > 100_000) throw new IllegalArgumentException("--batch is at most 4096 and --runs, --warmup at most 100000");
        if (json != null) CliChecks.outputDirectory("--json's folder", json.toAbsolutePath().getParent());
        Model m = ModelFiles.load(model);
        Graph g = m.graph();
        int[] dims = new int[g.inputItemShape().rank() + 1];
        dims[0] = batch;
        System.arraycopy(g.inputItemShape().dims(), 0, dims, 1, dims.length - 1);
        long elements = (long) batch * g.inputItemShape().size();
        if (elements > (1 << 28)) throw new IllegalArgumentException("--batch " + batch + " makes an input of " + elements + " values; at most " + (1 << 28));
        Tensor x = new Tensor(Shape.of(dims), gaussian((int) elements));
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        List<Node> nodes = g.nodes();
        Map<Node, Integer> index = new IdentityHashMap<>();
        for (int i = 0; i < nodes.size(); i++) index.put(nodes.get(i), i);
        long[][] nanos = new long[nodes.size()][runs];
        double[] total = new double[runs], opByOp = new double[runs];
        try (Parallel par = new Parallel(t)) {
            int[] run = {-1};
            long[] last = {0};
            ForwardListener timer = (n, in, out) -> {
                long now = System.nanoTime();
                if (run[0] >= 0) nanos[index.get(n)][run[0]] = now - last[0];
                last[0] = now;
            };
            Executor ex = Executor.fast(m, par).withListener(timer);
            for (int i = 0; i < warmup; i++) ex.forward(x, java.util.Set.of());
            for (int r = 0; r < runs; r++) {
                run[0] = r;
                long t0 = System.nanoTime();
                last[0] = t0;
                ex.forward(x, java.util.Set.of());
                opByOp[r] = (System.nanoTime() - t0) / 1e6;
            }
            // a listener sees every layer, so it turns fusion off: a no-op one for --unfused
            Executor plain = unfused ? Executor.fast(m, par).withListener((n, in, out) -> { }) : Executor.fast(m, par);
            for (int i = 0; i < warmup; i++) plain.forward(x, java.util.Set.of());
            for (int r = 0; r < runs; r++) {
                long t0 = System.nanoTime();
                plain.forward(x, java.util.Set.of());
                total[r] = (System.nanoTime() - t0) / 1e6;
            }
        }
        List<Layer> layers = new ArrayList<>();
        long macs = 0;
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            List<Shape> in = new ArrayList<>();
            for (String s : n.inputs()) in.add(InspectCommand.batched(g.itemShape(s)));
            long mac = n.op().multiplyAdds(in) * batch;
            macs += mac;
            double[] ms = new double[runs];
            for (int r = 0; r < runs; r++) ms[r] = nanos[i][r] / 1e6;
            layers.add(new Layer(dev.candela.io.Text.safe(n.name()), n.op().kind(), g.itemShape(n.output()).toString(), mac, median(ms)));
        }
        double forward = median(total);
        print(out(), g, t, forward, total, median(opByOp), macs, layers);
        if (json != null) writeJson(t, forward, median(opByOp), macs, layers);
        return 0;
    }

    private void print(PrintWriter out, Graph g, int t, double forward, double[] total, double opByOp, long macs, List<Layer> layers) {
        double[] sorted = total.clone();
        Arrays.sort(sorted);
        out.printf(Locale.ROOT, "model %s: %d layers, input %dx%s, %d thread%s, %d warm-up + %d timed runs%n", dev.candela.io.Text.safe(model.toString()),
                layers.size(), batch, g.inputItemShape(), t, t == 1 ? "" : "s", warmup, runs);
        out.printf(Locale.ROOT, "forward%s: median %.3f ms (min %.3f, max %.3f), %.2f GFLOP/s, %.1f images/s; op by op, timing each layer: median %.3f ms%n",
                unfused ? " (op by op)" : "", forward, sorted[0], sorted[sorted.length - 1],
                forward > 0 ? 2.0 * macs / (forward * 1e6) : 0, forward > 0 ? batch * 1000 / forward : 0, opByOp);
        List<Layer> shown = layers;
        if (top > 0) shown = layers.stream().sorted(Comparator.comparingDouble(Layer::millis).reversed()).limit(top).toList();
        double sum = layers.stream().mapToDouble(Layer::millis).sum();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"layer", "op", "output", "MMAC", "ms", "share", "GFLOP/s"});
        for (Layer l : shown) rows.add(row(l.name(), l.op(), l.shape(), l.multiplyAdds(), l.millis(), sum, l.gflops()));
        table(out, rows);
        // where the time goes by op kind
        Map<String, double[]> byOp = new LinkedHashMap<>();
        for (Layer l : layers) {
            double[] a = byOp.computeIfAbsent(l.op(), k -> new double[3]);
            a[0]++;
            a[1] += l.millis();
            a[2] += l.multiplyAdds();
        }
        List<String[]> ops = new ArrayList<>();
        ops.add(new String[]{"op kind", "layers", "MMAC", "ms", "share", "GFLOP/s"});
        byOp.entrySet().stream().sorted(Comparator.comparingDouble((Map.Entry<String, double[]> e) -> e.getValue()[1]).reversed()).forEach(e -> {
            double[] a = e.getValue();
            String[] r = row(e.getKey(), "", "", (long) a[2], a[1], sum, a[1] > 0 ? 2.0 * a[2] / (a[1] * 1e6) : 0);
            ops.add(new String[]{r[0], String.valueOf((int) a[0]), r[3], r[4], r[5], r[6]});
        });
        out.println();
        table(out, ops);
    }

    private static String[] row(String name, String op, String shape, long mac, double ms, double sum, double gflops) {
        return new String[]{name, op, shape, String.format(Locale.ROOT, "%.2f", mac / 1e6), String.format(Locale.ROOT, "%.3f", ms),
                String.format(Locale.ROOT, "%.1f%%", sum > 0 ? 100 * ms / sum : 0), mac == 0 ? "-" : String.format(Locale.ROOT, "%.2f", gflops)};
    }

    private static void table(PrintWriter out, List<String[]> rows) {
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                boolean number = i >= (r.length == 6 ? 1 : 3);
                String cell = number ? " ".repeat(w[i] - r[i].length()) + r[i] : r[i] + " ".repeat(w[i] - r[i].length());
                sb.append(i == 0 ? "" : "  ").append(cell);
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    private void writeJson(int t, double forward, double opByOp, long macs, List<Layer> layers) throws IOException {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model.toString());
        j.put("batch", batch);
        j.put("threads", t);
        j.put("warmup", warmup);
        j.put("runs", runs);
        j.put("forward_median_ms", forward);
        j.put("fused", !unfused);
        j.put("op_by_op_median_ms", opByOp);
        j.put("multiply_adds", macs);
        List<Map<String, Object>> ls = new ArrayList<>();
        for (Layer l : layers) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", l.name());
            e.put("op", l.op());
            e.put("output", l.shape());
            e.put("multiply_adds", l.multiplyAdds());
            e.put("median_ms", l.millis());
            e.put("gflops", l.gflops());
            ls.add(e);
        }
        j.put("layers", ls);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), j);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** A fixed standard-normal input (seed 0): timings do not depend on the values, but NaN checks must pass. */
    private static float[] gaussian(int n) {
        Random r = new Random(0);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) r.nextGaussian();
        return f;
    }
}
