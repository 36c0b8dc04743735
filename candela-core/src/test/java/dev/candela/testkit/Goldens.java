package dev.candela.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

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

    /**
     * The cases under {@code key} of the golden folder {@code dir}'s manifest as test arguments (a label, the
     * case): a missing or empty list fails rather than running zero cases.
     */
    public static Stream<Arguments> cases(Path dir, String key, Function<JsonNode, String> label) {
        JsonNode list = manifest(dir).get(key);
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new IllegalStateException("the golden manifest in " + dir + " has no " + key);
        }
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : list) out.add(Arguments.of(label.apply(c), c));
        return out.stream();
    }
}
