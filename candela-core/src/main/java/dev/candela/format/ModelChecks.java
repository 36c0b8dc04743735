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
public final class ModelChecks {
    private ModelChecks() {}

    public static Model check(Path file, Model m) throws ModelFormatException {
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
            int resize = m.preprocessing().resize(), maxResize = maxResize(m);
            if (resize < 0 || resize > maxResize) {
                throw new ModelFormatException(file, "metadata.preprocessing.resize", "expected 0 to " + maxResize + " (4 x the input side, at least 1024), got " + resize);
            }
        }
        long perItem = ForwardChecks.activationBytesPerItem(m.graph()), limit = Limits.maxActivationBytesPerItem();
        if (perItem > limit) {
            throw new ModelFormatException(file, "metadata.input.shape", "one input of shape " + m.graph().inputItemShape() + " needs " + perItem
                    + " bytes of activations, more than the limit of " + limit + " (candela.maxActivationBytesPerItem)");
        }
        return m;
    }

    /** Largest accepted preprocessing.resize: 4 x the larger input side, and at least 1024. */
    static int maxResize(Model m) {
        dev.candela.tensor.Shape s = m.graph().inputItemShape();
        int side = s.rank() >= 2 ? Math.max(s.dim(-1), s.dim(-2)) : 0;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1024L, 4L * side));
    }

    /** NaN or infinity in a preprocessing value is refused (it would silently poison every input). */
    static void requireFinite(float[] v, String what) {
        if (v == null) return;
        for (float x : v) if (!Float.isFinite(x)) throw new IllegalArgumentException(what + " must be finite, got " + x);
    }
}
