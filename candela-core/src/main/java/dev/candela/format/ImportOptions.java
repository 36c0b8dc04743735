package dev.candela.format;

import dev.candela.graph.Preprocessing;
import dev.candela.tensor.Shape;
import java.util.List;

/**
 * How an ONNX file becomes a Candela model.
 *
 * @param inputShape    input item shape (without batch), or null to take it from the ONNX graph input
 * @param foldBatchNorm fold BatchNormalization into the preceding Conv (off by default so BN stays a hookable layer)
 * @param preprocessing how images become the input tensor (stored in the model's metadata)
 * @param labels        class names (may be empty)
 */
public record ImportOptions(Shape inputShape, boolean foldBatchNorm, Preprocessing preprocessing, List<String> labels) {
    public ImportOptions {
        if (preprocessing == null) preprocessing = Preprocessing.imagenet();
        labels = labels == null ? List.of() : List.copyOf(labels);
    }

    public static ImportOptions defaults() {
        return new ImportOptions(null, false, null, List.of());
    }

    public ImportOptions withFoldBatchNorm(boolean fold) {
        return new ImportOptions(inputShape, fold, preprocessing, labels);
    }
}
