package dev.candela.tensor.simd;

/**
 * Chooses the {@link FloatKernels} once, at start-up: the Vector API kernels when {@code jdk.incubator.vector}
 * is in the boot layer (and the CPU has vectors of at least 4 floats), otherwise the scalar ones with one
 * notice on stderr that names the flag. {@code -Dcandela.vector=scalar} forces the scalar kernels silently,
 * {@code -Dcandela.vector=vector} asks for the Vector API ones. Both give the same bits for every operation
 * (KernelChoiceTest): the choice is one of speed only (the Vector API runs interpreted until the JIT has compiled
 * it, so a process that explains one small image is faster with the scalar kernels).
 */
public final class KernelChoice {
    private KernelChoice() {}

    /** The kernels every hot loop calls (a constant, so the JIT inlines through it). */
    public static final FloatKernels KERNELS = choose();

    /** True when the Vector API kernels are in use. */
    public static final boolean VECTOR = !(KERNELS instanceof ScalarFloatKernels);

    private static FloatKernels choose() {
        if ("scalar".equals(System.getProperty("candela.vector"))) return new ScalarFloatKernels();
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            if (!Boolean.getBoolean("candela.quiet"))
                System.err.println("candela: the Vector API is not enabled, so the scalar kernels run (several times slower);"
                        + " start java with --add-modules jdk.incubator.vector to make it fast");
            return new ScalarFloatKernels();
        }
        try {
            FloatKernels k = (FloatKernels) Class.forName("dev.candela.tensor.simd.VectorFloatKernels")
                    .getDeclaredConstructor().newInstance();
            // A CPU without 4-float vectors gains nothing; the scalar kernels keep the same tile shape.
            return k.lanes() >= 4 ? k : new ScalarFloatKernels();
        } catch (ReflectiveOperationException | LinkageError e) {
            System.err.println("candela: the Vector API kernels could not start (" + e + "); the scalar kernels run");
            return new ScalarFloatKernels();
        }
    }
}
