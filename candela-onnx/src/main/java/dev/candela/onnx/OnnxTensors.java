package dev.candela.onnx;

import dev.candela.format.ImportOptions;
import dev.candela.format.ModelFormatException;
import com.google.protobuf.ByteString;
import dev.candela.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.candela.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Decodes ONNX TensorProtos (raw_data or the typed repeated fields, or external data files) into
 * {@link OnnxConst}. Sizes are checked against the declared dims before anything is allocated.
 */
final class OnnxTensors {
    // TensorProto.DataType values (ONNX IR).
    static final int FLOAT = 1, UINT8 = 2, INT8 = 3, UINT16 = 4, INT16 = 5, INT32 = 6, INT64 = 7, BOOL = 9, FLOAT16 = 10, DOUBLE = 11, UINT32 = 12, UINT64 = 13;

    private OnnxTensors() {}

    /**
     * @param baseDir directory of the .onnx file, for tensors stored in external files (null: not allowed)
     * @param where   field name for errors (e.g. "initializer 'conv1.weight'")
     */
    static OnnxConst decode(TensorProto t, Path file, Path baseDir, String where) throws ModelFormatException {
        int[] dims = new int[t.getDimsCount()];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            long d = t.getDims(i);
            if (d < 0 || d > Integer.MAX_VALUE) throw new ModelFormatException(file, where + ".dims[" + i + "]", "expected a dimension in [0, 2^31), got " + d);
            dims[i] = (int) d;
            count = d == 0 ? 0 : (count > OnnxConst.MAX_ELEMENTS ? count : count * d);
            if (count > OnnxConst.MAX_ELEMENTS) throw new ModelFormatException(file, where + ".dims", "tensor of " + java.util.Arrays.toString(dims) + "... exceeds the limit of " + OnnxConst.MAX_ELEMENTS + " elements");
        }
        int n = (int) count;
        int type = t.getDataType();
        int elemSize = switch (type) {
            case FLOAT, INT32, UINT32 -> 4;
            case DOUBLE, INT64, UINT64 -> 8;
            case UINT8, INT8, BOOL -> 1;
            case UINT16, INT16, FLOAT16 -> 2;
            default -> throw new ModelFormatException(file, where + ".data_type", "unsupported data type " + type + " (expected float, double, float16 or an integer type)");
        };
        ByteString raw = null;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            raw = external(t, file, baseDir, where, (long) n * elemSize);
        } else if (!t.getRawData().isEmpty() || n == 0) {
            raw = t.getRawData();
        }
        if (raw != null) {
            if (raw.size() != (long) n * elemSize) throw new ModelFormatException(file, where + ".raw_data", "expected " + (long) n * elemSize + " bytes for " + n + " elements, got " + raw.size());
            ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            return switch (type) {
                case FLOAT -> { float[] f = new float[n]; b.asFloatBuffer().get(f); yield OnnxConst.ofFloats(dims, f); }
                case DOUBLE -> { float[] f = new float[n]; for (int i = 0; i < n; i++) f[i] = (float) b.getDouble(); yield OnnxConst.ofFloats(dims, f); }
                case FLOAT16 -> { float[] f = new float[n]; for (int i = 0; i < n; i++) f[i] = Float.float16ToFloat(b.getShort()); yield OnnxConst.ofFloats(dims, f); }
                default -> {
                    long[] l = new long[n];
                    for (int i = 0; i < n; i++) {
                        l[i] = switch (type) {
                            case INT64, UINT64 -> b.getLong();
                            case INT32 -> b.getInt();
                            case UINT32 -> Integer.toUnsignedLong(b.getInt());
                            case INT16 -> b.getShort();
                            case UINT16 -> Short.toUnsignedInt(b.getShort());
                            case INT8 -> b.get();
                            default -> Byte.toUnsignedInt(b.get());
                        };
                    }
                    yield OnnxConst.ofLongs(dims, l);
                }
            };
        }
        int have = switch (type) {
            case FLOAT -> t.getFloatDataCount();
            case DOUBLE -> t.getDoubleDataCount();
            case INT64 -> t.getInt64DataCount();
            case UINT32, UINT64 -> t.getUint64DataCount();
            default -> t.getInt32DataCount();
        };
        if (have != n) throw new ModelFormatException(file, where, "expected " + n + " values for dims " + java.util.Arrays.toString(dims) + ", the tensor holds " + have);
        return switch (type) {
            case FLOAT -> { float[] f = new float[n]; for (int i = 0; i < n; i++) f[i] = t.getFloatData(i); yield OnnxConst.ofFloats(dims, f); }
            case DOUBLE -> { float[] f = new float[n]; for (int i = 0; i < n; i++) f[i] = (float) t.getDoubleData(i); yield OnnxConst.ofFloats(dims, f); }
            case FLOAT16 -> { float[] f = new float[n]; for (int i = 0; i < n; i++) f[i] = Float.float16ToFloat((short) t.getInt32Data(i)); yield OnnxConst.ofFloats(dims, f); }
            case INT64 -> { long[] l = new long[n]; for (int i = 0; i < n; i++) l[i] = t.getInt64Data(i); yield OnnxConst.ofLongs(dims, l); }
            case UINT32, UINT64 -> { long[] l = new long[n]; for (int i = 0; i < n; i++) l[i] = t.getUint64Data(i); yield OnnxConst.ofLongs(dims, l); }
            default -> { long[] l = new long[n]; for (int i = 0; i < n; i++) l[i] = t.getInt32Data(i); yield OnnxConst.ofLongs(dims, l); }
        };
    }

    /** Reads external data: keys location, offset, length; the file must lie inside the model's directory. */
    private static ByteString external(TensorProto t, Path file, Path baseDir, String where, long expected) throws ModelFormatException {
        String location = null;
        long offset = 0, length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            try {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue());
                    case "length" -> length = Long.parseLong(e.getValue());
                    default -> { }
                }
            } catch (NumberFormatException x) {
                throw new ModelFormatException(file, where + ".external_data." + e.getKey(), "expected an integer, got '" + e.getValue() + "'");
            }
        }
        if (location == null || baseDir == null) throw new ModelFormatException(file, where + ".external_data.location", "expected the name of a file beside the model");
        Path p;
        try {
            p = dev.candela.io.SafeFiles.resolveInside(baseDir, location);
        } catch (dev.candela.io.SafeFiles.RefusedFileException e) {
            throw new ModelFormatException(file, where + ".external_data.location", e.getMessage());
        }
        if (length < 0) length = expected;
        if (expected > Integer.MAX_VALUE - 8) throw new ModelFormatException(file, where + ".external_data.length", expected + " bytes do not fit one array (limit 2^31 - 9)");
        if (length != expected) throw new ModelFormatException(file, where + ".external_data.length", "expected " + expected + " bytes, got " + length);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            if (offset < 0 || offset > ch.size() || length > ch.size() - offset) throw new ModelFormatException(file, where + ".external_data.offset", "bytes [" + offset + ", " + (offset + length) + ") lie outside " + p.getFileName() + " (" + ch.size() + " bytes)");
            ByteBuffer b = ByteBuffer.allocate((int) length);
            while (b.hasRemaining()) if (ch.read(b, offset + b.position()) < 0) break;
            b.flip();
            return ByteString.copyFrom(b);
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelFormatException(file, where + ".external_data.location", "cannot read '" + location + "': " + e.getMessage());
        }
    }
}
