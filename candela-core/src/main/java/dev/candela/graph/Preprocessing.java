package dev.candela.graph;

/**
 * How an image becomes the model's input tensor. A channel value is
 * {@code (pixel/255 - mean[c]) / std[c]} when mean/std are set (torchvision convention), otherwise
 * {@code pixel * scale + offset} with pixel in 0..255.
 * <p>Geometry (named by {@link #geometry()}):
 * <ul>
 *   <li>{@code squash} ({@code resize = 0}, no centre crop): resize straight to the input H x W;</li>
 *   <li>{@code center-square} ({@code centerCrop}): cut the largest centred square (offsets rounded down),
 *       resize it to N x N ({@code resize = N}, or straight to H x W when N = 0), then cut the centred H x W;</li>
 *   <li>{@code shorter-side} ({@code resize = N > 0}, no centre crop): torchvision's
 *       {@code Resize(N) + CenterCrop(H)}: the shorter side becomes N, the longer {@code floor(N * long / short)},
 *       then the centred H x W is cut with offsets {@code round((size - crop) / 2)} (half to even, as Python).</li>
 * </ul>
 *
 * @param resize        side length after resizing (0 = resize straight to the input size)
 * @param centerCrop    centre-crop the largest square before resizing
 * @param mean          per-channel mean (null when scale/offset is used)
 * @param std           per-channel std (null when scale/offset is used)
 * @param scale         multiplier on 0..255 pixels (used when mean is null)
 * @param offset        added after scale
 * @param channelOrder  "RGB" or "BGR" for colour models; "GRAY" for one-channel models (the image's
 *                      luma, ITU-R BT.601). A mean/std (or scale/offset) of one value applies to every channel.
 * @param interpolation {@value #BILINEAR}: bilinear with half-pixel centres and no antialiasing (PyTorch
 *                      {@code interpolate(antialias=False)}, OpenCV INTER_LINEAR); {@value #BILINEAR_ANTIALIAS}:
 *                      PIL's {@code Image.resize(BILINEAR)}, whose triangle filter widens with the reduction, on
 *                      8-bit pixels (what torchvision's {@code Resize} does to a PIL image). Null = bilinear.
 * @param iccProfile    {@value #ICC_IGNORE}: embedded ICC colour profiles are ignored, the stored values are
 *                      taken as sRGB (PIL, torchvision and ImageNet training pipelines); {@value #ICC_APPLY}:
 *                      the profile converts the pixels to sRGB. Null = ignore.
 */
public record Preprocessing(int resize, boolean centerCrop, float[] mean, float[] std, float scale, float offset, String channelOrder,
                            String interpolation, String iccProfile) {
    public static final String BILINEAR = "bilinear";
    public static final String BILINEAR_ANTIALIAS = "bilinear-antialias";
    public static final String ICC_IGNORE = "ignore";
    public static final String ICC_APPLY = "apply";

    public Preprocessing {
        if (channelOrder == null) channelOrder = "RGB";
        if (interpolation == null) interpolation = BILINEAR;
        if (iccProfile == null) iccProfile = ICC_IGNORE;
        if (!channelOrder.equals("RGB") && !channelOrder.equals("BGR") && !channelOrder.equals("GRAY")) throw new IllegalArgumentException("channelOrder must be RGB, BGR or GRAY, got " + channelOrder);
        if (!interpolation.equals(BILINEAR) && !interpolation.equals(BILINEAR_ANTIALIAS)) throw new IllegalArgumentException("interpolation must be " + BILINEAR + " or " + BILINEAR_ANTIALIAS + ", got " + interpolation);
        if (!iccProfile.equals(ICC_IGNORE) && !iccProfile.equals(ICC_APPLY)) throw new IllegalArgumentException("iccProfile must be " + ICC_IGNORE + " or " + ICC_APPLY + ", got " + iccProfile);
        if ((mean == null) != (std == null)) throw new IllegalArgumentException("mean and std must be given together");
        if (std != null) for (float s : std) if (!(s > 0)) throw new IllegalArgumentException("std values must be > 0");
    }

    /** Bilinear without antialiasing, embedded ICC profiles ignored. */
    public Preprocessing(int resize, boolean centerCrop, float[] mean, float[] std, float scale, float offset, String channelOrder) {
        this(resize, centerCrop, mean, std, scale, offset, channelOrder, BILINEAR, ICC_IGNORE);
    }

    /** ImageNet torchvision normalisation, squash-resize to the input size. */
    public static Preprocessing imagenet() {
        return new Preprocessing(0, false, new float[]{0.485f, 0.456f, 0.406f}, new float[]{0.229f, 0.224f, 0.225f}, 1, 0, "RGB");
    }

    /** pixel/255, no centring. */
    public static Preprocessing unit() {
        return new Preprocessing(0, false, null, null, 1f / 255f, 0, "RGB");
    }

    /** The geometry's name: {@code squash}, {@code center-square} or {@code shorter-side} (see the class comment). */
    public String geometry() {
        return centerCrop ? "center-square" : resize > 0 ? "shorter-side" : "squash";
    }

    public boolean antialias() { return interpolation.equals(BILINEAR_ANTIALIAS); }

    public boolean applyIcc() { return iccProfile.equals(ICC_APPLY); }

    /** The same preprocessing with another interpolation and ICC handling. */
    public Preprocessing with(String interpolation, String iccProfile) {
        return new Preprocessing(resize, centerCrop, mean, std, scale, offset, channelOrder, interpolation, iccProfile);
    }

    /** The named choices, for manifests: geometry, resize, interpolation, ICC handling, value mapping, channel order. */
    public java.util.Map<String, Object> describe() {
        java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("geometry", geometry());
        d.put("resize", resize);
        d.put("interpolation", interpolation);
        d.put("icc_profile", iccProfile);
        if (mean != null) {
            d.put("mean", mean);
            d.put("std", std);
        } else {
            d.put("scale", scale);
            d.put("offset", offset);
        }
        d.put("channel_order", channelOrder);
        return d;
    }

    public float value(int channel, float pixel255) {
        if (mean != null) {
            int c = Math.min(channel, mean.length - 1);
            return (pixel255 / 255f - mean[c]) / std[Math.min(channel, std.length - 1)];
        }
        return pixel255 * scale + offset;
    }
}
