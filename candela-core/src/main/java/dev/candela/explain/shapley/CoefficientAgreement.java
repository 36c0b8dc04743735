package dev.candela.explain.shapley;

import dev.candela.metrics.CoefficientFidelity;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * How close a method's channel coefficients are to reference (Shapley) values: the correlations and
 * error of {@link CoefficientFidelity}, plus the overlap of the top-k channels.
 *
 * @param cosine        cosine similarity of the two vectors
 * @param spearman      Spearman rank correlation (average ranks for ties)
 * @param pearson       Pearson correlation
 * @param relativeError ||estimate - reference|| / ||reference|| (scale-sensitive, unlike the others)
 * @param topKOverlap   |top-k(estimate) intersect top-k(reference)| / k, by value (largest first, lower index on ties)
 * @param k             the k used
 */
public record CoefficientAgreement(double cosine, double spearman, double pearson, double relativeError, double topKOverlap, int k) {

    public static CoefficientAgreement of(double[] estimate, double[] reference, int k) {
        CoefficientFidelity.Result r = CoefficientFidelity.compare(estimate, reference);
        int kk = Math.max(1, Math.min(k, reference.length));
        return new CoefficientAgreement(r.cosine(), r.spearman(), r.pearson(), r.relativeError(), overlap(estimate, reference, kk), kk);
    }

    static double overlap(double[] a, double[] b, int k) {
        boolean[] inA = top(a, k), inB = top(b, k);
        int both = 0;
        for (int i = 0; i < a.length; i++) if (inA[i] && inB[i]) both++;
        return both / (double) k;
    }

    private static boolean[] top(double[] v, int k) {
        Integer[] idx = IntStream.range(0, v.length).boxed().sorted(Comparator.comparingDouble((Integer i) -> -v[i]).thenComparingInt(i -> i)).toArray(Integer[]::new);
        boolean[] t = new boolean[v.length];
        for (int i = 0; i < k; i++) t[idx[i]] = true;
        return t;
    }
}
