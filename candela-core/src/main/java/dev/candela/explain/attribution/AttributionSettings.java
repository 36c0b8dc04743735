package dev.candela.explain.attribution;

import dev.candela.image.Npy;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Settings of the pixel attribution methods (what the CLI options set). Defaults follow Captum
 * (zero reference, eps 1e-10 DeepLIFT, 50-step Gauss-Legendre IG) and zennit's SmoothGrad (20 samples,
 * sigma 0.1 of the input range).
 */
public record AttributionSettings(Reference reference, DeepLiftOptions deepLift, int steps, Quadrature quadrature,
                                  int samples, double noiseLevel, long seed) {

    public static AttributionSettings defaults() {
        return new AttributionSettings(new Reference.Zeros(), DeepLiftOptions.captum(), 50, Quadrature.GAUSS_LEGENDRE, 20, 0.1, 0);
    }

    public AttributionSettings withReference(Reference r) { return new AttributionSettings(r, deepLift, steps, quadrature, samples, noiseLevel, seed); }
    public AttributionSettings withDeepLift(DeepLiftOptions o) { return new AttributionSettings(reference, o, steps, quadrature, samples, noiseLevel, seed); }
    public AttributionSettings withIntegration(int n, Quadrature q) { return new AttributionSettings(reference, deepLift, n, q, samples, noiseLevel, seed); }
    public AttributionSettings withNoise(int n, double level, long s) { return new AttributionSettings(reference, deepLift, steps, quadrature, n, level, s); }

    /**
     * A reference by CLI spelling: {@code zeros}, {@code blur} (11 taps, sigma 5), {@code blur:SIZE:SIGMA},
     * {@code constant:VALUE}, or the path of a .npy tensor (batch 1 or N, the input's item shape).
     */
    public static Reference parseReference(String s) {
        String t = s.trim();
        String lower = t.toLowerCase(Locale.ROOT);
        try {
            if (lower.equals("zeros") || lower.equals("zero")) return new Reference.Zeros();
            if (lower.equals("blur")) return Reference.Blurred.rise();
            if (lower.startsWith("blur:")) {
                String[] p = t.split(":");
                if (p.length != 3) throw new IllegalArgumentException("--reference blur:SIZE:SIGMA, got '" + s + "'");
                return new Reference.Blurred(Integer.parseInt(p[1]), Double.parseDouble(p[2]));
            }
            if (lower.startsWith("constant:")) return new Reference.Constant(Float.parseFloat(t.substring("constant:".length())));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--reference '" + s + "': " + e.getMessage());
        }
        Path p = Path.of(t);
        if (!Files.exists(p)) throw new IllegalArgumentException("--reference must be zeros, blur, blur:SIZE:SIGMA, constant:V or an existing .npy file; got '" + s + "'");
        try {
            Tensor v = Npy.read(p);
            return new Reference.Given(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** DeepLIFT conventions by CLI name: captum (default), captum-exact (Captum's rules only where it has them) or deeplift (the reference code's). */
    public static DeepLiftOptions parseDeepLiftRules(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "captum" -> DeepLiftOptions.captum();
            case "captum-exact" -> DeepLiftOptions.captumExact();
            case "deeplift", "reference-code" -> DeepLiftOptions.deepliftReferenceCode();
            default -> throw new IllegalArgumentException("--deeplift-rules must be captum, captum-exact or deeplift, got '" + s + "'");
        };
    }
}
