package dev.candela.tensor.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * C2 compiles FloatVector's shared methods (intoArray, fma, ...) with one receiver-type profile for every caller.
 * When the sums ran on 256-bit vectors beside the 512-bit GEMM kernel, that profile saw both shapes, and in the
 * processes where the 256-bit calls came first C2 gave up the store intrinsics of the GEMM kernel: every
 * convolution 10-15x slower for the life of the process (EfficientNet-B0, whose squeeze-and-excite pools are
 * sums, in one process in three). So the Vector API kernels use exactly one float species.
 */
class VectorSpeciesProfileTest {
    @Test
    void everyFloatVectorInTheKernelsHasOneSpeciesSoC2SeesOneReceiverType() throws ReflectiveOperationException {
        assumeTrue(KernelChoice.VECTOR, "only the scalar kernels are loaded in this JVM");
        List<VectorSpecies<?>> floats = new ArrayList<>();
        for (Field f : VectorFloatKernels.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || !VectorSpecies.class.isAssignableFrom(f.getType())) continue;
            f.setAccessible(true);
            VectorSpecies<?> s = (VectorSpecies<?>) f.get(null);
            if (s.elementType() == float.class) floats.add(s);
        }
        assertFalse(floats.isEmpty(), "no float species field found in VectorFloatKernels");
        for (VectorSpecies<?> s : floats) assertEquals(floats.get(0), s, "float species in VectorFloatKernels: " + floats);
    }
}
