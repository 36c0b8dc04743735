package dev.candela.explain.cam;

import dev.candela.tensor.Tensor;

/**
 * Scores one masked input per (row, channel), skipping the forwards whose input is known to be the zero
 * tensor: a constant activation channel min-max-normalises to an all-zero mask (both Score-CAM
 * conventions), so x (.) M_k = 0. The zero input is scored once per row and its score reused; the
 * result is the same as scoring every channel (forwards are per-item deterministic).
 */
final class ChannelScores {
    private ChannelScores() {}

    static double[] score(LayerEvidence e, String task, Tensor a, LayerEvidence.IndependentFiller fill) {
        return score(e, task, a, 1, fill);
    }

    /**
     * {@code rounds} x R x K items (item j is channel-row (j % (R*K)) of round j / (R*K)); returns their
     * scores in that order. Items of constant channels get the row's zero-input score.
     */
    static double[] score(LayerEvidence e, String task, Tensor a, int rounds, LayerEvidence.IndependentFiller fill) {
        int r = a.dim(0), k = a.dim(1), hw = a.dim(2) * a.dim(3);
        int[] live = new int[r * k];
        int n = 0;
        boolean[] constant = new boolean[r * k];
        for (int p = 0; p < r * k; p++) {
            float mn = Float.POSITIVE_INFINITY, mx = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < hw; i++) {
                float v = a.data()[p * hw + i];
                mn = Math.min(mn, v);
                mx = Math.max(mx, v);
            }
            constant[p] = mx == mn;
            if (!constant[p]) live[n++] = p;
        }
        int per = r * k;
        final int[] idx = new int[rounds * n];
        for (int round = 0, q = 0; round < rounds; round++) for (int j = 0; j < n; j++) idx[q++] = round * per + live[j];
        LayerEvidence.IndependentFiller liveFill = (j, item) -> fill.fill(idx[j], item);
        double[] liveScores = e.scoreInputs(task, idx.length, liveFill, e.targetScore(j -> (idx[j] % per) / k));
        double[] out = new double[rounds * per];
        for (int j = 0; j < idx.length; j++) out[idx[j]] = liveScores[j];
        if (n < per) {
            LayerEvidence.IndependentFiller nothing = (j, item) -> {};
            double[] zero = e.scoreInputs(task + " (zero mask)", r, nothing, e.targetScore(j -> j));
            for (int j = 0; j < out.length; j++) if (constant[j % per]) out[j] = zero[(j % per) / k];
        }
        return out;
    }
}
