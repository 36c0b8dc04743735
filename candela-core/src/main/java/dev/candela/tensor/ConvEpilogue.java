package dev.candela.tensor;

import java.util.List;

/**
 * The element-wise ops that follow a convolution, applied to each block of its output while the block is
 * still in cache (after the GEMM and the bias), instead of one more pass over memory per op. Each step calls
 * the same {@link VectorOps} kernel the op's own forward uses, on the same values in the same order, so the
 * result has the same bits as running the ops one after another.
 *
 * <p>With {@code check} set, the values are scanned for NaN and infinity before each step that could hide
 * them (a ReLU turns -Inf into 0, a clip bounds +Inf) and at the end; {@link #sawNonFinite} then tells the
 * caller to redo the ops one by one and name the first that produced one.
 */
public final class ConvEpilogue {

    /** One element-wise op on the convolution's output. */
    public sealed interface Step {
        /** Per output channel: y = y * scale[c] + shift[c] (fused, as a BatchNorm's forward). */
        record ChannelAffine(float[] scale, float[] shift) implements Step {}

        /** y = y + other, {@code other} laid out as the output (a residual sum). */
        record AddTensor(float[] other) implements Step {}

        /** y = max(y, 0), NaN kept. */
        record Relu() implements Step {}

        /** y = min(max(y, lo), hi). */
        record Clamp(float lo, float hi) implements Step {}

        /** y = y &gt;= 0 ? y : alpha * y. */
        record Leaky(float alpha) implements Step {}

        /** y = 1 / (1 + exp(-y)). */
        record Sigmoid() implements Step {}

        /** y = y * sigmoid(y) (EfficientNet's swish). */
        record Silu() implements Step {}

        /** y = clamp(alpha * y + beta, 0, 1). */
        record HardSigmoid(float alpha, float beta) implements Step {}

        /** y = y * clamp(alpha * y + beta, 0, 1) (MobileNet v3). */
        record HardSwish(float alpha, float beta) implements Step {}
    }

    private final Step[] steps;
    private final boolean check;
    private volatile boolean nonFinite;

    /** The commonest chain, BatchNorm then ReLU or a clamp (ReLU6), run as one pass; null for any other chain. */
    private final Step.ChannelAffine affine;
    private final Step tail;

    public ConvEpilogue(List<Step> steps, boolean check) {
        this.steps = steps.toArray(Step[]::new);
        this.check = check;
        boolean pair = this.steps.length == 2 && this.steps[0] instanceof Step.ChannelAffine
                && (this.steps[1] instanceof Step.Relu || this.steps[1] instanceof Step.Clamp);
        this.affine = pair ? (Step.ChannelAffine) this.steps[0] : null;
        this.tail = pair ? this.steps[1] : null;
    }

    /** True when a checked value was NaN or infinite (set by any task; read after the convolution). */
    public boolean sawNonFinite() { return nonFinite; }

    /** Applies the steps to y[at..at+n), all of output channel {@code channel}. */
    void apply(float[] y, int at, int n, int channel) {
        if (affine != null) {
            // one pass instead of three (affine, the non-finite scan, the bound): the same operations per element
            float scale = affine.scale()[channel], shift = affine.shift()[channel];
            boolean finite = switch (tail) {
                case Step.Clamp c -> VectorOps.affineClamp(y, at, n, scale, shift, c.lo(), c.hi());
                default -> VectorOps.affineRelu(y, at, n, scale, shift);
            };
            if (check && !finite) nonFinite = true;
            return;
        }
        for (Step s : steps) {
            switch (s) {
                case Step.ChannelAffine a -> VectorOps.affine(y, y, at, n, a.scale()[channel], a.shift()[channel]);
                case Step.AddTensor t -> VectorOps.add(y, t.other(), y, at, n);
                case Step.Relu r -> {
                    scan(y, at, n);
                    VectorOps.relu(y, y, at, n);
                }
                case Step.Clamp c -> {
                    scan(y, at, n);
                    VectorOps.clamp(y, y, at, n, c.lo(), c.hi());
                }
                case Step.Leaky l -> VectorOps.leaky(y, y, at, n, l.alpha());
                // each bounds an infinity (sigmoid(+Inf) = 1, hard sigmoid clamps), so the scan comes first
                case Step.Sigmoid g -> {
                    scan(y, at, n);
                    VectorOps.sigmoid(y, y, at, n);
                }
                case Step.Silu g -> {
                    scan(y, at, n);
                    VectorOps.silu(y, y, at, n);
                }
                case Step.HardSigmoid h -> {
                    scan(y, at, n);
                    for (int i = at; i < at + n; i++) y[i] = Math.max(0f, Math.min(1f, h.alpha() * y[i] + h.beta()));
                }
                case Step.HardSwish h -> {
                    scan(y, at, n);
                    for (int i = at; i < at + n; i++) y[i] = y[i] * Math.max(0f, Math.min(1f, h.alpha() * y[i] + h.beta()));
                }
            }
        }
        scan(y, at, n);
    }

    private void scan(float[] y, int at, int n) {
        if (check && !nonFinite && !VectorOps.allFinite(y, at, n)) nonFinite = true;
    }
}
