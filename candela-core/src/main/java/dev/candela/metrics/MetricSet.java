package dev.candela.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The metrics {@code candela evaluate} knows by name, with the options that shape them. Names are the
 * column names of the results. Per-image metrics are {@link ImageMetric}s; the pointing game, the
 * randomisation sanity check and the time per image are handled by {@link Evaluation} itself.
 *
 * @param riseStep          pixels per deletion/insertion step (RISE convention)
 * @param torchCamSteps     intervals of the TorchCAM variant
 * @param roadPercentiles   ROAD sweep
 * @param sanityLayers      layers randomised (top first) by the sanity check
 * @param seed              seeds ROAD noise and the randomisation
 */
public record MetricSet(int riseStep, int torchCamSteps, double[] roadPercentiles, int sanityLayers, long seed) {
    /** Every metric name, in table order. */
    public static final List<String> ALL = List.of(
            "average-drop", "increase-in-confidence", "average-drop-in-deletion", "drop-in-confidence",
            "deletion", "insertion", "deletion-torchcam", "insertion-torchcam",
            "road-morf", "road-lerf", "road-combined", "pointing-game", "sanity-spearman", "sanity-ssim", "shapley-spearman", "shapley-cosine", "shapley-rel-error", "shapley-ref-se", "time-ms",
            // Quantus (Hedström et al. 2023), see QuantusMetrics
            "faithfulness-correlation", "faithfulness-estimate", "monotonicity-nguyen", "monotonicity-arya", "irof", "region-perturbation", "selectivity", "infidelity", "completeness", "non-sensitivity", "random-logit", "max-sensitivity", "avg-sensitivity", "local-lipschitz-estimate", "continuity",
            "relative-input-stability", "relative-output-stability", "efficient-mprt", "smooth-mprt", "input-invariance", "sparseness", "complexity", "effective-complexity",
            "top-k-intersection", "relevance-rank-accuracy", "relevance-mass-accuracy", "attribution-localisation", "sufficiency", "sensitivity-n");

    /** The default selection for {@code --metric all}: every metric except the TorchCAM variants and drop-in-confidence. */
    public static final List<String> DEFAULT = List.of(
            "average-drop", "increase-in-confidence", "average-drop-in-deletion", "deletion", "insertion",
            "road-morf", "road-lerf", "road-combined", "pointing-game", "sanity-spearman", "sanity-ssim", "shapley-spearman", "time-ms");

    public MetricSet {
        if (riseStep < 1) throw new IllegalArgumentException("--step must be >= 1, got " + riseStep);
        if (torchCamSteps < 1) throw new IllegalArgumentException("torchcam steps must be >= 1");
        if (sanityLayers < 1) throw new IllegalArgumentException("--sanity-layers must be >= 1");
        roadPercentiles = roadPercentiles.clone();
    }

    /** Parses a comma-separated list; "all" = {@link #DEFAULT}. Unknown names fail with the list of known ones. */
    public static List<String> parse(String csv) {
        List<String> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            String n = s.trim().toLowerCase(Locale.ROOT);
            if (n.isEmpty()) continue;
            if (n.equals("all")) { for (String d : DEFAULT) if (!out.contains(d)) out.add(d); continue; }
            if (!ALL.contains(n)) throw new IllegalArgumentException("unknown metric '" + n + "'; known: " + String.join(", ", ALL) + ", all");
            if (!out.contains(n)) out.add(n);
        }
        if (out.isEmpty()) throw new IllegalArgumentException("no metric given");
        return out;
    }

    /** Whether the metric is better when higher (for plots and the table's arrows). */
    public static boolean higherIsBetter(String metric) {
        return switch (metric) {
            case "average-drop", "drop-in-confidence", "deletion", "shapley-rel-error", "shapley-ref-se", "deletion-torchcam", "road-morf", "sanity-spearman", "sanity-ssim", "time-ms",
                 "complexity", "effective-complexity", "selectivity", "infidelity", "non-sensitivity", "random-logit", "max-sensitivity", "avg-sensitivity",
                 "smooth-mprt", "local-lipschitz-estimate", "continuity", "relative-input-stability", "relative-output-stability" -> false;
            default -> true;
        };
    }

    /** The per-image score metrics among {@code names}, built with these options (ROAD seeded per image by the caller). */
    Map<String, ImageMetric> scoreMetrics(List<String> names, Road road) {
        return scoreMetrics(names, road, seed);
    }

    /** As above; {@code imageSeed} seeds the random draws of the Quantus metrics that make them. */
    Map<String, ImageMetric> scoreMetrics(List<String> names, Road road, long imageSeed) {
        Map<String, ImageMetric> m = new LinkedHashMap<>();
        DeletionInsertion rise = DeletionInsertion.rise(riseStep);
        DeletionInsertion tc = DeletionInsertion.torchCam(torchCamSteps);
        for (String n : names) {
            ImageMetric metric = switch (n) {
                case "average-drop" -> new AverageDrop();
                case "drop-in-confidence" -> new AverageDrop(AverageDrop.Convention.PYTORCH_GRAD_CAM);
                case "increase-in-confidence" -> new IncreaseInConfidence();
                case "average-drop-in-deletion" -> new AverageDropInDeletion();
                case "deletion" -> rise.auc(DeletionInsertion.Kind.DELETION);
                case "insertion" -> rise.auc(DeletionInsertion.Kind.INSERTION);
                case "deletion-torchcam" -> tc.auc(DeletionInsertion.Kind.DELETION);
                case "insertion-torchcam" -> tc.auc(DeletionInsertion.Kind.INSERTION);
                case "road-morf", "road-lerf", "road-combined" -> road.metric(n, roadPercentiles);
                default -> QuantusMetrics.imageMetric(n, riseStep, 32, imageSeed); // null for names handled by Evaluation
            };
            if (metric != null) m.put(n, metric);
        }
        return m;
    }
}
