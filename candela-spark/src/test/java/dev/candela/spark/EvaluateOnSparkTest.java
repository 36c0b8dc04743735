package dev.candela.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code candela evaluate --spark local[2]} writes the plain run's per-image.csv byte for byte, its summary.json
 * value for value (every mean, interval and note; only the timings and the master differ) and the same plots, on
 * three Fashion images with a seeded perturbation method (score-cam), a gradient and a CAM, and ROAD (seeded noise).
 */
class EvaluateOnSparkTest {
    static final List<String> TIMING = List.of("run_time_seconds", "images_per_second", "spark");

    static int evaluate(Path in, Path out, StringWriter err, String... extra) {
        String[] base = {"--model", SparkTests.MODEL, "--input", in.toString(), "--method", "grad-cam,score-cam,gradient",
                "--metric", "average-drop,deletion,road-morf", "--seed", "5", "--threads", "1", "--out", out.toString()};
        // through Main, as ./candela runs it: the executors get the subcommand's own arguments
        String[] args = java.util.stream.Stream.of(new String[]{"evaluate"}, base, extra).flatMap(java.util.Arrays::stream).toArray(String[]::new);
        return dev.candela.cli.Main.run(args, new PrintWriter(System.out, true), new PrintWriter(err, true));
    }

    @Test void sparkRunWritesThePlainRunsFiles(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        for (String f : List.of("fashion-0-t-shirt-top.png", "fashion-3-dress.png", "fashion-9-ankle-boot.png")) {
            Files.copy(Path.of("testdata/images").resolve(f), in.resolve(f));
        }
        SparkTests.spark(); // the module's local[2] session: the backend uses a running session as it is
        StringWriter e1 = new StringWriter(), e2 = new StringWriter();
        Path plain = dir.resolve("plain"), spark = dir.resolve("spark");
        assertEquals(0, evaluate(in, plain, e1), e1.toString());
        assertEquals(0, evaluate(in, spark, e2, "--spark", "local[2]"), e2.toString());
        assertTrue(e2.toString().contains("on Spark local[2]"), e2.toString());
        assertEquals(Files.readString(plain.resolve("per-image.csv")), Files.readString(spark.resolve("per-image.csv")));
        assertEquals(3 * 3 * 3 + 1, Files.readAllLines(spark.resolve("per-image.csv")).size());
        ObjectMapper json = new ObjectMapper();
        JsonNode a = json.readTree(plain.resolve("summary.json").toFile()), b = json.readTree(spark.resolve("summary.json").toFile());
        for (JsonNode n : List.of(a, b)) {
            JsonNode settings = n.get("settings");
            if (settings instanceof ObjectNode o) o.remove(TIMING);
        }
        assertEquals(a, b); // Jackson compares doubles by value: the same bits
        assertEquals(Files.readString(plain.resolve("summary.md")), Files.readString(spark.resolve("summary.md")));
        try (var files = Files.list(plain)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".png")).toList()) {
                assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(spark.resolve(p.getFileName())), p.getFileName().toString());
            }
        }
    }

    @Test void runLevelMetricsAndTheReportAreRefusedWithOneLine(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(Path.of("testdata/images/fashion-3-dress.png"), in.resolve("fashion-3-dress.png"));
        StringWriter err = new StringWriter();
        int code = dev.candela.cli.Main.run(new String[]{"evaluate", "--model", SparkTests.MODEL, "--input", in.toString(), "--method", "grad-cam", "--metric", "sufficiency",
                "--out", dir.resolve("o").toString(), "--spark", "local[2]"},
                new PrintWriter(System.out, true), new PrintWriter(err, true));
        assertEquals(2, code);
        assertTrue(err.toString().contains("sufficiency relates all images"), err.toString());
    }
}
