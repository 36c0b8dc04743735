package dev.candela.explain.attribution;

import dev.candela.tensor.Tensor;

/**
 * The target of an attribution as weights over the model outputs, one row per batch item: a one-hot
 * row is a class logit; any other row a weighted combination of logits (attributions are linear in it).
 */
public final class TargetWeights {
    private TargetWeights() {}

    /** One-hot rows for the given classes ([n, numClasses]). */
    public static Tensor oneHot(int numClasses, int... classes) {
        float[] w = new float[classes.length * numClasses];
        for (int i = 0; i < classes.length; i++) {
            if (classes[i] < 0 || classes[i] >= numClasses) {
                throw new IllegalArgumentException("target class " + classes[i] + " is outside 0.." + (numClasses - 1));
            }
            w[i * numClasses + classes[i]] = 1f;
        }
        return Tensor.of(w, classes.length, numClasses);
    }

    /** The arg-max class of each row of the logits (first maximum wins). */
    public static int[] argmax(Tensor logits) {
        int n = logits.dim(0), k = logits.shape().itemSize();
        int[] c = new int[n];
        for (int b = 0; b < n; b++) {
            int best = 0;
            for (int j = 1; j < k; j++) if (logits.data()[b * k + j] > logits.data()[b * k + best]) best = j;
            c[b] = best;
        }
        return c;
    }

    /** Checks the weights against the batch and the number of outputs; a single row is repeated for every item. */
    static Tensor forBatch(Tensor weights, int n, int numOutputs) {
        if (weights.rank() != 2 || weights.dim(1) != numOutputs) {
            throw new IllegalArgumentException("target weights must be [N, " + numOutputs + "], got " + weights.shape());
        }
        if (weights.dim(0) == n) return weights;
        if (weights.dim(0) == 1) return PairedBatch.broadcast(weights, n, Tensor.zeros(n, numOutputs));
        throw new IllegalArgumentException("got " + weights.dim(0) + " target rows for a batch of " + n + " (give 1 or " + n + ")");
    }

    /** Per item: sum_c w_c * out_c. */
    static double[] score(Tensor outputs, Tensor weights) {
        int n = outputs.dim(0), k = outputs.shape().itemSize();
        double[] s = new double[n];
        for (int b = 0; b < n; b++)
            for (int j = 0; j < k; j++) s[b] += (double) weights.data()[b * k + j] * outputs.data()[b * k + j];
        return s;
    }
}
