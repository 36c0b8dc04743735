package dev.candela.explain.attribution;

import dev.candela.run.BackwardListener;
import dev.candela.run.LayerValues;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Per-layer DeepLIFT hook: records, for every node the traversal passes, the activations of both
 * halves, the deltas, the multipliers, the contributions and the conservation residuals. Pass one to
 * {@link DeepLift}; it is filled in during the backward pass (in reverse topological order).
 */
public final class DeepLiftAudit implements BackwardListener {
    private final boolean keepTensors;
    private final List<DeepLiftLayerRecord> records = new ArrayList<>();
    private double[] targetDelta = new double[0];

    /** @param keepTensors false keeps only the per-item sums (for large models) */
    public DeepLiftAudit(boolean keepTensors) {
        this.keepTensors = keepTensors;
    }

    public DeepLiftAudit() { this(true); }

    void start(double[] targetDelta) {
        this.targetDelta = targetDelta.clone();
        records.clear();
    }

    @Override public void onNode(LayerValues v, Tensor atOutput, List<Tensor> atInputs) {
        int n = PairedBatch.half(v.inputs().get(0));
        List<Tensor> ins = new ArrayList<>(), refs = new ArrayList<>(), dIn = new ArrayList<>(), mIn = new ArrayList<>(), cIn = new ArrayList<>();
        double[] sumIn = new double[n];
        for (int k = 0; k < v.inputs().size(); k++) {
            Tensor paired = v.inputs().get(k);
            Tensor a = PairedBatch.actual(paired), a0 = PairedBatch.reference(paired);
            Tensor d = PairedBatch.minus(a, a0);
            Tensor m = PairedBatch.firstItems(atInputs.get(k), n);
            Tensor c = PairedBatch.times(d, m);
            double[] s = PairedBatch.itemSums(c);
            for (int i = 0; i < n; i++) sumIn[i] += s[i];
            if (keepTensors) {
                ins.add(a); refs.add(a0); dIn.add(d); mIn.add(m); cIn.add(c);
            }
        }
        Tensor y = PairedBatch.actual(v.output()), y0 = PairedBatch.reference(v.output());
        Tensor dOut = PairedBatch.minus(y, y0);
        Tensor mOut = PairedBatch.firstItems(atOutput, n);
        double[] sumOut = PairedBatch.itemSums(PairedBatch.times(dOut, mOut));
        records.add(new DeepLiftLayerRecord(v.node().name(), v.node().op().kind(), v.node().inputs(),
                keepTensors ? ins : null, keepTensors ? refs : null, keepTensors ? dIn : null,
                keepTensors ? mIn : null, keepTensors ? cIn : null,
                keepTensors ? y : null, keepTensors ? y0 : null, keepTensors ? dOut : null, keepTensors ? mOut : null,
                sumIn, sumOut, targetDelta.length == n ? targetDelta.clone() : new double[n]));
    }

    /** Records in the order visited (output first). */
    public List<DeepLiftLayerRecord> records() { return Collections.unmodifiableList(records); }

    public DeepLiftLayerRecord record(String node) {
        for (DeepLiftLayerRecord r : records) if (r.node().equals(node)) return r;
        throw new IllegalArgumentException("node '" + node + "' was not visited by the DeepLIFT traversal");
    }
}
