package dev.candela.metrics;

import dev.candela.run.Executor;
import dev.candela.tensor.Tensor;
import java.util.Set;

/**
 * A {@link Scorer} backed by an {@link Executor}: runs the model forward in batches of at most
 * {@code batchSize} inputs and reads the target class's logit or softmax probability.
 */
public final class ModelScorer implements Scorer {
    /** Which number of the model output is the score. */
    public enum Output {
        /** The raw model output (pytorch-grad-cam's {@code ClassifierOutputTarget}). */
        LOGIT,
        /** Softmax over the output (RISE, Grad-CAM++, pytorch-grad-cam's {@code ClassifierOutputSoftmaxTarget}). */
        SOFTMAX
    }

    private final Executor executor;
    private final Output output;
    private final int batchSize;
    private long forwards;

    public ModelScorer(Executor executor, Output output, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        this.executor = executor;
        this.output = output;
        this.batchSize = batchSize;
    }

    public Executor executor() { return executor; }
    public Output output() { return output; }

    /** Number of inputs scored so far (for cost accounting). */
    public synchronized long inputsScored() { return forwards; }

    @Override public float[] scores(Tensor inputs, int[] targets) {
        int n = inputs.dim(0);
        if (targets.length != n) throw new IllegalArgumentException("got " + targets.length + " targets for a batch of " + n);
        float[] out = new float[n];
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            Tensor chunk = from == 0 && to == n ? inputs : inputs.slice(from, to);
            Tensor logits = executor.forward(chunk, Set.of()).output();
            int k = logits.shape().itemSize();
            float[] d = logits.data();
            for (int i = from; i < to; i++) {
                int t = targets[i];
                if (t < 0 || t >= k) throw new IllegalArgumentException("target class " + t + " out of range [0, " + k + ")");
                out[i] = score(d, (i - from) * k, k, t);
            }
        }
        synchronized (this) { forwards += n; }
        return out;
    }

    private float score(float[] d, int off, int k, int t) {
        return switch (output) {
            case LOGIT -> d[off + t];
            case SOFTMAX -> {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) max = Math.max(max, d[off + j]);
                double sum = 0;
                for (int j = 0; j < k; j++) sum += Math.exp(d[off + j] - max);
                yield (float) (Math.exp(d[off + t] - max) / sum);
            }
        };
    }
}
