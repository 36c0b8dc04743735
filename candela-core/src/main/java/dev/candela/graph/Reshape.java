package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/** Reshape that keeps the batch axis: [N, ...] -> [N, itemShape...]. Row-major data is unchanged. */
public record Reshape(int[] itemShape) implements Op {
    public Reshape {
        for (int d : itemShape) Op.require(d >= 1, "Reshape item shape must be positive, got " + Arrays.toString(itemShape));
    }

    @Override public Shape outputShape(List<Shape> in) {
        Shape s = Op.only(in, -1, "Reshape");
        Op.require(Shape.product(itemShape) == s.itemSize(), "Reshape to " + Arrays.toString(itemShape) + " does not fit input " + s);
        int[] d = new int[itemShape.length + 1];
        d[0] = s.dim(0);
        System.arraycopy(itemShape, 0, d, 1, itemShape.length);
        return Shape.of(d);
    }
}
