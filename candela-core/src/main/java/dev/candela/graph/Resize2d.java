package dev.candela.graph;

import dev.candela.tensor.Shape;
import java.util.List;

/**
 * Spatial resize of an NCHW tensor to outH x outW (ONNX Resize / Upsample on the two last axes), nearest or
 * bilinear, with the ONNX coordinate transformation modes PyTorch emits: half_pixel (F.interpolate bilinear,
 * align_corners=False), pytorch_half_pixel, align_corners, asymmetric (nearest). Linear in its input: the
 * output is sum_k w_k x_k with at most 2 x 2 taps, given by {@link #taps}. {@code scaleH}/{@code scaleW} are
 * the scales the model gave (ONNX maps coordinates with them, and with the unrounded length in * scale,
 * rather than with out / in), or 0 when it gave sizes.
 */
public record Resize2d(int outH, int outW, Mode mode, Coordinates coordinates, Nearest nearest, float scaleH, float scaleW) implements Op {
    public enum Mode { NEAREST, LINEAR }
    public enum Coordinates { HALF_PIXEL, PYTORCH_HALF_PIXEL, ALIGN_CORNERS, ASYMMETRIC }
    public enum Nearest { ROUND_PREFER_FLOOR, ROUND_PREFER_CEIL, FLOOR, CEIL }

    public Resize2d {
        Op.require(outH >= 1 && outW >= 1 && outH <= 1 << 16 && outW <= 1 << 16, "Resize2d output must be 1..65536 per side, got " + outH + "x" + outW);
        Op.require(mode != null && coordinates != null && nearest != null, "Resize2d needs a mode, coordinates and a nearest mode");
        Op.require(Float.isFinite(scaleH) && Float.isFinite(scaleW) && scaleH >= 0 && scaleW >= 0, "Resize2d scales must be finite and >= 0 (0: from the sizes)");
    }

    public Resize2d(int outH, int outW, Mode mode, Coordinates coordinates, Nearest nearest) {
        this(outH, outW, mode, coordinates, nearest, 0f, 0f);
    }

    /** {@link #taps(int, int, int, double)} for the vertical axis. */
    public double[] tapsH(int o, int in) { return taps(o, in, outH, scaleH); }

    /** {@link #taps(int, int, int, double)} for the horizontal axis. */
    public double[] tapsW(int o, int in) { return taps(o, in, outW, scaleW); }

    @Override public Shape outputShape(List<Shape> in) {
        Shape s = Op.only(in, 4, "Resize2d");
        return Shape.of(s.dim(0), s.dim(1), outH, outW);
    }

    /**
     * For output index o of an axis resized from {@code in} to {@code out}: {i0, i1} and their weights
     * {w0, w1} (w1 = 0 for nearest), following the ONNX Resize definition.
     */
    public double[] taps(int o, int in, int out, double givenScale) {
        double scale = givenScale > 0 ? givenScale : (double) out / in, length = givenScale > 0 ? in * givenScale : out;
        double x = switch (coordinates) {
            case HALF_PIXEL -> (o + 0.5) / scale - 0.5;
            case PYTORCH_HALF_PIXEL -> length > 1 ? (o + 0.5) / scale - 0.5 : 0;
            case ALIGN_CORNERS -> length == 1 ? 0 : o * (in - 1.0) / (length - 1.0);
            case ASYMMETRIC -> o / scale;
        };
        if (mode == Mode.NEAREST) {
            double i = switch (nearest) {
                case ROUND_PREFER_FLOOR -> Math.ceil(x - 0.5);
                case ROUND_PREFER_CEIL -> Math.floor(x + 0.5);
                case FLOOR -> Math.floor(x);
                case CEIL -> Math.ceil(x);
            };
            int k = (int) Math.max(0, Math.min(in - 1, i));
            return new double[]{k, k, 1, 0};
        }
        x = Math.max(0, Math.min(in - 1, x));
        int i0 = (int) Math.floor(x), i1 = Math.min(i0 + 1, in - 1);
        double w1 = x - i0;
        return new double[]{i0, i1, 1 - w1, w1};
    }
}
