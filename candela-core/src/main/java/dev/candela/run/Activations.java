package dev.candela.run;

import dev.candela.tensor.Tensor;
import java.util.Collections;
import java.util.Map;

/** The tensors a forward pass kept, by tensor name (batch first). */
public final class Activations {
    private final Map<String, Tensor> values;
    private final String output;
    private final boolean complete;

    Activations(Map<String, Tensor> values, String output, boolean complete) {
        this.values = values;
        this.output = output;
        this.complete = complete;
    }

    /** True when the pass kept every activation it computed (no keep set). */
    public boolean complete() { return complete; }

    public Tensor get(String tensor) {
        Tensor t = values.get(tensor);
        if (t == null) throw new IllegalArgumentException("activation '" + tensor + "' was not kept by this forward pass");
        return t;
    }

    public boolean has(String tensor) { return values.containsKey(tensor); }

    /** The model output (logits). */
    public Tensor output() { return values.get(output); }

    public Map<String, Tensor> all() { return Collections.unmodifiableMap(values); }
}
