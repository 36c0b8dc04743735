package dev.candela.explain.cam;

import dev.candela.explain.Noise;
import dev.candela.explain.Progress;
import dev.candela.image.Resize;

/**
 * Options of the shared pipeline. The defaults follow pytorch-grad-cam; every other value is a named
 * deviation.
 *
 * @param resize      final resize of each layer's map to the input: HALF_PIXEL (cv2.INTER_LINEAR, PGC) or ALIGN_CORNERS
 * @param fusion      how several layers' maps combine: MEAN (PGC), MAX (TorchCAM fuse_cams), PRODUCT (RefineCAM)
 * @param augSmooth   PGC aug_smooth: h-flip x intensity factors 0.9/1/1.1, de-augmented, plain mean
 * @param eigenSmooth PGC eigen_smooth: first principal component of the weighted activations replaces the channel sum
 * @param batchSize   masked forwards per batch for perturbation methods (PGC default 16 for Score-CAM, 32 for Ablation-CAM)
 * @param noise       randomness of noisy methods (seeded)
 * @param progress    progress of long runs
 */
public record CamOptions(Resize.Mode resize, Fusion fusion, boolean augSmooth, boolean eigenSmooth, int batchSize,
                         Noise noise, Progress progress) {

    /**
     * How several layers' maps combine: pytorch-grad-cam's mean (default), max, product, or TorchCAM's
     * LayerCAM fusion {@code TANH_MAX} (each layer's map ReLU'd and min-max'ed with eps 1e-8 at its own
     * resolution, scaled by tanh(2 x), resized to the largest layer's size, maximum over layers; then min-max'ed without eps and resized to the input). With one layer it is the method's own display.
     */
    public enum Fusion { MEAN, MAX, PRODUCT, TANH_MAX }

    public CamOptions {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (resize == null) resize = Resize.Mode.HALF_PIXEL;
        if (fusion == null) fusion = Fusion.MEAN;
        if (noise == null) noise = Noise.seeded(0);
        if (progress == null) progress = Progress.none();
    }

    /** pytorch-grad-cam's defaults, seed 0, no progress output. */
    public static CamOptions defaults() {
        return new CamOptions(Resize.Mode.HALF_PIXEL, Fusion.MEAN, false, false, 32, Noise.seeded(0), Progress.none());
    }

    public CamOptions withResize(Resize.Mode m) { return new CamOptions(m, fusion, augSmooth, eigenSmooth, batchSize, noise, progress); }
    public CamOptions withFusion(Fusion f) { return new CamOptions(resize, f, augSmooth, eigenSmooth, batchSize, noise, progress); }
    public CamOptions withAugSmooth(boolean b) { return new CamOptions(resize, fusion, b, eigenSmooth, batchSize, noise, progress); }
    public CamOptions withEigenSmooth(boolean b) { return new CamOptions(resize, fusion, augSmooth, b, batchSize, noise, progress); }
    public CamOptions withBatchSize(int n) { return new CamOptions(resize, fusion, augSmooth, eigenSmooth, n, noise, progress); }
    public CamOptions withNoise(Noise n) { return new CamOptions(resize, fusion, augSmooth, eigenSmooth, batchSize, n, progress); }
    public CamOptions withSeed(long seed) { return withNoise(Noise.seeded(seed)); }
    public CamOptions withProgress(Progress p) { return new CamOptions(resize, fusion, augSmooth, eigenSmooth, batchSize, noise, p); }
}
