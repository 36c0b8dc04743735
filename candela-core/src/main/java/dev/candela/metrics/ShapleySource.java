package dev.candela.metrics;

import dev.candela.run.Executor;
import dev.candela.tensor.Tensor;

/**
 * Reference Shapley values of the channels of {@code layer} for one input (1 x C x H x W) and target
 * class: the ground truth the coefficient-fidelity metric compares a method's coefficients with.
 * Supplied by the caller (the explain package's ShapleyReference) so the metrics stay independent of
 * the explanation code.
 */
@FunctionalInterface
public interface ShapleySource {
    double[] shapley(Executor executor, Tensor input, String layer, int target);

    /**
     * The reference values with their per-channel standard errors (all zero when exact). A source that
     * only gives values (a lambda) is taken as exact.
     */
    default Reference reference(Executor executor, Tensor input, String layer, int target) {
        double[] phi = shapley(executor, input, layer, target);
        return new Reference(phi, new double[phi.length]);
    }

    /**
     * @param phi           the Shapley value of each channel
     * @param standardError its standard error (zero when enumerated exactly)
     */
    record Reference(double[] phi, double[] standardError) {
        public Reference {
            if (phi.length != standardError.length) throw new IllegalArgumentException(phi.length + " values but " + standardError.length + " standard errors");
        }

        /** ||standard error|| / ||phi||: the reference's own noise on the scale of shapley-rel-error (0 when exact). */
        public double relativeStandardError() {
            double se = 0, n = 0;
            for (int i = 0; i < phi.length; i++) {
                se += standardError[i] * standardError[i];
                n += phi[i] * phi[i];
            }
            return n > 0 ? Math.sqrt(se / n) : Math.sqrt(se);
        }
    }
}
