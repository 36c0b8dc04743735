package dev.candela.graph;

import dev.candela.tensor.Shape;

/**
 * A layer as resolved once against a graph: the tensor every computation reads, the shortest name a user
 * could type for it (what messages and manifests show), and its shape per item. Made by
 * {@link LayerNames#layer}; a method never looks a layer up by name again.
 *
 * @param tensor the tensor name in the graph
 * @param name   the outermost module path that resolves to the same tensor ("stage3"), else the node name
 *               (the tensor name for the graph input)
 * @param shape  the tensor's shape without the batch axis
 */
public record Layer(String tensor, String name, Shape shape) {
    /** Whether the layer is a map (C x h x w), what a CAM layer must be. */
    public boolean isSpatial() { return shape.rank() == 3; }
}
