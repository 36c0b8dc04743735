package dev.candela.run;

import dev.candela.graph.Add;
import dev.candela.graph.BatchNorm2d;
import dev.candela.graph.ChannelAffine;
import dev.candela.graph.Clip;
import dev.candela.graph.Conv2d;
import dev.candela.graph.Graph;
import dev.candela.graph.LeakyRelu;
import dev.candela.graph.Node;
import dev.candela.graph.Op;
import dev.candela.graph.Pointwise;
import dev.candela.graph.Relu;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds, in one forward plan, the convolutions whose output feeds nothing but a run of element-wise ops
 * (a BatchNorm or channel affine, one residual Add, an activation: ReLU, clip, leaky ReLU, sigmoid, SiLU, hard
 * sigmoid, hard swish), so that the run is computed in the
 * convolution's output pass ({@link Kernels#forwardFused}). A tensor is fused away only when the caller
 * does not keep it and exactly one node reads it: every layer a method asks for is still computed and
 * returned exactly.
 */
final class ConvFusion {

    /**
     * Nodes computed as one: {@code conv}, then {@code after}; {@code positions} are their indices in the plan,
     * {@code residual} the other input of the Add among them (or null), {@code output} the last one's output.
     */
    record Chain(Conv2d conv, List<Op> after, List<Integer> positions, String residual, String output) {}

    private final Graph graph;
    private final List<Node> plan;
    private final Set<String> keep;
    private final Map<String, Integer> readers = new HashMap<>();
    private final Map<String, Integer> position = new HashMap<>();
    private final Map<String, Node> firstReader = new HashMap<>();

    ConvFusion(Graph graph, List<Node> plan, Set<String> keep) {
        this.graph = graph;
        this.plan = plan;
        this.keep = keep;
        for (int i = 0; i < plan.size(); i++) {
            Node n = plan.get(i);
            position.put(n.output(), i);
            for (String t : n.inputs()) {
                readers.merge(t, 1, Integer::sum);
                firstReader.putIfAbsent(t, n);
            }
        }
    }

    /** The chain starting at plan index {@code i}, or null; {@code values} are the tensors computed so far. */
    Chain chainAt(int i, Map<String, Tensor> values) {
        Node first = plan.get(i);
        if (!(first.op() instanceof Conv2d conv) || values.get(first.inputs().get(0)) == null
                || values.get(first.inputs().get(0)).rank() != 4) return null;
        List<Op> after = new ArrayList<>();
        List<Integer> positions = new ArrayList<>(List.of(i));
        String residual = null, t = first.output();
        while (hidden(t)) {
            Node next = firstReader.get(t);
            if (next == null || !elementwise(next.op(), conv.outChannels())) break;
            if (next.op() instanceof Add) {
                if (residual != null || next.inputs().size() != 2) break;
                String other = next.inputs().get(0).equals(t) ? next.inputs().get(1) : next.inputs().get(0);
                Tensor o = values.get(other);
                // the other operand must exist now and have the output's shape (no broadcasting)
                if (other.equals(t) || o == null || !graph.itemShape(other).equals(graph.itemShape(t))) break;
                residual = other;
            }
            after.add(next.op());
            positions.add(position.get(next.output()));
            t = next.output();
        }
        return after.isEmpty() ? null : new Chain(conv, List.copyOf(after), List.copyOf(positions), residual, t);
    }

    /** A tensor no one outside the chain sees: not kept, not the graph's output, read by exactly one node. */
    private boolean hidden(String t) {
        return !keep.contains(t) && !t.equals(graph.output()) && readers.getOrDefault(t, 0) == 1;
    }

    private static boolean elementwise(Op op, int channels) {
        return switch (op) {
            case BatchNorm2d b -> b.channels() == channels;
            case ChannelAffine a -> a.channels() == channels;
            case Add a -> true;
            case Relu r -> true;
            case Clip c -> true;
            case LeakyRelu l -> true;
            // the activations the fast kernels compute per element with no reference to neighbours
            case Pointwise p -> switch (p.fn()) {
                case SIGMOID, SILU, HARD_SIGMOID, HARD_SWISH -> true;
                default -> false;
            };
            default -> false;
        };
    }
}
