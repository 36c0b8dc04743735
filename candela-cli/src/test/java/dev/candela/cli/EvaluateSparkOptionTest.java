package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.image.Npy;
import dev.candela.metrics.TinyCnn;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate --spark} without candela-spark on the class path (this module's tests have no Spark, as the
 * launcher jar has none): exit 2 and one line naming what to build. The run itself is tested in candela-spark
 * (EvaluateOnSparkTest: the files of a local[2] run equal the plain run's).
 */
class EvaluateSparkOptionTest {
    @Test void withoutCandelaSparkTheRunStopsWithOneLineNamingTheBuild(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Npy.write(in.resolve("fashion.npy"), TinyCnn.fashionImages(1));
        Path model = Files.writeString(dir.resolve("model.cnd"), "stand-in");
        EvaluateCommand cmd = new EvaluateCommand();
        cmd.loader = p -> TinyCnn.fashion();
        StringWriter err = new StringWriter();
        cmd.writeTo(new PrintWriter(err, true), new PrintWriter(System.out, true));
        int code = Main.execute(cmd, "--model", model.toString(), "--input", in.toString(), "--method", "grad-cam",
                "--metric", "average-drop", "--out", dir.resolve("out").toString(), "--spark", "local[2]");
        assertEquals(2, code, err.toString());
        String[] lines = err.toString().strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("candela evaluate: --spark needs candela-spark and Spark's jars on the class path"), err.toString());
        assertTrue(last.contains("mvn -pl candela-spark -am package"), last);
    }
}
