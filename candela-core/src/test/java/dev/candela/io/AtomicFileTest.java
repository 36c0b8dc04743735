package dev.candela.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir
    Path dir;

    @Test
    void failedWriteLeavesTheOldFileAndNoTemporary() throws Exception {
        Path f = dir.resolve("out.json");
        AtomicFile.write(f, "old".getBytes());
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFile.write(f, out -> {
            out.write("half".getBytes());
            throw new IOException("disk full");
        }));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("disk full"), e.getMessage());
        assertEquals("old", Files.readString(f));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "temporary file removed");
        }
    }

    @Test
    void createsMissingDirectories() throws Exception {
        Path f = dir.resolve("a/b/c.txt");
        AtomicFile.write(f, "x".getBytes());
        assertEquals("x", Files.readString(f));
    }

    @Test
    void unwritableTargetNamesTheFile() throws Exception {
        Path blocker = dir.resolve("file");
        Files.writeString(blocker, "I am a file, not a directory");
        Path f = blocker.resolve("out.png");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFile.write(f, new byte[1]));
        assertTrue(e.getMessage().startsWith("cannot write " + f), e.getMessage());
    }
}
