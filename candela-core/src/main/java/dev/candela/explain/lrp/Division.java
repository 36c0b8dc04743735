package dev.candela.explain.lrp;

import dev.candela.tensor.Tensor;

/**
 * How a rule makes its denominator safe. LRP libraries add a signed stabiliser (zennit and Captum:
 * {@code z + eps * sign(z)} with sign(0) = +1); FG-CAM divides exactly and sends 0/0-style shares to 0.
 */
public sealed interface Division {

    /** z + eps * sign(z), sign(0) = +1 (zennit's {@code Stabilizer}, Captum's {@code STABILITY_FACTOR}). */
    record Stabilised(double epsilon) implements Division {
        public Stabilised {
            if (!(epsilon >= 0) || !Double.isFinite(epsilon)) throw new IllegalArgumentException("stabiliser epsilon must be finite and >= 0, got " + epsilon);
        }
    }

    /**
     * FG-CAM's {@code divide_with_zero}: the quotient is 0 wherever the denominator is 0. A subnormal
     * denominator (below {@link Float#MIN_NORMAL}) counts as 0 too: it arises from products of the tiny
     * negative outputs of SiLU-like activations, and dividing by it overflows to infinity, which the next
     * product with a zero input turns into NaN (EfficientNetV2's FG-CAM went all NaN this way).
     */
    record ZeroSafe() implements Division {}

    /** Whether {@link ZeroSafe} treats this denominator as zero. */
    public static boolean vanishes(float z) { return Math.abs(z) < Float.MIN_NORMAL; }

    /** r / z element-wise under this division's convention. */
    default Tensor divide(Tensor r, Tensor z) {
        return divide(r, z, new float[r.size()]);
    }

    /** As {@link #divide(Tensor, Tensor)}, the quotient written over z's array (z must be a result no one else holds). */
    default Tensor divideInto(Tensor r, Tensor z) {
        return divide(r, z, z.data());
    }

    private Tensor divide(Tensor r, Tensor z, float[] o) {
        float[] a = r.data(), b = z.data();
        switch (this) {
            case Stabilised s -> {
                float eps = (float) s.epsilon();
                for (int i = 0; i < a.length; i++) o[i] = a[i] / (b[i] + (b[i] >= 0 ? eps : -eps));
            }
            case ZeroSafe zs -> {
                for (int i = 0; i < a.length; i++) o[i] = vanishes(b[i]) ? 0f : a[i] / b[i];
            }
        }
        return new Tensor(r.shape(), o);
    }

    /** Mass of r on units whose denominator vanishes (what {@link ZeroSafe} drops), per batch item. */
    static double[] droppedMass(Tensor r, Tensor z) {
        int n = r.dim(0), per = r.shape().itemSize();
        double[] out = new double[n];
        float[] a = r.data(), b = z.data();
        for (int i = 0; i < a.length; i++) if (vanishes(b[i])) out[i / per] += a[i];
        return out;
    }
}
