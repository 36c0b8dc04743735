package dev.candela.graph;

import java.util.List;

/** One step of the graph: {@code output = op(inputs...)}; tensors are referred to by name. */
public record Node(String name, Op op, List<String> inputs, String output) {
    public Node {
        inputs = List.copyOf(inputs);
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("node name must not be empty");
        if (op.arity() >= 0 && inputs.size() != op.arity()) {
            throw new IllegalArgumentException("node " + name + ": " + op.kind() + " takes " + op.arity() + " input(s), got " + inputs.size());
        }
    }
}
