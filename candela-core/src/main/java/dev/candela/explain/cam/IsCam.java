package dev.candela.explain.cam;

import dev.candela.tensor.Tensor;

/**
 * IS-CAM (Naidu et al. 2020) as TorchCAM computes it: masks as {@link SsCam} without noise; for step
 * i = 1..n the input is c_i (x (.) M_k) with c_i = sum_{j&lt;=i} j/n (cumulative, reaching (n+1)/2);
 * w = softmax_k of the mean score.
 */
public record IsCam(int steps) implements CamMethod {
    public IsCam() { this(10); }

    public IsCam {
        if (steps < 1) throw new IllegalArgumentException("IS-CAM steps must be >= 1, got " + steps);
    }

    public String name() { return "is-cam"; }

    public Weights weights(LayerEvidence e) {
        Tensor a = e.activations(), x = e.input();
        int r = a.dim(0), k = a.dim(1), outH = x.dim(2), outW = x.dim(3);
        double[] sum = new double[r * k];
        int per = r * k;
        float[] coeff = new float[steps];
        double c = 0;
        for (int step = 0; step < steps; step++) coeff[step] = (float) (c += (step + 1) / (double) steps);
        // One pass over (step, row, channel): one progress task covers every step.
        // Constant channels give the zero input at every step: scored once per image (ChannelScores).
        double[] s = ChannelScores.score(e, name(), a, steps, (j, item) -> {
            int q = j % per;
            ChannelMasks.maskInput(x, q / k, ChannelMasks.minMaxThenUpsample(a, q / k, q % k, outH, outW), coeff[j / per], item);
        });
        for (int j = 0; j < s.length; j++) sum[j % per] += s[j];
        for (int i = 0; i < sum.length; i++) sum[i] /= steps;
        return new Weights.PerChannel(ChannelMasks.softmaxRows(sum, r, k));
    }
}
