package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short run (the shipped model, a few image files) takes the scalar kernels; anything longer the Vector API. */
class KernelPolicyTest {
    @TempDir Path tmp;

    @Test
    void onlyAFewImageFilesOnTheShippedModelCountAsAShortRun() throws Exception {
        Path png = Files.writeString(tmp.resolve("a.png"), "x"), npy = Files.writeString(tmp.resolve("b.npy"), "x");
        assertTrue(KernelPolicy.shortRun(null, List.of(png)));
        assertTrue(KernelPolicy.shortRun(null, List.of(png, png, png, png)));
        assertFalse(KernelPolicy.shortRun(null, List.of(png, png, png, png, png)), "five files");
        assertFalse(KernelPolicy.shortRun(tmp.resolve("m.cnd"), List.of(png)), "a model of the user's");
        assertFalse(KernelPolicy.shortRun(null, List.of(tmp)), "a folder");
        assertFalse(KernelPolicy.shortRun(null, List.of(npy)), "a .npy batch");
        assertFalse(KernelPolicy.shortRun(null, List.of()), "no input");
    }
}
