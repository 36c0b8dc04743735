package dev.candela.image;

import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** NumPy .npy files (format 1.0-3.0): float32, float64 and int64/int32 arrays in C order, little-endian. */
public final class Npy {
    private Npy() {}

    /** Thrown for a file that is not a readable .npy array; the message names the file and field. */
    public static final class NpyFormatException extends IOException {
        public NpyFormatException(String message) { super(message); }
    }

    public static Tensor read(Path file) throws IOException {
        long fileSize = dev.candela.io.SafeFiles.requireRegular(file, "").size();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(8);
            if (magic.length < 8 || (magic[0] & 0xff) != 0x93 || !new String(magic, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
                throw new NpyFormatException(file + ": not a .npy file (magic \\x93NUMPY missing)");
            }
            int major = magic[6];
            int headerLen;
            if (major == 1) {
                byte[] b = in.readNBytes(2);
                if (b.length < 2) throw new NpyFormatException(file + ": field header_len is cut off (file of " + fileSize + " bytes)");
                headerLen = (b[0] & 0xff) | (b[1] & 0xff) << 8;
            } else if (major == 2 || major == 3) {
                byte[] b = in.readNBytes(4);
                if (b.length < 4) throw new NpyFormatException(file + ": field header_len is cut off (file of " + fileSize + " bytes)");
                headerLen = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
            } else {
                throw new NpyFormatException(file + ": unsupported .npy version " + major);
            }
            long headerStart = 8 + (major == 1 ? 2 : 4);
            long maxHeader = Math.min(1 << 20, dev.candela.io.Limits.maxHeaderBytes());
            if (headerLen < 0 || headerLen > maxHeader) throw new NpyFormatException(file + ": field header_len " + Integer.toUnsignedLong(headerLen) + " is out of range (limit " + maxHeader + ")");
            if (headerLen > fileSize - headerStart) throw new NpyFormatException(file + ": field header_len " + headerLen + " runs past the end of the file (" + fileSize + " bytes)");
            byte[] hb = in.readNBytes(headerLen);
            if (hb.length < headerLen) throw new NpyFormatException(file + ": header is cut off");
            String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            String descr = field(file, header, "descr", "'([^']*)'");
            String fortran = field(file, header, "fortran_order", "(True|False)");
            String shapeText = field(file, header, "shape", "\\(([^)]*)\\)");
            if (fortran.equals("True")) throw new NpyFormatException(file + ": field fortran_order is True; only C order is supported");
            String[] parts = shapeText.trim().isEmpty() ? new String[0] : shapeText.split(",", -1);
            if (parts.length > 8) throw new NpyFormatException(file + ": field shape has " + parts.length + " dimensions; at most 8 are supported");
            int rank = 0;
            long[] dims = new long[parts.length];
            for (String p : parts) {
                if (p.isBlank()) continue;
                try {
                    dims[rank++] = Long.parseLong(p.trim().endsWith("L") ? p.trim().substring(0, p.trim().length() - 1) : p.trim());
                } catch (NumberFormatException e) {
                    throw new NpyFormatException(file + ": field shape has an invalid dimension '" + abbreviate(p.trim()) + "'");
                }
            }
            long[] d = java.util.Arrays.copyOf(dims, rank);
            int[] id = new int[rank];
            long count = 1;
            for (int i = 0; i < rank; i++) {
                if (d[i] < 0 || d[i] > Integer.MAX_VALUE) throw new NpyFormatException(file + ": field shape has an invalid dimension " + d[i]);
                id[i] = (int) d[i];
                count = d[i] == 0 || count == 0 ? 0 : count > Shape.MAX_ELEMENTS / d[i] ? Long.MAX_VALUE : count * d[i];
            }
            int width = switch (descr) {
                case "<f4", "<i4" -> 4;
                case "<f8", "<i8" -> 8;
                default -> throw new NpyFormatException(file + ": field descr is '" + abbreviate(descr) + "'; expected <f4, <f8, <i4 or <i8 (little-endian)");
            };
            long remaining = fileSize - headerStart - headerLen;
            if (count > Shape.MAX_ELEMENTS) throw new NpyFormatException(file + ": field shape (" + abbreviate(shapeText.trim()) + ") has more than " + Shape.MAX_ELEMENTS + " elements");
            long bytes = count * width;
            if (bytes > Integer.MAX_VALUE - 8) throw new NpyFormatException(file + ": field shape (" + abbreviate(shapeText.trim()) + ") needs " + bytes + " bytes, more than one array holds");
            if (bytes != remaining) throw new NpyFormatException(file + ": field shape (" + abbreviate(shapeText.trim()) + ") needs " + bytes + " bytes of data but the file holds " + remaining);
            ByteBuffer buf = ByteBuffer.wrap(in.readNBytes((int) bytes)).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[(int) count];
            for (int i = 0; i < out.length; i++) {
                out[i] = switch (descr) {
                    case "<f4" -> buf.getFloat();
                    case "<f8" -> (float) buf.getDouble();
                    case "<i4" -> buf.getInt();
                    default -> buf.getLong();
                };
            }
            return new Tensor(Shape.of(id), out);
        }
    }

    /** Reads a float64 array at full precision (for goldens that need it). */
    public static double[] readDoubles(Path file) throws IOException {
        Tensor t = read(file);
        byte[] all = Files.readAllBytes(file);
        int major = all[6];
        int headerLen = major == 1 ? ((all[8] & 0xff) | (all[9] & 0xff) << 8) : ByteBuffer.wrap(all, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int start = 8 + (major == 1 ? 2 : 4) + headerLen;
        String header = new String(all, 8, start - 8, StandardCharsets.ISO_8859_1);
        double[] out = new double[t.size()];
        ByteBuffer buf = ByteBuffer.wrap(all, start, all.length - start).order(ByteOrder.LITTLE_ENDIAN);
        boolean f8 = header.contains("<f8");
        for (int i = 0; i < out.length; i++) out[i] = f8 ? buf.getDouble() : t.data()[i];
        return out;
    }

    private static String abbreviate(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return s.length() > 40 ? b + "..." : b.toString();
    }

    private static String field(Path file, String header, String name, String valueRegex) throws NpyFormatException {
        Matcher m = Pattern.compile("'" + name + "'\\s*:\\s*" + valueRegex).matcher(header);
        if (!m.find()) throw new NpyFormatException(file + ": header field '" + name + "' missing or malformed");
        return m.group(1);
    }

    /** Writes a float32 array; atomically (temporary file, then rename). */
    public static void write(Path file, Tensor t) throws IOException {
        StringBuilder shape = new StringBuilder("(");
        for (int i = 0; i < t.rank(); i++) shape.append(t.dim(i)).append(t.rank() == 1 ? "," : (i + 1 < t.rank() ? ", " : ""));
        shape.append(")");
        String h = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = 10 + h.length() + 1;
        int pad = (64 - total % 64) % 64;
        h = h + " ".repeat(pad) + "\n";
        ByteBuffer buf = ByteBuffer.allocate(10 + h.length() + 4 * t.size()).order(ByteOrder.LITTLE_ENDIAN);
        buf.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        buf.putShort((short) h.length());
        buf.put(h.getBytes(StandardCharsets.ISO_8859_1));
        for (float v : t.data()) buf.putFloat(v);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Path tmp = dev.candela.io.AtomicFile.createTemp(parent, "." + file.getFileName() + ".");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(buf.array());
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
