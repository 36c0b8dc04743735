package dev.candela.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads PNG and JPEG files with {@code javax.imageio} into a {@link Picture}.
 * <ul>
 *   <li>Grey images (8 or 16 bit, with or without alpha) keep their stored grey values (16-bit is
 *       scaled to 0..255); they are not passed through a colour-space conversion.</li>
 *   <li>Colour and palette images become sRGB 0..255. An embedded ICC profile is ignored by default (the
 *       stored values are taken as sRGB, as PIL, torchvision and ImageNet training pipelines do); on request
 *       a JPEG's profile converts the pixels to sRGB (the JDK never applies a PNG's iCCP profile).</li>
 *   <li>Alpha is dropped without compositing, as PIL's {@code convert("RGB")} does, so a model sees
 *       the same values a PyTorch pipeline would.</li>
 * </ul>
 * Every failure is an {@link ImageFormatException} that names the file and says why.
 */
public final class ImageLoader {
    private ImageLoader() {}

    /** File name endings treated as images when a directory is given. */
    public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg");

    public static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1));
    }

    /** Loads an image with embedded ICC profiles ignored (as PIL does). */
    public static Picture load(Path file) {
        return load(file, false);
    }

    /** Loads an image; {@code applyIcc} converts pixels by their embedded ICC profile, otherwise it is ignored. */
    public static Picture load(Path file, boolean applyIcc) {
        if (!Files.exists(file)) throw new ImageFormatException("cannot read image " + file + ": no such file");
        if (Files.isDirectory(file)) throw new ImageFormatException("cannot read image " + file + ": it is a directory");
        try {
            dev.candela.io.SafeFiles.requireRegular(file, "");
        } catch (dev.candela.io.SafeFiles.RefusedFileException e) {
            throw new ImageFormatException("cannot read image " + e.getMessage(), e);
        }
        BufferedImage img;
        try (InputStream in = Files.newInputStream(file); ImageInputStream iis = ImageIO.createImageInputStream(in)) {
            if (iis == null) throw new ImageFormatException("cannot read image " + file + ": no image input stream");
            Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) {
                throw new ImageFormatException("cannot read image " + file + ": not a PNG or JPEG file (" + describe(file) + ")");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                // JPEG decoders report a cut-off file only as a warning and fill the rest with grey.
                java.util.List<String> warnings = new java.util.ArrayList<>();
                reader.addIIOReadWarningListener((src, warning) -> warnings.add(warning));
                // The size comes from the header (PNG IHDR, JPEG SOF): a decompression bomb is refused unread.
                long w = reader.getWidth(0), h = reader.getHeight(0), limit = dev.candela.io.Limits.maxImagePixels();
                if (w < 1 || h < 1) throw new ImageFormatException("cannot read image " + file + ": header claims " + w + " x " + h + " pixels");
                if (w * h > limit) {
                    throw new ImageFormatException("cannot read image " + file + ": header claims " + w + " x " + h + " = " + w * h
                            + " pixels, more than the limit of " + limit + " (decompression bomb?; raise it with -Dcandela.maxImagePixels=N)");
                }
                // decoded ARGB (4 bytes a pixel), its copy and three float planes (12): refuse what this heap cannot hold
                Runtime rt = Runtime.getRuntime();
                long need = 20 * w * h, free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
                if (need > free) {
                    throw new ImageFormatException("cannot read image " + file + ": " + w + " x " + h + " pixels need about " + (need >> 20)
                            + " MiB to decode, more than the " + (free >> 20) + " MiB this JVM has free (raise -Xmx)");
                }
                javax.imageio.ImageTypeSpecifier raw = applyIcc ? null : embeddedProfileType(reader);
                img = raw == null ? reader.read(0) : readKeepingProfileSpace(reader, raw);
                if (!warnings.isEmpty()) {
                    throw new ImageFormatException("cannot read image " + file + ": broken or truncated image data (" + warnings.get(0) + ")");
                }
            } finally {
                reader.dispose();
            }
        } catch (ImageFormatException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new ImageFormatException("cannot read image " + file + ": no such file", e);
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (why.contains("Unsupported Image Type")) why = "unsupported colour type (CMYK or YCCK JPEG?); save it as RGB";
            throw new ImageFormatException("cannot read image " + file + ": broken or truncated image data (" + why + ")", e);
        }
        if (img == null) throw new ImageFormatException("cannot read image " + file + ": the decoder returned no image");
        return fromBufferedImage(img, applyIcc);
    }

    /** Converts a decoded image with its ICC profile ignored (see the class comment). */
    public static Picture fromBufferedImage(BufferedImage img) {
        return fromBufferedImage(img, false);
    }

    /** Converts a decoded image (see the class comment for grey, colour, alpha and ICC handling). */
    public static Picture fromBufferedImage(BufferedImage img, boolean applyIcc) {
        int w = img.getWidth(), h = img.getHeight(), n = w * h;
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        boolean grey = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && raster.getNumBands() <= 2;
        if (grey) {
            int bits = cm.getComponentSize(0);
            float scale = bits == 8 ? 1f : 255f / ((1 << bits) - 1);
            int[] s = raster.getSamples(0, 0, w, h, 0, (int[]) null);
            float[] plane = new float[n];
            for (int i = 0; i < n; i++) plane[i] = s[i] * scale;
            return Picture.gray(w, h, plane);
        }
        if (!applyIcc && !cm.getColorSpace().isCS_sRGB() && cm.getColorSpace().getType() == ColorSpace.TYPE_RGB
                && raster.getNumBands() >= 3 && cm.getComponentSize(0) <= 16) {
            // an embedded profile (JPEG APP2, PNG iCCP): take the stored values as sRGB, as PIL does
            float[] rgb = new float[3 * n];
            for (int c = 0; c < 3; c++) {
                int bits = cm.getComponentSize(c);
                float scale = bits == 8 ? 1f : 255f / ((1 << bits) - 1);
                int[] s = raster.getSamples(0, 0, w, h, c, (int[]) null);
                for (int i = 0; i < n; i++) rgb[c * n + i] = bits == 8 ? s[i] : Math.round(s[i] * scale);
            }
            return new Picture(w, h, rgb, false);
        }
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        float[] rgb = new float[3 * n];
        for (int i = 0; i < n; i++) {
            int p = argb[i];
            rgb[i] = (p >> 16) & 0xff;
            rgb[n + i] = (p >> 8) & 0xff;
            rgb[2 * n + i] = p & 0xff;
        }
        return new Picture(w, h, rgb, false);
    }

    /**
     * The JPEG reader offers sRGB first and converts an image with an embedded profile to it; the type in
     * the profile's own colour space (offered after it) keeps the decoded values as stored.
     */
    private static javax.imageio.ImageTypeSpecifier embeddedProfileType(ImageReader reader) throws IOException {
        Iterator<javax.imageio.ImageTypeSpecifier> types = reader.getImageTypes(0);
        while (types.hasNext()) {
            javax.imageio.ImageTypeSpecifier t = types.next();
            ColorSpace cs = t.getColorModel().getColorSpace();
            if (cs instanceof java.awt.color.ICC_ColorSpace && !cs.isCS_sRGB() && cs.getType() == ColorSpace.TYPE_RGB) return t;
        }
        return null;
    }

    /**
     * Decodes into the embedded profile's own colour space, so the values stay as stored. The reader checks
     * a requested type by identity of its colour space, and for some profiles it builds a new one each time
     * it reads the header; then the decode goes into an image of the type asked for, and the reader's
     * conversion between the two copies of the same profile is an identity up to rounding.
     */
    private static BufferedImage readKeepingProfileSpace(ImageReader reader, javax.imageio.ImageTypeSpecifier raw) throws IOException {
        javax.imageio.ImageReadParam param = reader.getDefaultReadParam();
        param.setDestinationType(raw);
        try {
            return reader.read(0, param);
        } catch (javax.imageio.IIOException e) {
            if (e.getMessage() == null || !e.getMessage().contains("does not match")) throw e;
        }
        param = reader.getDefaultReadParam();
        param.setDestination(raw.createBufferedImage(reader.getWidth(0), reader.getHeight(0)));
        return reader.read(0, param);
    }

    private static String describe(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(8);
            if (head.length == 0) return "the file is empty";
            StringBuilder sb = new StringBuilder("starts with bytes");
            for (byte b : head) sb.append(String.format(" %02x", b & 0xff));
            return sb.toString();
        } catch (IOException e) {
            return e.getMessage();
        }
    }
}
