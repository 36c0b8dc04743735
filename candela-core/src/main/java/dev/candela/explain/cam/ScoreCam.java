package dev.candela.explain.cam;

import dev.candela.tensor.Tensor;

/**
 * Score-CAM (Wang et al. 2020) as pytorch-grad-cam computes it: mask M_k = channel k upsampled with
 * align_corners=True and min-max'ed (eps 1e-8); s_k = target score of x (.) M_k (on the normalised
 * input, all colour channels); w = softmax_k(s). One forward per channel, in batches. A constant
 * channel (common after a ReLU: dead channels) gives the all-zero mask, so its masked input is the
 * zero tensor whatever k is: that input is scored once per image instead of once per such channel.
 */
public record ScoreCam() implements CamMethod {
    public String name() { return "score-cam"; }

    public Weights weights(LayerEvidence e) {
        Tensor a = e.activations(), x = e.input();
        int r = a.dim(0), k = a.dim(1), outH = x.dim(2), outW = x.dim(3);
        double[] s = ChannelScores.score(e, name(), a, (j, item) ->
                ChannelMasks.maskInput(x, j / k, ChannelMasks.upsampleThenMinMax(a, j / k, j % k, outH, outW), 1f, item));
        return new Weights.PerChannel(ChannelMasks.softmaxRows(s, r, k));
    }
}
