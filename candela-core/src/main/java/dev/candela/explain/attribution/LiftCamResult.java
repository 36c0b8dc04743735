package dev.candela.explain.attribution;

import dev.candela.tensor.Tensor;

/**
 * LIFT-CAM for N items at one layer (lift-cam.md 2.3-2.6).
 *
 * @param layer        the target-layer tensor
 * @param targetWeights the target rows used ([N, outputs])
 * @param phi          [N][K] channel coefficients: per-channel sums of the DeepLIFT contributions at the layer
 * @param score        Y^c = target(F(A)) per item
 * @param zeroScore    F^c(0) = target(F(0)) per item (phi_0)
 * @param residual     completeness residual sum_k phi_k - (Y^c - F^c(0)) per item
 * @param contributions DeepLIFT contributions at the layer [N, K, h, w]
 * @param raw          sum_k phi_k A^k before ReLU [N, h, w]
 * @param map          ReLU, bilinear (half-pixel) to the input size, min-max normalised [N, H, W] (null when not asked for)
 */
public record LiftCamResult(String layer, Tensor targetWeights, double[][] phi, double[] score, double[] zeroScore,
                            double[] residual, Tensor contributions, Tensor raw, Tensor map) {}
