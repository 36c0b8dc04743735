/** An application that embeds Candela: only the engine and its ONNX importer, no command line. */
module dev.candela.example.embed {
    requires dev.candela.onnx; // reads dev.candela.core transitively
}
