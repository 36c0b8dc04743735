package dev.candela.metrics;

import java.util.List;

/**
 * Energy-based pointing game (Wang et al. 2020, Score-CAM): the share of a map's energy that falls
 * inside the ground-truth boxes, {@code sum_{p in boxes} L_p / sum_p L_p} (the union of the boxes,
 * each pixel counted once). A map with no energy scores 0. Boxes are clipped to the map. Higher is
 * better.
 */
public final class PointingGame {
    private PointingGame() {}

    /** @param map H*W values in [0, 1] */
    public static double energy(float[] map, int h, int w, List<Box> boxes) {
        if (boxes.isEmpty()) throw new IllegalArgumentException("the energy pointing game needs at least one box");
        double inside = 0, total = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double v = map[y * w + x];
                total += v;
                for (Box b : boxes) {
                    if (b.contains(x, y)) { inside += v; break; }
                }
            }
        }
        return total > 0 ? inside / total : 0;
    }
}
