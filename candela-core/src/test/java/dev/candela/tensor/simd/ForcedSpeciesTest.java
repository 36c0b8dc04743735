package dev.candela.tensor.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The vector kernels are written for any lane count (sum and dot keep 8 partial sums: in the first lanes of a
 * masked vector on 16 lanes, one vector on 8, two on 4), but a test JVM only runs the CPU's preferred width. So
 * KernelChoiceTest's checks also run in a child JVM with {@code -Dcandela.vector=256} and {@code =128} forced.
 */
class ForcedSpeciesTest {

    @ParameterizedTest(name = "the scalar bits with {0}-bit vectors forced")
    @ValueSource(strings = {"256", "128"})
    void kernelChoiceChecksPassWithANarrowerSpeciesForced(String bits) throws IOException, InterruptedException {
        assumeTrue(KernelChoice.VECTOR, "only the scalar kernels are loaded in this JVM");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector", "-Dcandela.vector=" + bits,
                "-Dcandela.quiet=true", "-cp", System.getProperty("java.class.path"), ForcedSpeciesTest.class.getName()))
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM still running");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("FloatVector " + bits + "-bit"), out);
    }

    /** The child: KernelChoiceTest's checks on the forced species; any failure exits non-zero with its message. */
    public static void main(String[] args) {
        System.out.println("kernels: " + KernelChoice.KERNELS.describe());
        if (!KernelChoice.VECTOR) throw new AssertionError("the vector kernels did not load");
        KernelChoiceTest t = new KernelChoiceTest();
        t.chosenKernelsGiveTheScalarBitsOnRandomShapes();
        t.gemmMicroKernelsGiveTheScalarBits();
        t.sumDotAndElementwiseKernelsGiveTheScalarBitsAtEveryLengthAndOffsetWithSpecialValues();
        t.blockedConvolutionStripsGiveTheScalarBits();
        t.depthwiseTapSumsGiveThePerTapFormsBits();
        System.out.println("ok");
    }
}
