package dev.candela.run;

import dev.candela.graph.Graph;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a model forward on a batch and walks it backward with a pluggable {@link Rule}. Stateless apart
 * from its kernels and a pool of recycled activation arrays (one per forward pass running at a time), so one
 * executor may serve many threads.
 */
public final class Executor {
    private final Model model;
    private final Graph graph;
    private final Kernels kernels;
    private final List<ForwardListener> forwardListeners;
    private final ForwardChecks.NonFinite nonFinite;
    private final java.util.function.Consumer<String> warnings;
    /** Arrays of dead activations kept between forward passes, one arena per pass running at the same time. */
    private final java.util.concurrent.ConcurrentLinkedDeque<ActivationArena> arenas = new java.util.concurrent.ConcurrentLinkedDeque<>();

    public Executor(Model model, Kernels kernels) {
        this(model, kernels, List.of(), ForwardChecks.NonFinite.FAIL, w -> { });
    }

    private Executor(Model model, Kernels kernels, List<ForwardListener> listeners, ForwardChecks.NonFinite nonFinite, java.util.function.Consumer<String> warnings) {
        this.model = model;
        this.graph = model.graph();
        this.kernels = kernels;
        this.forwardListeners = List.copyOf(listeners);
        this.nonFinite = nonFinite;
        this.warnings = warnings;
    }

    /**
     * The same executor with another policy for NaN and infinity in forward passes: FAIL (the default)
     * throws a {@link NonFiniteException}; WARN passes its message to {@code warnings} and goes on.
     */
    public Executor withNonFinite(ForwardChecks.NonFinite policy, java.util.function.Consumer<String> warnings) {
        return new Executor(model, kernels, forwardListeners, policy, warnings);
    }

    /** The same kernels, listeners and policies on another model (e.g. a model with merged or randomised weights). */
    public Executor withModel(Model other) {
        return new Executor(other, kernels, forwardListeners, nonFinite, warnings);
    }

    /** An executor with the fast kernels on {@code parallel}. */
    public static Executor fast(Model model, Parallel parallel) {
        return new Executor(model, new FastKernels(parallel));
    }

    /**
     * Executors that split a batch across this executor's threads instead of splitting each op: one per thread,
     * each with serial kernels, so each core runs whole forward passes of its share
     * of the items and keeps its own working set. Throughput work of many small forwards (Score-CAM's masked
     * batches) gains; the items' results do not depend on the batch they are in, so the bits are the same.
     * With one thread (or reference kernels), just this executor; also when it verifies its kernels, has
     * listeners or warns of non-finite values: those were called from one thread at a time, once per pass of
     * the batch, and serial executors made here would drop the verification, call a listener or the warning
     * sink from several threads at once, and warn once per part (indexing the part) instead of once.
     */
    public List<Executor> perThread() {
        if (!(kernels instanceof FastKernels f) || f.parallel().threads() == 1 || f.verifies() || !forwardListeners.isEmpty()
                || nonFinite != ForwardChecks.NonFinite.FAIL)
            return List.of(this);
        List<Executor> list = new ArrayList<>();
        for (int i = 0; i < f.parallel().threads(); i++)
            list.add(new Executor(model, new FastKernels(Parallel.serial()), forwardListeners, nonFinite, warnings));
        return List.copyOf(list);
    }

    /** The threads this executor's kernels use (1 for the reference kernels). */
    public Parallel parallel() {
        return kernels instanceof FastKernels f ? f.parallel() : Parallel.serial();
    }

    /** The same executor with one more forward listener (activation hooks, traces). */
    public Executor withListener(ForwardListener l) {
        List<ForwardListener> ls = new ArrayList<>(forwardListeners);
        ls.add(l);
        return new Executor(model, kernels, ls, nonFinite, warnings);
    }

    public Model model() { return model; }
    public Kernels kernels() { return kernels; }
    public Graph graph() { return graph; }

    /** Forward pass keeping every activation (what a backward traversal needs). */
    public Activations forward(Tensor input) {
        return forward(input, null);
    }

    /**
     * Forward pass keeping only the tensors in {@code keep} (null = all) and the output; other
     * intermediates are dropped after their last use so memory stays bounded by the live set.
     */
    public Activations forward(Tensor input, Set<String> keep) {
        checkInput(input);
        return run(Map.of(graph.input(), input), keep);
    }

