package dev.candela.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The one reader of golden manifests ({@code testdata/golden/<suite>/manifest.json}, written by the tools/ scripts). */
public final class Goldens {
    private Goldens() {}

    /** The manifest of the golden folder {@code dir}. */
    public static JsonNode manifest(Path dir) {
        try {
            return new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the golden manifest in " + dir + ": " + e.getMessage(), e);
        }
    }
}
