package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A topologically ordered DAG with one image input and one output. Immutable; validated on
 * construction (inputs defined before use, single producer per tensor, shapes consistent).
 */
public final class Graph {
    private final String input;
    private final Shape inputItemShape;
    private final List<Node> nodes;
    private final String output;
    private final Map<String, Node> producer = new HashMap<>();
    private final Map<String, List<Node>> consumers = new HashMap<>();
    private final Map<String, Shape> itemShapes = new LinkedHashMap<>();

    /**
     * @param input          name of the input tensor
     * @param inputItemShape input shape without the batch axis (e.g. 3x224x224)
     * @param nodes          nodes in topological order
     * @param output         name of the output tensor (logits)
     */
    public Graph(String input, Shape inputItemShape, List<Node> nodes, String output) {
        this.input = input;
        this.inputItemShape = inputItemShape;
        this.nodes = List.copyOf(nodes);
        this.output = output;
        itemShapes.put(input, inputItemShape);
        Set<String> names = new HashSet<>();
        for (Node n : this.nodes) {
            if (!names.add(n.name())) throw new IllegalArgumentException("duplicate node name " + n.name());
            List<Shape> in = new ArrayList<>();
            for (String t : n.inputs()) {
                Shape s = itemShapes.get(t);
                if (s == null) throw new IllegalArgumentException("node " + n.name() + " reads tensor '" + t + "' that is not defined before it (graph must be acyclic and topologically ordered)");
                in.add(batched(s));
                consumers.computeIfAbsent(t, k -> new ArrayList<>()).add(n);
            }
            if (itemShapes.containsKey(n.output())) throw new IllegalArgumentException("tensor '" + n.output() + "' is produced twice (node " + n.name() + ")");
            Shape out;
            try {
                out = n.op().outputShape(in);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("node " + n.name() + ": " + e.getMessage(), e);
            }
            itemShapes.put(n.output(), unbatched(out));
            producer.put(n.output(), n);
        }
        if (!itemShapes.containsKey(output)) throw new IllegalArgumentException("output tensor '" + output + "' is not produced by any node");
    }

    private static Shape batched(Shape item) {
        int[] d = new int[item.rank() + 1];
        d[0] = 1;
        System.arraycopy(item.dims(), 0, d, 1, item.rank());
        return Shape.of(d);
    }

    private static Shape unbatched(Shape s) {
        return Shape.of(java.util.Arrays.copyOfRange(s.dims(), 1, s.rank()));
    }

    public String input() { return input; }
    public Shape inputItemShape() { return inputItemShape; }
    public List<Node> nodes() { return nodes; }
    public String output() { return output; }

    /** Shape of a tensor without the batch axis. */
    public Shape itemShape(String tensor) {
        Shape s = itemShapes.get(tensor);
        if (s == null) throw new IllegalArgumentException("unknown tensor '" + tensor + "'");
        return s;
    }

    public boolean hasTensor(String tensor) { return itemShapes.containsKey(tensor); }

    /** The node producing a tensor, or null for the graph input. */
    public Node producer(String tensor) { return producer.get(tensor); }

    public List<Node> consumers(String tensor) { return consumers.getOrDefault(tensor, List.of()); }

    public Node node(String name) {
        for (Node n : nodes) if (n.name().equals(name)) return n;
        return null;
    }

    public int indexOf(Node n) { return nodes.indexOf(n); }

    /** All tensor names in definition order (input first). */
    public List<String> tensors() { return Collections.unmodifiableList(new ArrayList<>(itemShapes.keySet())); }

    /** Tensors from which {@code target} can be reached (including itself). */
    public Set<String> ancestors(String target) {
        Set<String> seen = new HashSet<>();
        ArrayList<String> stack = new ArrayList<>(List.of(target));
        while (!stack.isEmpty()) {
            String t = stack.remove(stack.size() - 1);
            if (!seen.add(t)) continue;
            Node p = producer.get(t);
            if (p != null) stack.addAll(p.inputs());
        }
        return seen;
    }

    /** Tensors reachable from any of {@code sources} (including them). */
    public Set<String> descendants(Set<String> sources) {
        Set<String> seen = new HashSet<>(sources);
        for (Node n : nodes) {
            for (String t : n.inputs()) {
                if (seen.contains(t)) {
                    seen.add(n.output());
                    break;
                }
            }
        }
        return seen;
    }

    /**
     * What a backward pass from the output to {@code tensors} reads: the tensors themselves, and the inputs and
     * output of every node downstream of them (including skip connections that join after them). A forward pass
     * that keeps only these can run everything before them fused and in reused buffers.
     */
    public Set<String> headTensors(Set<String> tensors) {
        Set<String> down = new HashSet<>(tensors), keep = new HashSet<>(tensors);
        for (Node n : nodes) {
            for (String t : n.inputs()) {
                if (down.contains(t)) {
                    down.add(n.output());
                    keep.addAll(n.inputs());
                    keep.add(n.output());
                    break;
                }
            }
        }
        return keep;
    }
}
