package dev.candela.explain.cam;

/**
 * Eigen-CAM (Muhammad &amp; Yeasin 2020): the first principal component of the activations (positions x
 * channels, columns centred). The sign of a principal component is arbitrary; {@code sign} chooses
 * the rule (default: the dominant extreme is positive; AS_SVD = pytorch-grad-cam's unfixed sign).
 */
public record EigenCam(CamPipeline.EigenSign sign) implements CamMethod {
    public EigenCam() { this(CamPipeline.EigenSign.DOMINANT_POSITIVE); }

    public String name() { return "eigen-cam"; }

    public Weights weights(LayerEvidence e) {
        return new Weights.RawMap(CamPipeline.projection(e.activations(), sign), null);
    }
}
