package dev.candela.explain.cam;

import dev.candela.tensor.Tensor;

/**
 * SS-CAM (Wang et al. 2020) as TorchCAM computes it: masks normalised at feature resolution (eps 1e-8)
 * and upsampled (align_corners=False); for each of {@code samples} rounds, N(0, std^2) noise is added to
 * every upsampled mask and x (.) (M_k + noise) is scored; w = softmax_k of the mean score. Noise is drawn
 * one H x W plane per (round, row, channel), in that order, from the injected source.
 */
public record SsCam(int samples, double std) implements CamMethod {
    public SsCam() { this(35, 2.0); }

    public SsCam {
        if (samples < 1) throw new IllegalArgumentException("SS-CAM samples must be >= 1, got " + samples);
    }

    public String name() { return "ss-cam"; }

    public Weights weights(LayerEvidence e) {
        Tensor a = e.activations(), x = e.input();
        int r = a.dim(0), k = a.dim(1), outH = x.dim(2), outW = x.dim(3);
        double[] sum = new double[r * k];
        float[] noise = new float[outH * outW];
        int per = r * k;
        // One pass over (round, row, channel) in that order: the noise is drawn in TorchCAM's order and
        // one progress task covers every round.
        double[] s = e.scoreInputs(name(), samples * per, (j, item) -> {
            int q = j % per;
            float[] m = ChannelMasks.minMaxThenUpsample(a, q / k, q % k, outH, outW);
            e.noise().gaussian(noise, std);
            for (int i = 0; i < m.length; i++) m[i] += noise[i];
            ChannelMasks.maskInput(x, q / k, m, 1f, item);
        }, e.targetScore(j -> (j % per) / k));
        for (int j = 0; j < s.length; j++) sum[j % per] += s[j];
        for (int i = 0; i < sum.length; i++) sum[i] /= samples;
        return new Weights.PerChannel(ChannelMasks.softmaxRows(sum, r, k));
    }
}
