package dev.candela.explain.attribution;

/**
 * Nodes (alphas in [0,1]) and weights of the path integral of Integrated Gradients, as Captum's
 * approximation_methods defines them.
 */
public enum Quadrature {
    RIEMANN_LEFT, RIEMANN_RIGHT, RIEMANN_MIDDLE,
    /** Captum's trapezoid: linspace(0,1,n) with weights 1/n and the two ends halved (the weights sum to (n-1)/n, as in Captum). */
    RIEMANN_TRAPEZOID,
    /** Gauss-Legendre on [0,1] (Captum's default method). */
    GAUSS_LEGENDRE;

    public static Quadrature parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_')) {
            case "riemann_left", "left" -> RIEMANN_LEFT;
            case "riemann_right", "right" -> RIEMANN_RIGHT;
            case "riemann_middle", "middle" -> RIEMANN_MIDDLE;
            case "riemann_trapezoid", "trapezoid" -> RIEMANN_TRAPEZOID;
            case "gausslegendre", "gauss_legendre", "gl" -> GAUSS_LEGENDRE;
            default -> throw new IllegalArgumentException("unknown quadrature '" + s + "'; use riemann_left, riemann_right, riemann_middle, riemann_trapezoid or gausslegendre");
        };
    }

    /** {alphas, weights} for n nodes. */
    public double[][] rule(int n) {
        if (this == GAUSS_LEGENDRE ? n < 1 : n < 2) throw new IllegalArgumentException(this + " needs " + (this == GAUSS_LEGENDRE ? "n >= 1" : "n >= 2") + " steps, got " + n);
        double[] a = new double[n], w = new double[n];
        switch (this) {
            case RIEMANN_LEFT -> { for (int i = 0; i < n; i++) { a[i] = linspace(0, 1 - 1.0 / n, n, i); w[i] = 1.0 / n; } }
            case RIEMANN_RIGHT -> { for (int i = 0; i < n; i++) { a[i] = linspace(1.0 / n, 1, n, i); w[i] = 1.0 / n; } }
            case RIEMANN_MIDDLE -> { for (int i = 0; i < n; i++) { a[i] = linspace(0.5 / n, 1 - 0.5 / n, n, i); w[i] = 1.0 / n; } }
            case RIEMANN_TRAPEZOID -> {
                for (int i = 0; i < n; i++) { a[i] = linspace(0, 1, n, i); w[i] = 1.0 / n; }
                w[0] /= 2;
                w[n - 1] /= 2;
            }
            case GAUSS_LEGENDRE -> {
                double[][] xw = legendre(n);
                for (int i = 0; i < n; i++) { a[i] = 0.5 * (1 + xw[0][i]); w[i] = 0.5 * xw[1][i]; }
            }
        }
        return new double[][]{a, w};
    }

    private static double linspace(double lo, double hi, int n, int i) {
        return n == 1 ? lo : lo + (hi - lo) * i / (n - 1);
    }

    /** Gauss-Legendre nodes (ascending) and weights on [-1,1] by Newton's method on P_n. */
    static double[][] legendre(int n) {
        double[] x = new double[n], w = new double[n];
        for (int i = 0; i < (n + 1) / 2; i++) {
            double z = Math.cos(Math.PI * (i + 0.75) / (n + 0.5)), dp = 0;
            for (int it = 0; it < 100; it++) {
                double p0 = 1, p1 = z;
                for (int k = 2; k <= n; k++) {
                    double p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
                    p0 = p1;
                    p1 = p2;
                }
                if (n == 1) { p1 = z; p0 = 1; }
                dp = n * (z * p1 - p0) / (z * z - 1);
                double dz = p1 / dp;
                z -= dz;
                if (Math.abs(dz) < 1e-16) break;
            }
            if (n == 1) { z = 0; dp = 1; }
            x[i] = -z;
            x[n - 1 - i] = z;
            w[i] = w[n - 1 - i] = 2 / ((1 - z * z) * dp * dp);
        }
        return new double[][]{x, w};
    }
}
