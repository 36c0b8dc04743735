package dev.candela.metrics;

import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;

/**
 * How close a CAM method's per-channel coefficients {@code phi_k} are to the exact Shapley values of
 * the channels (the "how close to SHAP" question of LIFT-CAM; the reference values come from the
 * Shapley reference computed by enumerating coalitions). Reported: Pearson and Spearman correlation,
 * cosine similarity, and the relative L2 error {@code ||phi - shap|| / ||shap||}. The coefficients
 * are compared as they are (no rescaling), so methods whose weights live on another scale (Score-CAM's
 * softmax weights) show it in the error but not in the correlations.
 */
public final class CoefficientFidelity {
    public record Result(double pearson, double spearman, double cosine, double relativeError) {}

    private CoefficientFidelity() {}

    public static Result compare(double[] coefficients, double[] shapley) {
        if (coefficients.length != shapley.length) {
            throw new IllegalArgumentException("got " + coefficients.length + " coefficients for " + shapley.length + " Shapley values");
        }
        if (coefficients.length < 2) throw new IllegalArgumentException("need at least 2 channels to compare");
        double dot = 0, na = 0, nb = 0, diff = 0;
        for (int i = 0; i < shapley.length; i++) {
            dot += coefficients[i] * shapley[i];
            na += coefficients[i] * coefficients[i];
            nb += shapley[i] * shapley[i];
            diff += (coefficients[i] - shapley[i]) * (coefficients[i] - shapley[i]);
        }
        double pearson = constant(coefficients) || constant(shapley) ? 0 : new PearsonsCorrelation().correlation(coefficients, shapley);
        double spearman = constant(coefficients) || constant(shapley) ? 0 : new SpearmansCorrelation().correlation(coefficients, shapley);
        double cosine = na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
        double rel = nb > 0 ? Math.sqrt(diff / nb) : Math.sqrt(diff);
        return new Result(pearson, spearman, cosine, rel);
    }

    private static boolean constant(double[] a) {
        for (double v : a) if (v != a[0]) return false;
        return true;
    }
}
