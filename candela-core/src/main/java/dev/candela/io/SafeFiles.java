package dev.candela.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Checks made before a file given by a user (or named inside a model) is opened: it must be a regular
 * file (after following symbolic links), so a FIFO, a device or a directory is refused before any read
 * could block or run forever; and a file a model refers to must resolve inside the model's folder.
 */
public final class SafeFiles {
    private SafeFiles() {}

    /** A file that may not be opened; the message names it and says why. */
    public static final class RefusedFileException extends IOException {
        public RefusedFileException(String message) { super(message); }
    }

    /**
     * Returns the attributes of {@code file} when it is a regular file that can be read; otherwise throws
     * a {@link RefusedFileException} "{@code what} FILE: reason".
     */
    public static BasicFileAttributes requireRegular(Path file, String what) throws RefusedFileException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new RefusedFileException(prefix(what, file) + "no such file");
        } catch (IOException e) {
            throw new RefusedFileException(prefix(what, file) + "cannot read its attributes (" + e.getMessage() + ")");
        } catch (SecurityException e) {
            throw new RefusedFileException(prefix(what, file) + "permission denied");
        }
        if (a.isDirectory()) throw new RefusedFileException(prefix(what, file) + "it is a directory, not a file");
        if (!a.isRegularFile()) throw new RefusedFileException(prefix(what, file) + "not a regular file (a FIFO, socket or device is never opened)");
        if (!Files.isReadable(file)) throw new RefusedFileException(prefix(what, file) + "permission denied");
        return a;
    }

    /** {@link #requireRegular} as an unchecked {@link IllegalArgumentException} (for code that reports bad input that way). */
    public static void requireRegularUnchecked(Path file, String what) {
        try {
            requireRegular(file, what);
        } catch (RefusedFileException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Resolves {@code name} (relative, as written inside a model) against {@code folder} and returns its
     * real path (every symbolic link followed), which must lie inside the real path of {@code folder}
     * and be a regular file; null when it does not (the caller names the field in its error).
     * @throws RefusedFileException with the reason
     */
    public static Path resolveInside(Path folder, String name) throws RefusedFileException {
        Path rel;
        try {
            rel = Path.of(name);
        } catch (RuntimeException e) {
            throw new RefusedFileException("'" + name + "' is not a valid file name");
        }
        if (rel.isAbsolute()) throw new RefusedFileException("'" + name + "' is an absolute path; expected a file inside the model's folder");
        Path realFolder;
        try {
            realFolder = folder.toRealPath();
        } catch (IOException e) {
            throw new RefusedFileException("cannot resolve the model's folder " + folder + " (" + e.getMessage() + ")");
        }
        Path lexical = folder.resolve(rel).normalize();
        if (!lexical.startsWith(folder.normalize())) throw new RefusedFileException("'" + name + "' points outside the model's folder");
        Path real;
        try {
            real = lexical.toRealPath();
        } catch (NoSuchFileException e) {
            throw new RefusedFileException("'" + name + "': no such file beside the model");
        } catch (IOException e) {
            throw new RefusedFileException("'" + name + "': cannot resolve (" + e.getMessage() + ")");
        }
        if (!real.startsWith(realFolder)) throw new RefusedFileException("'" + name + "' resolves to " + real + ", outside the model's folder (symbolic links are followed)");
        requireRegular(real, "'" + name + "'");
        return real;
    }

    /** True when {@code p} is a regular file (links followed) — for listing the entries of a folder. */
    public static boolean isRegular(Path p) {
        return Files.isRegularFile(p);
    }

    /** The same file (by real path) — for refusing to overwrite an input with an output. */
    public static boolean sameFile(Path a, Path b) {
        try {
            if (!Files.exists(a) || !Files.exists(b)) return false;
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static String prefix(String what, Path file) {
        return (what == null || what.isEmpty() ? "" : what + " ") + file + ": ";
    }

}
