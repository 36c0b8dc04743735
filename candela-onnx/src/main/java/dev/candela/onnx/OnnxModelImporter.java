package dev.candela.onnx;

import dev.candela.format.ImportOptions;
import dev.candela.format.ModelImporter;
import dev.candela.graph.Model;
import java.io.IOException;
import java.nio.file.Path;

/** The service that lets {@link dev.candela.format.ModelFiles} open .onnx files when this module is present. */
public final class OnnxModelImporter implements ModelImporter {
    @Override
    public String extension() { return ".onnx"; }

    @Override
    public Model importFile(Path file, ImportOptions options) throws IOException {
        return OnnxImporter.importFile(file, options);
    }
}
