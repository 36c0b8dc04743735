package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
    static final Path MODEL = Path.of("weights/fashion-vgg.cnd");
    @TempDir Path tmp;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.run(args, new PrintWriter(o, true), new PrintWriter(e, true));
        return new Run(code, o.toString(), e.toString());
    }

    @Test
    void timesEveryLayerAndWritesTheSameNumbersAsJson() throws Exception {
        assumeTrue(Files.exists(MODEL), "no shipped model");
        Path json = tmp.resolve("bench.json");
        Run r = run("bench", MODEL.toString(), "--runs", "3", "--warmup", "1", "--threads", "1", "--batch", "2", "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertEquals(17, j.get("layers").size(), "one entry per layer");
        long macs = 0;
        double layerSum = 0;
        for (JsonNode l : j.get("layers")) {
            assertTrue(r.out().contains(l.get("name").asText()), "the table lists " + l.get("name"));
            assertTrue(l.get("median_ms").asDouble() >= 0);
            macs += l.get("multiply_adds").asLong();
            layerSum += l.get("median_ms").asDouble();
        }
        // the shipped VGG-style model: 7.34 M multiply-adds per image (candela inspect), batch 2
        assertEquals(macs, j.get("multiply_adds").asLong());
        assertTrue(macs > 14_000_000 && macs < 15_000_000, "multiply-adds of a batch of 2: " + macs);
        assertTrue(layerSum > 0 && layerSum <= 3 * j.get("op_by_op_median_ms").asDouble() + 1, "layer times are parts of the op-by-op forward pass");
        assertTrue(j.get("fused").asBoolean() && j.get("forward_median_ms").asDouble() > 0, "the forward pass is timed as a user's runs it");
        assertTrue(r.out().contains("GFLOP/s") && r.out().contains("op kind") && r.out().contains("Conv2d"), r.out());
    }

    @Test
    void topListsOnlyTheSlowestLayers() {
        assumeTrue(Files.exists(MODEL), "no shipped model");
        Run r = run("bench", MODEL.toString(), "--runs", "2", "--warmup", "0", "--top", "3");
        assertEquals(0, r.code(), r.err());
        String layers = r.out().split("\n\n")[0];
        assertEquals(3 + 3, layers.strip().lines().count(), "two header lines, the column names and 3 layers:\n" + r.out());
    }

    @Test
    void mistakesGetExitTwoAndOneLine() {
        for (String[] args : new String[][]{{"bench", "no-such.cnd"}, {"bench", MODEL.toString(), "--runs", "0"},
                {"bench", MODEL.toString(), "--batch", "100000"}, {"bench", MODEL.toString(), "--threads", "0"}}) {
            Run r = run(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }
}
