package dev.candela.cli.args;

import java.io.IOException;
import java.io.Reader;
import java.io.StreamTokenizer;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code @file} arguments, as picocli 4 expanded them (Candela's command line used picocli, which expands them by
 * default, so scripts may pass {@code candela explain @args.txt}): an argument {@code @FILE} naming a readable regular
 * file is replaced by the words in it: separated by white space, {@code "..."} or {@code '...'} quoting a word that
 * holds spaces (with backslash escapes inside quotes), {@code #} starting a comment to the end of the line, and an
 * {@code @FILE} among them expanded in turn (a file already read for the same argument is skipped, so a file that
 * names itself ends). {@code @@word} stands for the literal {@code @word}; a lone {@code @}, or {@code @NAME} where NAME is not
 * a readable regular file, stays as it is (so {@code --out @run1} still names a folder "@run1", as with picocli).
 *
 * <p>Limits picocli did not have: a file over {@link #MAX_FILE_BYTES}, text that is not UTF-8, more than
 * {@link #MAX_ARGUMENTS} arguments in all or files nested deeper than {@link #MAX_DEPTH} are bad usage
 * (a {@link UsageException} naming the file).
 */
public final class ArgFiles {
    /** The largest argument file read (a list of a few thousand paths fits many times over). */
    public static final long MAX_FILE_BYTES = 1L << 20;
    /** The most arguments a command line may expand to. */
    public static final int MAX_ARGUMENTS = 100_000;
    /** The deepest chain of argument files naming argument files. */
    public static final int MAX_DEPTH = 16;

    private ArgFiles() {}

    /** The command line with every {@code @file} replaced by its words (the list itself when there is none). */
    public static List<String> expand(List<String> args) {
        boolean any = false;
        for (String a : args) any |= a.length() > 1 && a.startsWith("@");
        if (!any) return args;
        List<String> out = new ArrayList<>();
        for (String a : args) add(a, out, new HashSet<>(), 0);
        return out;
    }

    private static void add(String arg, List<String> out, Set<Path> reading, int depth) {
        if (arg.length() > 1 && arg.startsWith("@")) {
            String name = arg.substring(1);
            if (name.startsWith("@")) {
                append(out, name); // @@word: the literal @word
                return;
            }
            Path file = readable(name);
            if (file != null) {
                expandFile(arg, file, out, reading, depth + 1);
                return;
            }
        }
        append(out, arg);
    }

    private static void expandFile(String arg, Path file, List<String> out, Set<Path> reading, int depth) {
        Path key = file.toAbsolutePath().normalize();
        if (!reading.add(key)) return; // as picocli: a file read once for this argument is skipped after (no endless loop)
        if (depth > MAX_DEPTH) throw new UsageException("argument file " + arg + ": argument files nested more than " + MAX_DEPTH + " deep");
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) throw new UsageException("argument file " + arg + " is larger than " + (MAX_FILE_BYTES >> 20) + " MiB");
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new UsageException("argument file " + arg + " is not UTF-8 text");
        } catch (IOException e) {
            throw new UsageException("cannot read argument file " + arg + ": " + e.getClass().getSimpleName());
        }
        for (String word : words(text)) add(word, out, reading, depth);
    }

    /** The words of an argument file, read as picocli read them (java.io.StreamTokenizer, configured the same way). */
    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        try (Reader r = new StringReader(text)) {
            StreamTokenizer tok = new StreamTokenizer(r);
            tok.resetSyntax();
            tok.wordChars(' ', 255);
            tok.whitespaceChars(0, ' ');
            tok.quoteChar('"');
            tok.quoteChar('\'');
            tok.commentChar('#');
            while (tok.nextToken() != StreamTokenizer.TT_EOF) words.add(tok.sval);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a StringReader does not fail
        }
        return words;
    }

    private static Path readable(String name) {
        try {
            Path p = Path.of(name);
            return Files.isRegularFile(p) && Files.isReadable(p) ? p : null;
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    private static void append(List<String> out, String arg) {
        if (out.size() >= MAX_ARGUMENTS) throw new UsageException("more than " + MAX_ARGUMENTS + " arguments (from argument files)");
        out.add(arg);
    }
}
