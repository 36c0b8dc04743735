package dev.candela.image;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Colour scales for maps. {@link #rgb(double)} takes t in [0, 1] (values outside are clamped) and
 * returns 0xRRGGBB (red in the high byte, blue in the low byte).
 * <ul>
 *   <li>{@link #JET}: OpenCV's COLORMAP_JET (the look of pytorch-grad-cam figures): dark blue at 0,
 *       cyan, yellow, dark red at 1. Computed from its piecewise-linear definition.</li>
 *   <li>{@link #TURBO}, {@link #VIRIDIS}, {@link #INFERNO}: 256-level tables sampled from matplotlib
 *       ({@code tools/colormaps.py}); viridis and inferno are perceptually uniform and read in grey print.</li>
 *   <li>{@link #DIVERGING}: for signed attributions: blue at 0 (most negative), white at 0.5 (zero),
 *       red at 1 (most positive), linear in between (matplotlib's "bwr").</li>
 * </ul>
 */
public enum Colormap {
    JET, TURBO, VIRIDIS, INFERNO, DIVERGING;

    private static final Map<String, int[]> TABLES = loadTables();

    /** The lower-case name used on the command line. */
    public String cliName() { return name().toLowerCase(Locale.ROOT); }

    public static Colormap parse(String name) {
        for (Colormap c : values()) if (c.cliName().equals(name.toLowerCase(Locale.ROOT))) return c;
        throw dev.candela.graph.Choices.unknown("colormap", name, java.util.Arrays.stream(values()).map(Colormap::cliName).toList());
    }

    /** 0xRRGGBB for t in [0, 1]. NaN maps to 0. */
    public int rgb(double t) {
        if (!(t >= 0)) t = 0;
        if (t > 1) t = 1;
        return switch (this) {
            case JET -> pack(jet(t, 3), jet(t, 2), jet(t, 1));
            case DIVERGING -> t < 0.5
                    ? pack(2 * t, 2 * t, 1)
                    : pack(1, 2 - 2 * t, 2 - 2 * t);
            case TURBO, VIRIDIS, INFERNO -> TABLES.get(cliName())[(int) Math.round(t * 255)];
        };
    }

    /** Jet's channel ramp: rises over [centre-1.5, centre-0.5]/4, flat, falls over [centre+0.5, centre+1.5]/4. */
    private static double jet(double t, int centre) {
        return Math.clamp(1.5 - Math.abs(4 * t - centre), 0, 1);
    }

    private static int pack(double r, double g, double b) {
        return (to8(r) << 16) | (to8(g) << 8) | to8(b);
    }

    private static int to8(double v) {
        return (int) Math.clamp(Math.round(v * 255), 0, 255);
    }

    private static Map<String, int[]> loadTables() {
        Map<String, int[]> out = new HashMap<>();
        try (InputStream in = Colormap.class.getResourceAsStream("colormaps.txt")) {
            if (in == null) throw new IllegalStateException("colormaps.txt is missing from the jar");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.trim().split(" ");
                if (f.length != 257) throw new IllegalStateException("colormaps.txt: " + f[0] + " has " + (f.length - 1) + " entries, expected 256");
                int[] t = new int[256];
                for (int i = 0; i < 256; i++) t[i] = Integer.parseInt(f[i + 1], 16);
                out.put(f[0], t);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
