package dev.candela.explain.shapley;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * How close a method's channel coefficients are to reference (Shapley) values.
 *
 * @param cosine       cosine similarity of the two vectors
 * @param spearman     Spearman rank correlation (average ranks for ties)
 * @param topKOverlap  |top-k(estimate) intersect top-k(reference)| / k, by value (largest first)
 * @param k            the k used
 */
public record CoefficientAgreement(double cosine, double spearman, double topKOverlap, int k) {

    public static CoefficientAgreement of(double[] estimate, double[] reference, int k) {
        if (estimate.length != reference.length) throw new IllegalArgumentException("coefficient vectors differ in length: " + estimate.length + " vs " + reference.length);
        int kk = Math.max(1, Math.min(k, reference.length));
        return new CoefficientAgreement(cosine(estimate, reference), pearson(ranks(estimate), ranks(reference)), overlap(estimate, reference, kk), kk);
    }

    static double cosine(double[] a, double[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
        return aa == 0 || bb == 0 ? 0 : ab / Math.sqrt(aa * bb);
    }

    static double pearson(double[] a, double[] b) {
        double ma = Arrays.stream(a).average().orElse(0), mb = Arrays.stream(b).average().orElse(0);
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) { ab += (a[i] - ma) * (b[i] - mb); aa += (a[i] - ma) * (a[i] - ma); bb += (b[i] - mb) * (b[i] - mb); }
        return aa == 0 || bb == 0 ? 0 : ab / Math.sqrt(aa * bb);
    }

    /** 1-based ranks, ties sharing their average rank. */
    static double[] ranks(double[] v) {
        Integer[] idx = IntStream.range(0, v.length).boxed().sorted(Comparator.comparingDouble(i -> v[i])).toArray(Integer[]::new);
        double[] r = new double[v.length];
        int i = 0;
        while (i < idx.length) {
            int j = i;
            while (j + 1 < idx.length && v[idx[j + 1]] == v[idx[i]]) j++;
            double avg = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++) r[idx[t]] = avg;
            i = j + 1;
        }
        return r;
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
