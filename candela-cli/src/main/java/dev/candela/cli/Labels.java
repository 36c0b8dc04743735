package dev.candela.cli;

import dev.candela.io.Limits;
import dev.candela.io.SafeFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A labels file: UTF-8 text, one class name a line (blank lines skipped). */
final class Labels {
    private Labels() {}

    static List<String> read(Path f, String option) throws IOException {
        String text = readText(f, option);
        List<String> out = new ArrayList<>();
        for (String line : text.split("\r?\n|\r")) if (!line.isBlank()) out.add(line.strip());
        return out;
    }

    /** A small UTF-8 text file (regular file, at most the header limit, BOM dropped); a clear line otherwise. */
    static String readText(Path f, String option) throws IOException {
        long size;
        try {
            size = SafeFiles.requireRegular(f, option).size();
        } catch (SafeFiles.RefusedFileException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (size > Limits.maxHeaderBytes()) throw new IllegalArgumentException(option + " " + f + ": " + size + " bytes, more than the limit of " + Limits.maxHeaderBytes() + " (candela.maxHeaderBytes)");
        byte[] bytes = Files.readAllBytes(f);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            int line = 1, at = firstBadByte(bytes);
            for (int i = 0; i < at; i++) if (bytes[i] == '\n') line++;
            throw new IllegalArgumentException(option + " " + f + ": not UTF-8 text (invalid byte 0x" + String.format("%02x", bytes[at] & 0xff) + " on line " + line + "); save the file as UTF-8");
        }
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') text = text.substring(1);
        return text;
    }

    private static int firstBadByte(byte[] b) {
        var dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b);
        java.nio.charset.CoderResult r = dec.decode(in, java.nio.CharBuffer.allocate(b.length + 1), true);
        return r.isError() ? Math.min(in.position(), b.length - 1) : 0;
    }
}
