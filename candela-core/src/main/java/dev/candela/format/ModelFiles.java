package dev.candela.format;

import dev.candela.graph.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Opens a model file of either kind: a .cnd (recognised by its magic) or a foreign format such as .onnx,
 * imported on the fly by the {@link ModelImporter} on the class or module path ({@code candela-onnx}).
 */
public final class ModelFiles {
    private ModelFiles() {}

    public static Model load(Path file) throws IOException {
        return load(file, ImportOptions.defaults());
    }

    /** {@code options} apply when the file is imported (ONNX); a .cnd carries its own metadata. */
    public static Model load(Path file, ImportOptions options) throws IOException {
        if (!Files.exists(file)) throw new ModelFormatException(file, "", "no such model file");
        requireRegular(file);
        if (CndReader.hasMagic(file)) return CndReader.read(file);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".cnd")) return CndReader.read(file); // reports the bad magic
        for (ModelImporter importer : ServiceLoader.load(ModelImporter.class, ModelFiles.class.getClassLoader())) {
            if (name.endsWith(importer.extension())) return importer.importFile(file, options);
        }
        if (name.endsWith(".onnx"))
            throw new ModelFormatException(file, "format", "ONNX import needs the candela-onnx module on the class or module path");
        throw new ModelFormatException(file, "magic", "neither a Candela model (magic \"CNDL\") nor an ONNX file (.onnx)");
    }

    /** A model must be a readable regular file (a FIFO or device would block the reader). */
    public static void requireRegular(Path file) throws ModelFormatException {
        try {
            dev.candela.io.SafeFiles.requireRegular(file, "");
        } catch (dev.candela.io.SafeFiles.RefusedFileException e) {
            String m = e.getMessage();
            String prefix = file + ": ";
            throw new ModelFormatException(file, "", m.startsWith(prefix) ? m.substring(prefix.length()) : m);
        }
    }
}
