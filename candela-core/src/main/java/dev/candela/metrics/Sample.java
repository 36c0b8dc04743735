package dev.candela.metrics;

import dev.candela.tensor.Tensor;
import java.util.List;

/**
 * One image to evaluate: its name (file stem), its preprocessed input (1 x C x H x W), the class to
 * explain and score, and optional ground-truth boxes in input-pixel coordinates (for the pointing
 * game).
 */
public record Sample(String name, Tensor input, int target, List<Box> boxes) {
    public Sample {
        if (input.rank() != 4 || input.dim(0) != 1) throw new IllegalArgumentException("sample '" + name + "' input must be 1xCxHxW, got " + input.shape());
        boxes = List.copyOf(boxes);
    }
}
