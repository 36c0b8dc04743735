/**
 * Candela's engine: tensors and kernels, the graph and its executor, {@code .cnd} model files, the
 * explanation methods, the faithfulness metrics and image preprocessing. Needs nothing beyond the JDK
 * but Jackson (the {@code .cnd} header), EJML (SVD) and Commons Math (statistics); the Vector API is
 * optional: without {@code --add-modules jdk.incubator.vector} the scalar kernels run.
 */
module dev.candela.core {
    requires static jdk.incubator.vector;
    requires transitive java.desktop; // BufferedImage in the image API
    requires com.fasterxml.jackson.databind;
    requires ejml.core;
    requires ejml.ddense;
    requires commons.math3;

    exports dev.candela.tensor;
    exports dev.candela.graph;
    exports dev.candela.run;
    exports dev.candela.format;
    exports dev.candela.explain;
    exports dev.candela.explain.attribution;
    exports dev.candela.explain.cam;
    exports dev.candela.explain.display;
    exports dev.candela.explain.fgcam;
    exports dev.candela.explain.lrp;
    exports dev.candela.explain.sampled;
    exports dev.candela.explain.shapley;
    exports dev.candela.explainer;
    exports dev.candela.metrics;
    exports dev.candela.image;
    exports dev.candela.io;

    uses dev.candela.format.ModelImporter;
}
