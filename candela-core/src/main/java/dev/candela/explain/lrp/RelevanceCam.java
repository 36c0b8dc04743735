package dev.candela.explain.lrp;

import dev.candela.explain.ResolvedTarget;
import dev.candela.explain.cam.CamMethod;
import dev.candela.explain.cam.LayerEvidence;
import dev.candela.explain.cam.Weights;
import dev.candela.explain.display.DisplayMap;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;

/**
 * Relevance-CAM (Lee et al., CVPR 2021) as the official code computes it (mongeoroo/Relevance-CAM,
 * {@code modules/vgg.py} forward with a layer index, {@code modules/layers.py} relprop with alpha 1):
 * contrastive LRP seeded with R = 1 at the target class and -1/C at every class, propagated to the target
 * layer with z+ (alpha 1, beta 0: positive weights on positive inputs plus negative weights on negative inputs,
 * no bias, exact division) on linear and convolution layers, proportional shares among the positive inputs on
 * average pools and residual sums, the winner on max pools, activations passing relevance; w_k = the spatial
 * mean of the relevance of map A_k; map = sum_k w_k A_k (no ReLU), min-max without eps, bilinear resize
 * ({@code LRP_util.tensor2image}).
 *
 * <p>Known deviation: the official convolution rule adds the layer's bias twice to the denominator
 * (F.conv2d with bias for both sign pairs); Candela's z+ leaves it out, as the official linear rule does. The
 * two agree on every layer whose relevance reaches it through linear layers and pools only (the last
 * convolutional layer of VGG-like heads, the goldens' case). Batch norm passes relevance (the official rule
 * divides by var^2, a typo for sqrt(var)).
 */
public record RelevanceCam() implements CamMethod {

    /** The composite of the official relprop rules (alpha 1). */
    public static Composite composite() {
        LayerRule z = new LayerRule.ZPlusNoBias(), share = new LayerRule.PositiveShare();
        return new Composite("relevance-cam", z, z, z, share, share, new LayerRule.Pass(), new LayerRule.Gradient());
    }

    public static final DisplayMap.Layered OFFICIAL = new DisplayMap.Layered("relevance-cam official", DisplayMap.Order.NORMALISE_THEN_RESIZE, 0f, false,
            "Relevance-CAM LRP_util.tensor2image: min-max without eps and without ReLU, cv2.resize");

    @Override public String name() { return "relevance-cam"; }

    @Override public DisplayMap.Layered display() { return OFFICIAL; }

    @Override public Weights weights(LayerEvidence e) {
        Lrp lrp = new Lrp(e.executor(), composite());
        Tensor logits = e.forward().get(Lrp.logits(e.graph()));
        int rows = e.rows(), classes = logits.shape().itemSize();
        float[] seed = new float[logits.size()];
        for (int r = 0; r < rows; r++) {
            ResolvedTarget t = e.targets().get(r);
            if (t.classIndex() < 0) throw new IllegalArgumentException("relevance-cam explains one class (contrastive LRP); got " + t.description());
            for (int j = 0; j < classes; j++) seed[r * classes + j] = j == t.classIndex() ? 1f : -1f / classes;
        }
        Tensor rel = lrp.relevance(e.forward(), new Tensor(logits.shape(), seed), e.layer(), null);
        Tensor a = e.activations();
        int k = a.dim(1), h = a.dim(2), w = a.dim(3), hw = h * w;
        float[] coef = new float[rows * k], map = new float[rows * hw];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < k; c++) {
                double s = 0;
                for (int i = 0; i < hw; i++) s += rel.data()[(r * k + c) * hw + i];
                coef[r * k + c] = (float) (s / hw);
            }
            for (int i = 0; i < hw; i++) {
                double s = 0;
                for (int c = 0; c < k; c++) s += (double) coef[r * k + c] * a.data()[(r * k + c) * hw + i];
                map[r * hw + i] = (float) s;
            }
        }
        return new Weights.FinalMap(new Tensor(Shape.of(rows, h, w), map), Tensor.of(coef, rows, k));
    }
}
