package dev.candela.format;

import dev.candela.graph.Model;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads a foreign model format (ONNX, from the {@code candela-onnx} module) into a {@link Model}.
 * Found with {@link java.util.ServiceLoader}, so the core needs no importer to run {@code .cnd} files.
 */
public interface ModelImporter {

    /** The file-name ending this importer reads, lower case with its dot (".onnx"). */
    String extension();

    /** Imports {@code file}; a malformed or unsupported file is a {@link ModelFormatException}. */
    Model importFile(Path file, ImportOptions options) throws IOException;
}