    /**
     * Runs the part of the graph needed for the output, with some tensors given (e.g. a modified
     * target-layer activation): nodes upstream of a given tensor are not computed.
     */
    public Activations forwardFrom(Map<String, Tensor> given, Set<String> keep) {
        for (Map.Entry<String, Tensor> e : given.entrySet()) {
            Shape item = graph.itemShape(e.getKey());
            Shape s = e.getValue().shape();
            if (s.rank() != item.rank() + 1 || s.itemSize() != item.size() || !item.equals(Shape.of(java.util.Arrays.copyOfRange(s.dims(), 1, s.rank())))) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' must have shape Nx" + item + ", got " + s);
            }
        }
        return run(given, keep);
    }

    private void checkInput(Tensor input) {
        Shape item = graph.inputItemShape();
        Shape s = input.shape();
        boolean ok = s.rank() == item.rank() + 1;
        for (int i = 0; ok && i < item.rank(); i++) ok = s.dim(i + 1) == item.dim(i);
        if (!ok || s.dim(0) < 1) {
            throw new IllegalArgumentException("model input '" + graph.input() + "' must have shape Nx" + item + " (N >= 1), got " + s);
        }
    }

    private Activations run(Map<String, Tensor> given, Set<String> keep) {
        // Which nodes are needed: ancestors of the output, stopping at given tensors.
        Set<String> needed = new HashSet<>();
        List<String> stack = new ArrayList<>(List.of(graph.output()));
        while (!stack.isEmpty()) {
            String t = stack.remove(stack.size() - 1);
            if (!needed.add(t) || given.containsKey(t)) continue;
            Node p = graph.producer(t);
            if (p == null) throw new IllegalArgumentException("tensor '" + t + "' is needed but neither given nor computed");
            stack.addAll(p.inputs());
        }
        List<Node> plan = new ArrayList<>();
        Map<String, Integer> lastUse = new HashMap<>();
        for (Node n : graph.nodes()) {
            if (!needed.contains(n.output()) || given.containsKey(n.output())) continue;
            for (String in : n.inputs()) lastUse.put(in, plan.size());
            plan.add(n);
        }
        Map<String, Tensor> values = new LinkedHashMap<>(given);
        if (!given.isEmpty()) ForwardChecks.checkActivationBytes(graph, plan, given, given.values().iterator().next().dim(0));
        boolean check = nonFiniteCheck(given, null, null);
        // Intermediate values nobody sees (not kept, no listener) need not be written: a convolution and the
        // element-wise ops only it feeds run as one pass over its output.
        ConvFusion fusion = keep != null && forwardListeners.isEmpty() ? new ConvFusion(graph, plan, keep) : null;
        // and their arrays are reused once dead (no listener holds on to one)
        ActivationArena arena = null;
        if (fusion != null) {
            arena = arenas.poll();
            if (arena == null) arena = new ActivationArena();
            arena.activate();
        }
        try {
            runPlan(plan, given, keep, values, lastUse, fusion, arena, check);
        } finally {
            if (arena != null) {
                arena.deactivate();
                arenas.push(arena);
            }
        }
        if (keep != null) values.keySet().retainAll(union(keep, graph.output()));
        return new Activations(values, graph.output(), keep == null);
    }

    private void runPlan(List<Node> plan, Map<String, Tensor> given, Set<String> keep, Map<String, Tensor> values,
                         Map<String, Integer> lastUse, ConvFusion fusion, ActivationArena arena, boolean check) {
        boolean[] done = new boolean[plan.size()];
        for (int i = 0; i < plan.size(); i++) {
            Node n = plan.get(i);
            ConvFusion.Chain chain = done[i] || fusion == null ? null : fusion.chainAt(i, values);
            if (chain != null) {
                Tensor out = kernels.forwardFused(chain.conv(), values.get(n.inputs().get(0)), chain.after(),
                        chain.residual() == null ? null : values.get(chain.residual()), check);
                if (out != null) {
                    for (int k : chain.positions()) done[k] = true;
                    values.put(chain.output(), out);
                }
                // null: a NaN or infinity in the chain, so it runs node by node below and the check names the node
            }
            if (!done[i]) {
                List<Tensor> in = new ArrayList<>(n.inputs().size());
                for (String t : n.inputs()) in.add(values.get(t));
                Tensor out = kernels.forward(n.op(), in);
                if (check) check = nonFiniteCheck(given, n, out);
                for (ForwardListener l : forwardListeners) l.onNode(n, in, out);
                values.put(n.output(), out);
            }
            if (keep != null) {
                for (String t : n.inputs()) {
                    if (lastUse.get(t) == i && !keep.contains(t) && !t.equals(graph.output())) {
                        Tensor dead = values.remove(t);
                        if (arena != null && dead != null && unshared(dead.data(), values, given)) arena.recycle(dead.data());
                    }
                }
            }
        }
    }

    /** Floats the arenas keep between passes (for tests: bounded by one pass's demand). */
    long arenaFloats() {
        long n = 0;
        for (ActivationArena a : arenas) n += a.keptFloats();
        return n;
    }

    /** True when no live tensor and no caller's tensor holds {@code data} (reshapes and identities share arrays). */
    private static boolean unshared(float[] data, Map<String, Tensor> live, Map<String, Tensor> given) {
        for (Tensor t : live.values()) if (t.data() == data) return false;
        for (Tensor t : given.values()) if (t.data() == data) return false;
        return true;
    }

    /** Runs the non-finite check; false once a warning was given (one per forward pass). */
    private boolean nonFiniteCheck(Map<String, Tensor> given, Node n, Tensor out) {
        try {
            ForwardChecks.check(given, n, out);
            return true;
        } catch (NonFiniteException e) {
            if (nonFinite == ForwardChecks.NonFinite.FAIL) throw e;
            warnings.accept(e.getMessage().replace(" (use --allow-non-finite to go on anyway)", ""));
            return false;
        }
    }

    private static Set<String> union(Set<String> a, String b) {
        Set<String> s = new HashSet<>(a);
        s.add(b);
        return s;
    }

    /**
     * Walks backward from tensor {@code from} (seeded with {@code seed}, same shape) to the tensors in
     * {@code to}, applying {@code rule} at each node on the way. Only nodes on a path from a
     * {@code to} tensor to {@code from} are visited. Returns the propagated quantity at each
     * {@code to} tensor (zeros where {@code from} does not depend on it).
     */
    public Map<String, Tensor> backward(Activations fwd, String from, Tensor seed, Set<String> to, Rule rule) {
        return backward(fwd, from, seed, to, rule, null);
    }

    public Map<String, Tensor> backward(Activations fwd, String from, Tensor seed, Set<String> to, Rule rule, BackwardListener listener) {
        if (!fwd.get(from).shape().equals(seed.shape())) {
            throw new IllegalArgumentException("seed shape " + seed.shape() + " does not match tensor '" + from + "' " + fwd.get(from).shape());
        }
        for (String t : to) graph.itemShape(t);
        Set<String> relevant = graph.ancestors(from);
        relevant.retainAll(graph.descendants(to));
        Map<String, Tensor> acc = new HashMap<>();
        Set<String> owned = new HashSet<>();
        acc.put(from, seed);
        List<Node> nodes = graph.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            Tensor g = acc.get(n.output());
            if (g == null || !relevant.contains(n.output()) || !anyRelevant(n, relevant)) continue;
            List<Tensor> in = new ArrayList<>();
            for (String t : n.inputs()) in.add(fwd.get(t));
            LayerValues v = new LayerValues(n, in, fwd.get(n.output()), kernels);
            List<Tensor> gin = rule.propagate(v, g);
            if (listener != null) listener.onNode(v, g, gin);
            for (int k = 0; k < n.inputs().size(); k++) {
                String t = n.inputs().get(k);
                if (!relevant.contains(t)) continue;
                accumulate(acc, owned, t, gin.get(k));
            }
            if (!to.contains(n.output())) acc.remove(n.output());
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String t : to) {
            Tensor g = acc.get(t);
            out.put(t, g != null ? g : Tensor.zeros(fwd.has(t) ? fwd.get(t).shape() : batchShape(t, seed.dim(0))));
        }
        return out;
    }

    private Shape batchShape(String t, int n) {
        Shape item = graph.itemShape(t);
        int[] d = new int[item.rank() + 1];
        d[0] = n;
        System.arraycopy(item.dims(), 0, d, 1, item.rank());
        return Shape.of(d);
    }

    private static boolean anyRelevant(Node n, Set<String> relevant) {
        for (String t : n.inputs()) if (relevant.contains(t)) return true;
        return false;
    }

    private static void accumulate(Map<String, Tensor> acc, Set<String> owned, String t, Tensor g) {
        Tensor prev = acc.get(t);
        if (prev == null) {
            acc.put(t, g);
            return;
        }
        // Tensors coming out of rules may be shared (Identity, Add), so sum into a private copy.
        float[] a = owned.contains(t) ? prev.data() : prev.data().clone();
        float[] b = g.data();
        for (int i = 0; i < a.length; i++) a[i] += b[i];
        acc.put(t, new Tensor(prev.shape(), a));
        owned.add(t);
    }
}
