package dev.candela.spark;

import dev.candela.format.ModelFiles;
import dev.candela.graph.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Models read from broadcast bytes, once per executor JVM and kept by the bytes' SHA-256 (a {@link Model} is
 * immutable and thread-safe, so every task of the JVM shares it). The bytes are read by Candela's own loader
 * from a private temporary file carrying the original extension (.cnd, or .onnx through the importer).
 */
final class Models {
    private Models() {}

    private static final ConcurrentHashMap<String, Model> CACHE = new ConcurrentHashMap<>();

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The model of these bytes (read at most once per JVM). */
    static Model get(String sha, String extension, Supplier<byte[]> bytes) {
        return CACHE.computeIfAbsent(sha, k -> read(bytes.get(), extension));
    }

    static Model read(byte[] bytes, String extension) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("candela-model-", extension.isEmpty() ? ".cnd" : "." + extension);
            Files.write(tmp, bytes);
            return ModelFiles.load(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the broadcast model: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // left in the JVM's temporary folder
                }
            }
        }
    }
}
