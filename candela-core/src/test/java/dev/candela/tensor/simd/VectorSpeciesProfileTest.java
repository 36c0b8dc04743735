package dev.candela.tensor.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.reflect.Field;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
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

    /**
     * The field check above misses a species named inline ({@code FloatVector.SPECIES_256} in a method) or made
     * from another ({@code withShape}, {@code withLanes}, a shape-changing conversion). So the compiled main
     * classes are read: only VectorFloatKernels uses the Vector API, it reads the SPECIES_ constants only in
     * {@code species(String)} (the one choice, stored in S), and nothing calls a shape-changing method.
     */
    @Test
    void noMethodNamesASecondSpeciesInlineOrChangesShape() throws IOException, URISyntaxException {
        Path classes = Path.of(VectorFloatKernels.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> found = new ArrayList<>();
        List<String> users = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".class")).toList()) {
                ClassModel cm = ClassFile.of().parse(f);
                String owner = cm.thisClass().asInternalName();
                for (MethodModel m : cm.methods()) {
                    String where = owner + "." + m.methodName().stringValue();
                    m.code().ifPresent(code -> code.forEach(e -> {
                        if (e instanceof FieldInstruction fi && fi.owner().asInternalName().startsWith("jdk/incubator/vector/")) {
                            if (!users.contains(owner)) users.add(owner);
                            if (fi.name().stringValue().startsWith("SPECIES_") && !m.methodName().stringValue().equals("species")
                                    && !fi.owner().asInternalName().endsWith("/DoubleVector"))
                                found.add(where + " reads " + fi.owner().asInternalName() + "." + fi.name().stringValue());
                        }
                        if (e instanceof InvokeInstruction ii && ii.owner().asInternalName().startsWith("jdk/incubator/vector/")) {
                            if (!users.contains(owner)) users.add(owner);
                            String name = ii.name().stringValue();
                            if (name.equals("withShape") || name.equals("withLanes") || name.equals("convertShape")
                                    || name.equals("castShape") || name.equals("reinterpretShape") || name.equals("ofLargestShape")
                                    || name.equals("ofPreferred") || name.equals("species") && ii.owner().asInternalName().endsWith("VectorShape"))
                                found.add(where + " calls " + ii.owner().asInternalName() + "." + name);
                        }
                    }));
                }
            }
        }
        assertEquals(List.of("dev/candela/tensor/simd/VectorFloatKernels"), users.stream().map(u -> u.replaceAll("\\$.*", "")).distinct().toList(),
                "classes that use the Vector API");
        assertEquals(List.of(), found, "a second float species, named inline or made from another shape");
    }
}
