package dev.candela.explainer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The documentation follows the one registry: every registered method has a row in README.md's method table,
 * and every per-method option of {@link Methods#OPTIONS} is named in docs/one-path.md's options table, in the
 * row of its method.
 */
class DocsMatchRegistryTest {

    static List<String> tableRows(Path file) throws IOException {
        List<String> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file)) if (line.startsWith("| ")) rows.add(line);
        return rows;
    }

    static String firstCell(String row) {
        return row.substring(1, row.indexOf('|', 1));
    }

    @Test
    void everyRegisteredMethodHasAReadmeRow() throws IOException {
        List<String> rows = tableRows(Path.of("README.md"));
        List<String> missing = new ArrayList<>();
        for (String name : Methods.names()) {
            if (rows.stream().noneMatch(r -> firstCell(r).trim().equals("`" + name + "`"))) missing.add(name);
        }
        assertTrue(missing.isEmpty(), "methods without a row in README.md's method table: " + missing);
    }

    @Test
    void everyMethodOptionIsInOnePathsOptionsTable() throws IOException {
        List<String> rows = new ArrayList<>();
        boolean in = false;
        for (String line : Files.readAllLines(Path.of("docs/one-path.md"))) {
            if (line.startsWith("| method | per-method options")) in = true;
            else if (in && !line.startsWith("|")) break;
            else if (in) rows.add(line);
        }
        assertTrue(rows.size() > 5, "no options table ('| method | per-method options') in docs/one-path.md");
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : Methods.OPTIONS.entrySet()) {
            String method = "`" + e.getKey() + "`";
            String row = rows.stream().filter(r -> List.of(firstCell(r).split(",")).stream().anyMatch(c -> c.trim().equals(method)))
                    .findFirst().orElse(null);
            for (String option : e.getValue()) {
                if (row == null || !row.substring(row.indexOf('|', 1)).contains("`" + option + "`")) missing.add(e.getKey() + "(" + option + ")");
            }
        }
        assertTrue(missing.isEmpty(), "method options not in docs/one-path.md's options table: " + missing);
    }
}
