package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.List;

/**
 * A smooth (or piecewise-linear) element-wise function of one input, any rank: Sigmoid, HardSigmoid,
 * HardSwish, SiLU (fused by the importer from x * Sigmoid(x)), GELU (exact, erf form) and Erf.
 * {@code alpha}/{@code beta} are HardSigmoid's max(0, min(1, alpha x + beta)) (also inside HardSwish);
 * other functions ignore them. {@link #value} is the scalar definition (double); the derivative is
 * {@link #slope}.
 */
public record Pointwise(Fn fn, float alpha, float beta) implements Op {
    public static final float HARD_ALPHA = 1f / 6f, HARD_BETA = 0.5f;

    public enum Fn { SIGMOID, HARD_SIGMOID, HARD_SWISH, SILU, GELU, ERF }

    public Pointwise {
        Op.require(fn != null, "Pointwise needs a function");
        Op.require(Float.isFinite(alpha) && Float.isFinite(beta), "Pointwise alpha/beta must be finite");
    }

    public Pointwise(Fn fn) { this(fn, HARD_ALPHA, HARD_BETA); }

    @Override public Shape outputShape(List<Shape> in) { return Op.only(in, -1, fn.name()); }

    /** f(x) in double. */
    public double value(double x) {
        return switch (fn) {
            case SIGMOID -> sigmoid(x);
            case HARD_SIGMOID -> hard(x);
            case HARD_SWISH -> x * hard(x);
            case SILU -> x * sigmoid(x);
            case GELU -> 0.5 * x * (1 + erf(x / Math.sqrt(2)));
            case ERF -> erf(x);
        };
    }

    /** f'(x) in double (one-sided at HardSigmoid's kinks: the derivative of the open middle piece is used inside it only). */
    public double slope(double x) {
        return switch (fn) {
            case SIGMOID -> { double s = sigmoid(x); yield s * (1 - s); }
            case HARD_SIGMOID -> inside(x) ? alpha : 0;
            case HARD_SWISH -> hard(x) + (inside(x) ? x * alpha : 0);
            case SILU -> { double s = sigmoid(x); yield s * (1 + x * (1 - s)); }
            case GELU -> 0.5 * (1 + erf(x / Math.sqrt(2))) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
            case ERF -> 2 / Math.sqrt(Math.PI) * Math.exp(-x * x);
        };
    }

    private boolean inside(double x) {
        double z = (double) alpha * x + beta;
        return z > 0 && z < 1;
    }

    private double hard(double x) { return Math.max(0, Math.min(1, (double) alpha * x + beta)); }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    /**
     * erf in double to ~1e-15 relative: Maclaurin series for {@code |x| < 2.5}, the continued fraction of erfc
     * (Lentz) beyond. Java has no erf of its own.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double a = Math.abs(x);
        double r;
        if (a < 2.5) {
            double term = a, sum = a, x2 = a * a;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double t = term / (2 * n + 1);
                sum += t;
                if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else if (a > 6) {
            r = 1;
        } else {
            // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + 1/2/(a + 1/(a + 3/2/(a + ...)))), evaluated backwards.
            double f = a;
            for (int k = 60; k >= 1; k--) f = a + (k / 2.0) / f;
            r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }
}
