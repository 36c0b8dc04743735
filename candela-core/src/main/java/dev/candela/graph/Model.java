package dev.candela.graph;

import java.util.List;
import java.util.Map;

/**
 * A graph with its weights (inside the ops) and metadata. Immutable and safe to share between threads.
 *
 * @param labels class names, index = class (may be empty)
 * @param source provenance (ONNX file name, SHA-256, opset, producer), free-form
 */
public record Model(Graph graph, Preprocessing preprocessing, List<String> labels, Map<String, String> source) {
    public Model {
        labels = List.copyOf(labels);
        source = Map.copyOf(source);
    }

    public int numClasses() { return graph.itemShape(graph.output()).size(); }

    /** The name of class c for display: control characters escaped (labels come from untrusted files). */
    public String label(int c) { return c >= 0 && c < labels.size() ? dev.candela.io.Text.safe(labels.get(c)) : "class " + c; }
}
