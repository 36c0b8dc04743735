package dev.candela.graph;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Resolves what a user calls a layer to a tensor name. Accepted, in this order: a node name, a tensor
 * name, or a module path that PyTorch exports put into node names ({@code features.13}, {@code layer4}:
 * the last node of that module).
 */
public final class LayerNames {
    private final Graph graph;

    public LayerNames(Graph graph) {
        this.graph = graph;
    }

    /** The tensor the name refers to; IllegalArgumentException listing the closest candidates otherwise. */
    public String resolve(String name) {
        if (name.equals("input") || name.equals(graph.input())) return graph.input();
        for (Node n : graph.nodes()) if (n.name().equals(name)) return n.output();
        if (graph.hasTensor(name)) return name;
        Node last = null;
        for (Node n : graph.nodes()) if (modulePaths(n.name()).contains(name)) last = n;
        if (last != null) return last.output();
        throw new IllegalArgumentException("unknown layer '" + name + "'; closest: " + String.join(", ", closest(name, 5)));
    }

    /** The layer a user named, resolved once (see {@link #resolve}). */
    public Layer layer(String name) { return ofTensor(resolve(name)); }

    /** The layer that is this tensor of the graph. */
    public Layer ofTensor(String tensor) {
        if (!tensor.equals(graph.input()) && !graph.hasTensor(tensor)) throw new IllegalArgumentException("no tensor '" + tensor + "' in the graph");
        return new Layer(tensor, shortName(tensor), graph.itemShape(tensor));
    }

    /**
     * The shortest name a user could type for a tensor: the outermost module path when it resolves to the same
     * tensor ("stage3" for /stage3/relu2/Relu_output_0), else the node name.
     */
    public String shortName(String tensor) {
        Node producer = graph.producer(tensor);
        if (producer == null) return tensor;
        String node = producer.name();
        for (String part : node.split("/")) {
            if (part.isEmpty() || part.equals(node)) continue;
            try {
                if (resolve(part).equals(tensor)) return part;
            } catch (IllegalArgumentException e) {
                // not a name on its own: try the next part
            }
        }
        return node;
    }

    /** The node that produces a tensor a user named (null for the input). */
    public Node resolveNode(String name) {
        return graph.producer(resolve(name));
    }

    /** Module paths in an exported node name: "/layer4/layer4.1/relu_2/Relu" gives layer4, layer4.1, relu_2. */
    static List<String> modulePaths(String nodeName) {
        List<String> out = new ArrayList<>();
        String[] parts = nodeName.split("/");
        for (int i = 0; i < parts.length - 1; i++) if (!parts[i].isEmpty()) out.add(parts[i]);
        return out;
    }

    /** Every name a user may use: node names and module paths, in graph order. */
    public List<String> candidates() {
        List<String> c = new ArrayList<>();
        for (Node n : graph.nodes()) {
            for (String m : modulePaths(n.name())) if (!c.contains(m)) c.add(m);
            c.add(n.name());
        }
        return c;
    }

    public List<String> closest(String name, int k) {
        return candidates().stream().distinct()
                .sorted(Comparator.comparingInt((String c) -> distance(name.toLowerCase(), c.toLowerCase())))
                .limit(k).toList();
    }

    /** Levenshtein distance. */
    public static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }
}
