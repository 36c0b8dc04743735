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
 * @param classIndex   the class this map explains (-1 when the target is not one class, e.g. a weighted sum)
 * @param probability  the softmax probability of that class (NaN when unknown)
 */
public record ReportCell(String method, String layer, Picture picture, double millis,
                         float[] coefficients, Map<String, Double> metrics, int classIndex, double probability) {
    public ReportCell {
        metrics = metrics == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /** A cell of a row with one target per method (the row names the class). */
    public ReportCell(String method, String layer, Picture picture, double millis, float[] coefficients, Map<String, Double> metrics) {
        this(method, layer, picture, millis, coefficients, metrics, -1, Double.NaN);
    }
}
