/** ONNX import for Candela: reads {@code .onnx} files (opsets 6 to 21) into a {@link dev.candela.graph.Model}. */
module dev.candela.onnx {
    requires transitive dev.candela.core;
    requires com.google.protobuf;

    exports dev.candela.onnx;

    provides dev.candela.format.ModelImporter with dev.candela.onnx.OnnxModelImporter;
}
