package dev.candela.cli;

import dev.candela.format.ModelFiles;
import dev.candela.graph.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Files the commands share: inputs and their output folders, the shipped model, hashes. */
final class CliFiles {
    private CliFiles() {}

    /** The model used when --model is omitted (weights/README.md is its model card). */
    static final String DEFAULT_MODEL = "fashion-vgg.cnd";

    /** The files an input names: itself, or every image / .npy in a directory (sorted by name). */
    static List<Path> inputFiles(Path p) throws IOException {
        if (!Files.exists(p)) throw new IllegalArgumentException("cannot read " + p + ": no such file or directory");
        if (!Files.isDirectory(p)) return List.of(p);
        try (Stream<Path> s = Files.list(p)) {
            List<Path> files = s.filter(InputBatch::isSupported).sorted().toList();
            if (files.isEmpty()) throw new IllegalArgumentException("--input directory " + p + " holds no image or .npy file");
            return files;
        }
    }

    static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /**
     * One distinct output folder name per input file: the stem, or where several inputs share a stem
     * (x.png and x.jpg) the whole file name, numbered if even that repeats (a/x.png, b/x.png).
     */
    static Map<Path, String> folderNames(List<Path> files) {
        Map<String, Integer> stems = new HashMap<>();
        for (Path f : files) stems.merge(stem(f), 1, Integer::sum);
        Map<Path, String> out = new LinkedHashMap<>();
        Map<String, Integer> used = new HashMap<>();
        for (Path f : files) {
            String s = stem(f);
            String name = stems.get(s) > 1 ? f.getFileName().toString() : s;
            int k = used.merge(name, 1, Integer::sum);
            out.put(f, k == 1 ? name : name + "-" + k);
        }
        return out;
    }

    static Path shippedModel() throws IOException {
        Path home = Path.of(System.getProperty("candela.home", "."));
        Path weights = home.resolve("weights");
        if (Files.isRegularFile(weights.resolve(DEFAULT_MODEL))) return weights.resolve(DEFAULT_MODEL);
        if (Files.isDirectory(weights)) {
            try (Stream<Path> s = Files.list(weights)) {
                List<Path> cnd = s.filter(f -> f.toString().endsWith(".cnd")).sorted().toList();
                if (!cnd.isEmpty()) return cnd.get(0);
            }
        }
        throw new IllegalArgumentException("no --model given and no shipped model (*.cnd) in " + weights.toAbsolutePath());
    }

    static Model loadModel(Path p) {
        try {
            return ModelFiles.load(p);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read model " + p + ": no such file");
        } catch (IOException e) {
            // ModelFormatException names the file and the field already
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new IllegalArgumentException(m.contains(p.toString()) ? m : "cannot read model " + p + ": " + m, e);
        }
    }

    static String sha256(Path p) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(p)) {
                byte[] buf = new byte[1 << 16];
                int r;
                while ((r = in.read(buf)) > 0) md.update(buf, 0, r);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An input's output folder, replaced as a whole: results are written into a fresh hidden folder next to
     * it, which {@link #commit} renames into place (the old results are removed then, so no stale file
     * survives a re-run). A folder that holds files but no manifest.json was not written by Candela: it is
     * replaced only with {@code force}.
     */
    record OutputFolder(Path target, Path staging) {
        static OutputFolder begin(Path out, String name, boolean force) throws IOException {
            Path target = out.resolve(name);
            if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !force) {
                if (!Files.isDirectory(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    throw new IllegalArgumentException(target + " exists and is not a results folder; remove it or give --force");
                }
                boolean ours = Files.isRegularFile(target.resolve("manifest.json"));
                boolean empty;
                try (Stream<Path> s = Files.list(target)) { empty = s.findAny().isEmpty(); }
                if (!ours && !empty) {
                    throw new IllegalArgumentException(target + " holds files that candela did not write (no manifest.json); remove them or give --force to replace the folder");
                }
            }
            Files.createDirectories(out);
            return new OutputFolder(target, Files.createTempDirectory(out, "." + name + ".partial-"));
        }

        /** Puts the staged results in place of the old folder. */
        void commit() throws IOException {
            Path old = null;
            if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                old = target.resolveSibling("." + target.getFileName() + ".old-" + Long.toHexString(System.nanoTime()));
                Files.move(target, old);
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(staging, target);
            }
            if (old != null) delete(old);
        }

        /** Removes the staged results (the old folder stays as it was). */
        void abort() {
            try {
                delete(staging);
            } catch (IOException | UncheckedIOException ignored) {
                // the original failure is the one worth reporting
            }
        }

        private static void delete(Path p) throws IOException {
            if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
            List<Path> all = new ArrayList<>();
            try (Stream<Path> s = Files.walk(p)) { s.forEach(all::add); }
            all.sort(Comparator.reverseOrder());
            for (Path q : all) Files.deleteIfExists(q);
        }
    }
}
