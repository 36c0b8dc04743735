package dev.candela.explain.attribution;

import dev.candela.tensor.Tensor;

/**
 * DeepLIFT attributions at one tensor for N items.
 *
 * @param layer            the tensor the attributions are for (the graph input for pixel attributions)
 * @param attributions     contributions C = (a - a0) * m, batch N
 * @param multipliers      m, batch N
 * @param layerDelta       a - a0 at the layer, batch N
 * @param outputs          model outputs for the actual items
 * @param referenceOutputs model outputs for the references
 * @param targetDelta      per item: target(outputs) - target(referenceOutputs)
 * @param convergenceDelta per item: sum(attributions) - targetDelta (Captum's convergence delta)
 */
public record DeepLiftResult(String layer, Tensor attributions, Tensor multipliers, Tensor layerDelta,
                             Tensor outputs, Tensor referenceOutputs, double[] targetDelta, double[] convergenceDelta) {}
