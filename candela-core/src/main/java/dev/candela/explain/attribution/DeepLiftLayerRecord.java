package dev.candela.explain.attribution;

import dev.candela.tensor.Tensor;
import java.util.List;

/**
 * What DeepLIFT computed at one node for N (input, reference) pairs (lift-cam.md section 4). Tensors
 * have batch N; lists have one entry per node input. Tensors are null when the audit keeps sums only.
 *
 * @param inputs              the node's inputs for the actual items (a_l)
 * @param references          the same for the references (a0_l)
 * @param deltaIn             a_l - a0_l
 * @param multipliersIn       m_l: the target's multiplier with respect to each input
 * @param contributionsIn     C_l = deltaIn * multipliersIn
 * @param output              y_l for the actual items
 * @param outputReference     y0_l
 * @param deltaOut            y_l - y0_l
 * @param multiplierOut       the multiplier that arrived at the node's output
 * @param contributionSumIn   per item: sum of C over all inputs
 * @param contributionSumOut  per item: sum of deltaOut * multiplierOut
 * @param targetDelta         per item: the target's output delta (Y - Y0)
 */
public record DeepLiftLayerRecord(String node, String op, List<String> inputNames,
                                  List<Tensor> inputs, List<Tensor> references, List<Tensor> deltaIn,
                                  List<Tensor> multipliersIn, List<Tensor> contributionsIn,
                                  Tensor output, Tensor outputReference, Tensor deltaOut, Tensor multiplierOut,
                                  double[] contributionSumIn, double[] contributionSumOut, double[] targetDelta) {

    /**
     * Per item: sum of this node's input contributions minus the target delta. Zero (to round-off)
     * whenever the node's inputs form a full cut between the explained input and the target.
     */
    public double[] residual() {
        double[] r = new double[contributionSumIn.length];
        for (int i = 0; i < r.length; i++) r[i] = contributionSumIn[i] - targetDelta[i];
        return r;
    }

    /** Per item: what the node's rule failed to conserve (input contributions minus output contributions). */
    public double[] localResidual() {
        double[] r = new double[contributionSumIn.length];
        for (int i = 0; i < r.length; i++) r[i] = contributionSumIn[i] - contributionSumOut[i];
        return r;
    }
}
