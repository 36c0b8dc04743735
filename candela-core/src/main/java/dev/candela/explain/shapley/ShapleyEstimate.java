package dev.candela.explain.shapley;

/**
 * Shapley values of the K activation maps of one item for the head F^c (lift-cam.md 2.2).
 *
 * @param phi           phi_k
 * @param standardError per-map standard error (all zero when exact)
 * @param full          v(all maps) = F^c(A)
 * @param empty         v(no map) = F^c(0)
 * @param evaluations   head evaluations spent
 * @param method        "exact" or "antithetic-permutations(P pairs, seed S)"
 */
public record ShapleyEstimate(double[] phi, double[] standardError, double full, double empty, long evaluations, String method) {

    /** sum_k phi_k - (v(all) - v(empty)): zero for the exact values (efficiency), and for each sampled permutation too. */
    public double efficiencyResidual() {
        double s = 0;
        for (double p : phi) s += p;
        return s - (full - empty);
    }
}
