package dev.candela.metrics;

/**
 * An axis-aligned box in input-pixel coordinates: columns {@code [x0, x1)} and rows {@code [y0, y1)}.
 */
public record Box(int x0, int y0, int x1, int y1) {
    public Box {
        if (x0 < 0 || y0 < 0 || x1 <= x0 || y1 <= y0) {
            throw new IllegalArgumentException("box must satisfy 0 <= x0 < x1 and 0 <= y0 < y1, got " + x0 + "," + y0 + "," + x1 + "," + y1);
        }
    }

    public boolean contains(int x, int y) { return x >= x0 && x < x1 && y >= y0 && y < y1; }
}
