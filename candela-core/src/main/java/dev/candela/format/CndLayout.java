package dev.candela.format;

/** The fixed numbers of the .cnd container (see docs/cnd-format.md). */
final class CndLayout {
    private CndLayout() {}

    static final byte[] MAGIC = {'C', 'N', 'D', 'L'};
    static final int VERSION = 1;
    /** magic + version + header length. */
    static final int PREAMBLE = 12;
    static final int ALIGN = 64;
    /** Largest header we agree to read; real headers are a few hundred KiB at most. */
    static final long MAX_HEADER_BYTES = 64L << 20; // hard ceiling; the working limit is Limits.maxHeaderBytes()

    /** Start of the data section: after preamble, header and the header's CRC32, rounded up to {@link #ALIGN}. */
    static long dataStart(long headerLength) {
        return align(PREAMBLE + headerLength + 4);
    }

    static long align(long n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }
}
