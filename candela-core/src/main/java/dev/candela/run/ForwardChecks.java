package dev.candela.run;

import dev.candela.graph.Graph;
import dev.candela.graph.Node;
import dev.candela.io.Limits;
import dev.candela.tensor.Tensor;
import java.util.Map;

/**
 * The cheap checks every forward pass makes: the activation bytes of the whole pass, computed from the
 * shapes before anything runs, and a scan of each layer's output for NaN and infinity.
 */
public final class ForwardChecks {
    private ForwardChecks() {}

    /** What to do when a NaN or infinity appears. */
    public enum NonFinite {
        /** Throw a {@link NonFiniteException} naming the tensor and layer (the default). */
        FAIL,
        /** Tell the warning sink once per forward pass, then go on. */
        WARN
    }

    /**
     * Bytes of every tensor one item of a batch produces in a full forward pass (input included), plus
     * the largest convolution scratch (a zero-padded input or an im2col matrix; one at a time), in
     * saturating 64-bit arithmetic: crafted pads or kernels cannot make a small file allocate gigabytes.
     */
    public static long activationBytesPerItem(Graph g) {
        return activationBytesPerItem(g, g.nodes(), (long) g.inputItemShape().size() * Float.BYTES);
    }

    /** The same for the nodes a (possibly partial) forward pass runs, plus {@code givenBytes} of given tensors. */
    static long activationBytesPerItem(Graph g, java.util.List<Node> nodes, long givenBytes) {
        long sum = givenBytes, scratch = 0;
        for (Node n : nodes) {
            sum = add(sum, (long) g.itemShape(n.output()).size() * Float.BYTES);
            if (n.op() instanceof dev.candela.graph.Conv2d c && !n.inputs().isEmpty()) {
                dev.candela.tensor.Shape in = g.itemShape(n.inputs().get(0)), out = g.itemShape(n.output());
                if (in.rank() == 3 && out.rank() == 3) {
                    int[] p = c.pads();
                    long padded = mul(mul(in.dim(0), (long) in.dim(1) + p[0] + p[2]), (long) in.dim(2) + p[1] + p[3]);
                    long col = mul(mul(mul((long) c.weight().dim(1) * c.groups(), (long) c.kernelH() * c.kernelW()), out.dim(1)), out.dim(2));
                    scratch = Math.max(scratch, mul(Math.max(padded, col), Float.BYTES));
                }
            }
        }
        return add(sum, scratch);
    }

    private static long add(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    private static long mul(long a, long b) {
        if (a == 0 || b == 0) return 0;
        return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }

    /** Refuses a forward pass of {@code batch} items whose activations would exceed {@link Limits#maxActivationBytes()}. */
    static void checkActivationBytes(Graph g, java.util.List<Node> plan, Map<String, Tensor> given, int batch) {
        long givenBytes = 0;
        for (Tensor t : given.values()) givenBytes += (long) t.shape().itemSize() * Float.BYTES;
        long perItem = activationBytesPerItem(g, plan, givenBytes), limit = Limits.maxActivationBytes();
        if (perItem > 0 && batch > limit / Math.max(1, perItem)) {
            throw new IllegalArgumentException("a forward pass of " + batch + " input(s) needs " + human(perItem * (double) batch)
                    + " of activations (" + human(perItem) + " each), more than the limit of " + human(limit)
                    + " (candela.maxActivationBytes, at most the JVM's -Xmx)");
        }
    }

    /** Items a batch may hold so that its activations stay within {@code budget} bytes (at least 1). */
    public static int itemsWithin(Graph g, long budget) {
        long perItem = Math.max(1, activationBytesPerItem(g));
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, budget / perItem));
    }

    /** Index of the first NaN or infinity in {@code d}, or -1. */
    public static int firstNonFinite(float[] d) {
        // a vector scan of blocks, then the block with the first bad value element by element
        final int block = 4096;
        for (int from = 0; from < d.length; from += block) {
            int to = Math.min(d.length, from + block);
            if (!dev.candela.tensor.VectorOps.allFinite(d, from, to - from)) {
                for (int i = from; i < to; i++) if (!Float.isFinite(d[i])) return i;
            }
        }
        return -1;
    }

    static String describe(Tensor t, int i) {
        float v = t.data()[i];
        int[] idx = new int[t.rank()];
        int rest = i;
        for (int a = t.rank() - 1; a >= 0; a--) {
            int d = Math.max(1, t.dim(a));
            idx[a] = rest % d;
            rest /= d;
        }
        return (Float.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf") + " at index " + java.util.Arrays.toString(idx) + " of " + t.shape();
    }

    static void check(Map<String, Tensor> given, Node n, Tensor out) {
        if (n == null) {
            for (Map.Entry<String, Tensor> e : given.entrySet()) {
                int i = firstNonFinite(e.getValue().data());
                if (i >= 0) throw new NonFiniteException(e.getKey(), null, "non-finite input: tensor '" + dev.candela.io.Text.safe(e.getKey()) + "' holds " + describe(e.getValue(), i)
                        + " (use --allow-non-finite to go on anyway)");
            }
            return;
        }
        int i = firstNonFinite(out.data());
        if (i >= 0) throw new NonFiniteException(n.output(), n.name(), "non-finite value: " + describe(out, i) + " first appears in tensor '" + dev.candela.io.Text.safe(n.output())
                + "', output of layer '" + dev.candela.io.Text.safe(n.name()) + "' (" + n.op().getClass().getSimpleName() + "), though its inputs were finite (use --allow-non-finite to go on anyway)");
    }

    private static String human(double bytes) {
        if (bytes >= 1L << 30) return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (1L << 30));
        if (bytes >= 1L << 20) return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1L << 20));
        return String.format(java.util.Locale.ROOT, "%.0f KiB", bytes / 1024);
    }
}
