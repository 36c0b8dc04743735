package dev.candela.cli.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code @file} arguments, read as picocli 4.7 read them by default (Candela's command line used picocli). */
class ArgFilesTest {
    @TempDir Path tmp;

    @Test void wordsAreSplitOnWhiteSpaceWithQuotesAndComments() {
        assertEquals(List.of("--method", "grad-cam", "a b.png", "it's", "--out", "o"),
                ArgFiles.words("--method grad-cam\n\"a b.png\" \"it's\" # a comment\n\t--out   o # another\n"));
        assertEquals(List.of("C:\\dir\\x.png", "a\"b"), ArgFiles.words("C:\\dir\\x.png \"a\\\"b\""), "backslash: a letter outside quotes, an escape inside");
        assertEquals(List.of(""), ArgFiles.words("''"));
    }

    @Test void aReadableFileIsReplacedByItsWordsAndNestedFilesByTheirs() throws Exception {
        Path inner = Files.writeString(tmp.resolve("inner.txt"), "--steps 5");
        Path outer = Files.writeString(tmp.resolve("outer.txt"), "explain --method cam @" + inner + " 'a b.png'\n");
        assertEquals(List.of("explain", "--method", "cam", "--steps", "5", "a b.png", "--out", "o"),
                ArgFiles.expand(List.of("@" + outer, "--out", "o")));
    }

    @Test void whatIsNotAFileStaysAsItIsAndAtAtEscapes() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("run1"));
        Path file = Files.writeString(tmp.resolve("f.txt"), "x");
        List<String> args = List.of("@", "--out", "@" + tmp.resolve("missing"), "@" + dir, "@@" + file, "a@b");
        assertEquals(List.of("@", "--out", "@" + tmp.resolve("missing"), "@" + dir, "@" + file, "a@b"), ArgFiles.expand(args));
        List<String> plain = List.of("explain", "x.png");
        assertTrue(plain == ArgFiles.expand(plain), "a command line without @ is returned as it is");
    }

    @Test void aFileThatNamesItselfEnds() throws Exception {
        Path self = tmp.resolve("self.txt");
        Files.writeString(self, "a @" + self + " b");
        assertEquals(List.of("a", "b"), ArgFiles.expand(List.of("@" + self)));
    }

    @Test void aHugeOrNonTextFileIsBadUsageNamingIt() throws Exception {
        Path big = Files.write(tmp.resolve("big.txt"), new byte[(int) ArgFiles.MAX_FILE_BYTES + 1]);
        String m = assertThrows(UsageException.class, () -> ArgFiles.expand(List.of("@" + big))).getMessage();
        assertTrue(m.contains("@" + big) && m.contains("larger than 1 MiB"), m);
        Path binary = Files.write(tmp.resolve("bin.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', (byte) 0xff, (byte) 0xfe});
        m = assertThrows(UsageException.class, () -> ArgFiles.expand(List.of("@" + binary))).getMessage();
        assertTrue(m.contains("not UTF-8"), m);
        Path many = Files.writeString(tmp.resolve("many.txt"), "x ".repeat(ArgFiles.MAX_ARGUMENTS / 2 + 1));
        m = assertThrows(UsageException.class, () -> ArgFiles.expand(List.of("@" + many, "@@" + many, "@" + many))).getMessage();
        assertTrue(m.contains("more than"), m);
    }
}
