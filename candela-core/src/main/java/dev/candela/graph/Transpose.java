package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/** Axis permutation that keeps the batch axis first (perm[0] == 0), e.g. ShuffleNet's channel shuffle. */
public record Transpose(int[] perm) implements Op {
    public Transpose {
        Op.require(perm.length >= 1 && perm[0] == 0, "Transpose must keep the batch axis first, got " + Arrays.toString(perm));
        boolean[] seen = new boolean[perm.length];
        for (int p : perm) {
            Op.require(p >= 0 && p < perm.length && !seen[p], "Transpose perm is not a permutation: " + Arrays.toString(perm));
            seen[p] = true;
        }
    }

    @Override public Shape outputShape(List<Shape> in) {
        Shape s = Op.only(in, perm.length, "Transpose");
        int[] d = new int[perm.length];
        for (int i = 0; i < d.length; i++) d[i] = s.dim(perm[i]);
        return Shape.of(d);
    }
}
