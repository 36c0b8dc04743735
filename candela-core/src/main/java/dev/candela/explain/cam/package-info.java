/**
 * The CAM family on one shared pipeline.
 *
 * <p>A {@link dev.candela.explain.cam.CamMethod} supplies only its {@link dev.candela.explain.cam.Weights}
 * for one layer (per-channel coefficients, element-wise weights, or its own raw map) from a
 * {@link dev.candela.explain.cam.LayerEvidence} (activations, lazily computed gradients, targets, input,
 * the executor for masked forwards, the injected noise). {@link dev.candela.explain.cam.CamPipeline} does
 * the rest exactly as pytorch-grad-cam (base_cam.py, utils/image.py): raw = sum_k w_k A_k, ReLU, per-image
 * min-max with eps 1e-7, bilinear resize to the input (half-pixel centres, cv2.INTER_LINEAR), layers
 * stacked, ReLU, mean, min-max again. {@link dev.candela.explain.cam.CamSession} runs one forward pass per
 * batch and shares it (and the gradients of each layer) between methods.
 *
 * <p>Named deviations and choices ({@link dev.candela.explain.cam.CamOptions}, method records):
 * <ul>
 *   <li>{@code resize = ALIGN_CORNERS} instead of half-pixel; {@code fusion = MAX} (TorchCAM) or
 *       {@code PRODUCT} (RefineCAM) instead of mean.</li>
 *   <li>{@code augSmooth}: PGC's six test-time augmentations (h-flip x intensity factor 0.9/1/1.1);
 *       targets are resolved once on the un-augmented input (PGC re-takes the argmax per augmentation
 *       when no target is given).</li>
 *   <li>Eigen-CAM / EigenGrad-CAM / eigen smoothing: the sign of the principal component is made
 *       deterministic (the larger of |max| and |min| is positive, PGC's SegEigenCAM rule);
 *       {@code EigenSign.AS_SVD} keeps the SVD's own sign as PGC does (arbitrary in both).</li>
 *   <li>Smooth Grad-CAM++ multiplies its weights by the last noisy pass's activations, as TorchCAM does;
 *       {@code mapOnCleanActivations} uses the clean ones.</li>
 *   <li>SS-CAM, IS-CAM and Smooth Grad-CAM++ follow TorchCAM's formulas (the methods PGC lacks); Group-CAM
 *       follows its official code (commit cc85ed28).</li>
 *   <li>Ablation-CAM reproduces PGC's ablation value (0 if the image's activations have minimum 0, else a
 *       running min - 1e7 per batch item) and its {@code ratio_channels_to_ablate} selection, and re-runs only
 *       the part of the network after the layer.</li>
 *   <li>Perturbation methods run their masked forwards in batches of {@code batchSize}, building each mask
 *       when its batch is filled, so memory does not grow with the channel count; constant (dead) channels,
 *       whose mask is zero, are scored once per image.</li>
 * </ul>
 */
package dev.candela.explain.cam;
