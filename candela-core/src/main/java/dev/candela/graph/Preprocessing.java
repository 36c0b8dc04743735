package dev.candela.graph;

/**
 * How an image becomes the model's input tensor. A channel value is
 * {@code (pixel/255 - mean[c]) / std[c]} when mean/std are set (torchvision convention), otherwise
 * {@code pixel * scale + offset} with pixel in 0..255.
 *
 * @param resize       side length after resizing (0 = resize straight to the input size)
 * @param centerCrop   centre-crop the largest square before resizing
 * @param mean         per-channel mean (null when scale/offset is used)
 * @param std          per-channel std (null when scale/offset is used)
 * @param scale        multiplier on 0..255 pixels (used when mean is null)
 * @param offset       added after scale
 * @param channelOrder "RGB" or "BGR" for colour models; "GRAY" for one-channel models (the image's
 *                     luma, ITU-R BT.601). A mean/std (or scale/offset) of one value applies to every channel.
 */
public record Preprocessing(int resize, boolean centerCrop, float[] mean, float[] std, float scale, float offset, String channelOrder) {
    public Preprocessing {
        if (channelOrder == null) channelOrder = "RGB";
        if (!channelOrder.equals("RGB") && !channelOrder.equals("BGR") && !channelOrder.equals("GRAY")) throw new IllegalArgumentException("channelOrder must be RGB, BGR or GRAY, got " + channelOrder);
        if ((mean == null) != (std == null)) throw new IllegalArgumentException("mean and std must be given together");
        if (std != null) for (float s : std) if (!(s > 0)) throw new IllegalArgumentException("std values must be > 0");
    }

    /** ImageNet torchvision normalisation, squash-resize to the input size. */
    public static Preprocessing imagenet() {
        return new Preprocessing(0, false, new float[]{0.485f, 0.456f, 0.406f}, new float[]{0.229f, 0.224f, 0.225f}, 1, 0, "RGB");
    }

    /** pixel/255, no centring. */
    public static Preprocessing unit() {
        return new Preprocessing(0, false, null, null, 1f / 255f, 0, "RGB");
    }

    public float value(int channel, float pixel255) {
        if (mean != null) {
            int c = Math.min(channel, mean.length - 1);
            return (pixel255 / 255f - mean[c]) / std[Math.min(channel, std.length - 1)];
        }
        return pixel255 * scale + offset;
    }
}
