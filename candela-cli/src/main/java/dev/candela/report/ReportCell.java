package dev.candela.report;

import dev.candela.image.Picture;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One method's result for one image.
 *
 * @param method       method name as on the command line (e.g. grad-cam)
 * @param layer        the layer the map was taken at ("" for pixel attributions)
 * @param picture      what to show: an overlay, or a signed attribution picture
 * @param millis       wall-clock time of the method on this image (forward pass shared, excluded)
 * @param coefficients the per-channel coefficients behind the map (null when the method has none)
 * @param metrics      metric name to score, in display order (empty when no metric was run)
 */
public record ReportCell(String method, String layer, Picture picture, double millis,
                         float[] coefficients, Map<String, Double> metrics) {
    public ReportCell {
        metrics = metrics == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }
}
