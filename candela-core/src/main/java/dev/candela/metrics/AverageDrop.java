package dev.candela.metrics;

/**
 * Average Drop: how much the target score falls when the input is multiplied by its map
 * ({@code E = x * L}, the map broadcast over channels of the preprocessed input, as
 * pytorch-grad-cam, TorchCAM and the LIFT-CAM metric code do). With {@code Y} the score of
 * {@code x} and {@code O} the score of {@code E}, per image:
 * <ul>
 *   <li>{@link Convention#GRAD_CAM_PLUS_PLUS} (default; Chattopadhyay et al. 2018, LIFT-CAM's AD):
 *       {@code max(0, Y - O) / Y};</li>
 *   <li>{@link Convention#TORCHCAM} ({@code ClassificationMetric}): {@code max(0, Y - O) / (Y + 1e-7)};</li>
 *   <li>{@link Convention#PYTORCH_GRAD_CAM} ({@code DropInConfidence}): {@code max(Y - O, 0)}, not divided.</li>
 * </ul>
 * Values are fractions (the papers print 100 times the mean). Lower is better.
 */
public final class AverageDrop implements ImageMetric {
    public enum Convention { GRAD_CAM_PLUS_PLUS, TORCHCAM, PYTORCH_GRAD_CAM }

    private final Convention convention;

    public AverageDrop() { this(Convention.GRAD_CAM_PLUS_PLUS); }

    public AverageDrop(Convention convention) { this.convention = convention; }

    @Override public String name() {
        return switch (convention) {
            case GRAD_CAM_PLUS_PLUS -> "average-drop";
            case TORCHCAM -> "average-drop-torchcam";
            case PYTORCH_GRAD_CAM -> "drop-in-confidence";
        };
    }

    @Override public boolean higherIsBetter() { return false; }

    @Override public double[] evaluate(Scorer scorer, MapBatch batch) {
        float[] y = scorer.scores(batch.inputs(), batch.targets());
        float[] o = scorer.scores(batch.masked(m -> m), batch.targets());
        double[] r = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            r[i] = switch (convention) {
                case GRAD_CAM_PLUS_PLUS -> Math.max(0.0, (double) y[i] - o[i]) / y[i];
                case TORCHCAM -> Math.max(0.0f, y[i] - o[i]) / (y[i] + 1e-7f);
                case PYTORCH_GRAD_CAM -> Math.max(y[i] - o[i], 0.0f);
            };
        }
        return r;
    }
}
