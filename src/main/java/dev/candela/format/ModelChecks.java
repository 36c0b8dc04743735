package dev.candela.format;

import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.io.Limits;
import dev.candela.io.Text;
import dev.candela.run.ForwardChecks;
import dev.candela.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;

/** Checks every model gets when it is read or imported, whatever its format. */
final class ModelChecks {
    private ModelChecks() {}

    static Model check(Path file, Model m) throws ModelFormatException {
        for (Node n : m.graph().nodes()) {
            for (Map.Entry<String, Tensor> p : n.op().parameters().entrySet()) {
                int i = ForwardChecks.firstNonFinite(p.getValue().data());
                if (i >= 0) {
                    float v = p.getValue().data()[i];
                    throw new ModelFormatException(file, "node '" + Text.safe(n.name()) + "' " + p.getKey(),
                            "holds " + (Float.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf") + " at flat index " + i + " of " + p.getValue().shape() + " (weights must be finite)");
                }
            }
        }
        int classes = m.numClasses();
        if (!m.labels().isEmpty() && m.labels().size() != classes) {
            throw new ModelFormatException(file, "metadata.labels", m.labels().size() + " labels for a model with " + classes + " classes (expected one per class, or none)");
        }
        if (m.preprocessing() != null) {
            try {
                requireFinite(m.preprocessing().mean(), "mean");
                requireFinite(m.preprocessing().std(), "std");
                requireFinite(new float[]{m.preprocessing().scale()}, "scale");
                requireFinite(new float[]{m.preprocessing().offset()}, "offset");
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(file, "metadata.preprocessing", e.getMessage());
            }
            if (m.preprocessing().resize() < 0 || (long) m.preprocessing().resize() * m.preprocessing().resize() > Limits.maxImagePixels()) {
                throw new ModelFormatException(file, "metadata.preprocessing.resize", "expected 0..sqrt(" + Limits.maxImagePixels() + "), got " + m.preprocessing().resize());
            }
        }
        long perItem = ForwardChecks.activationBytesPerItem(m.graph());
        if (perItem > Limits.maxActivationBytes()) {
            throw new ModelFormatException(file, "graph", "one input needs " + perItem + " bytes of activations, more than the limit of " + Limits.maxActivationBytes() + " (candela.maxActivationBytes, at most -Xmx)");
        }
        return m;
    }

    /** NaN or infinity in a preprocessing value is refused (it would silently poison every input). */
    static void requireFinite(float[] v, String what) {
        if (v == null) return;
        for (float x : v) if (!Float.isFinite(x)) throw new IllegalArgumentException(what + " must be finite, got " + x);
    }
}
