package dev.candela.report;

import dev.candela.image.Picture;
import java.util.List;

/**
 * One image of a report: what the model saw, its prediction, the class explained, and one cell per method.
 *
 * @param name        file name (or stem) shown as the row title
 * @param view        the image as the model saw it (cropped and resized), 0..255
 * @param predicted   predicted class (top-1)
 * @param predictedProbability softmax probability of the predicted class
 * @param target      the class the maps explain
 * @param targetProbability softmax probability of the target class
 * @param labels      class names (index = class; may be empty)
 * @param cells       one result per method, in column order
 */
public record ReportRow(String name, Picture view, int predicted, double predictedProbability,
                        int target, double targetProbability, List<String> labels, List<ReportCell> cells) {
    public ReportRow {
        labels = List.copyOf(labels);
        cells = List.copyOf(cells);
    }

    public String label(int c) {
        return c >= 0 && c < labels.size() ? labels.get(c) : "class " + c;
    }
}
