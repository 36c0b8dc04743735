package dev.candela.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.image.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code candela explain} on a folder and {@link CandelaExplainer} on the same files give the same maps and
 * coefficients bit for bit, noisy methods included (both seed each method's noise from the seed, the file stem
 * and the method).
 */
class CliParityTest {
    static final String METHODS = "grad-cam,smooth-grad-cam++,random-cam,lift-cam,gradient";

    @Test void sparkMapsEqualTheCliFiles(@TempDir Path out) throws Exception {
        Path images = Files.createTempDirectory(out, "in");
        try (var files = Files.list(SparkTests.images())) {
            for (Path p : files.filter(f -> !f.getFileName().toString().startsWith("broken")).toList()) Files.copy(p, images.resolve(p.getFileName()));
        }
        Path cli = out.resolve("cli");
        int code = dev.candela.cli.Main.run(new String[]{"explain", "--model", SparkTests.MODEL, "--method", METHODS,
                "--seed", "11", "--threads", "2", "--out", cli.toString(), images.toString()},
                new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true));
        assertEquals(0, code);
        List<Row> rows = new CandelaExplainer().setModelPath(SparkTests.MODEL).setMethods(METHODS).setSeed(11)
                .transform(SparkTests.spark().read().format("binaryFile").load(images.toString()).repartition(4)).collectAsList();
        assertEquals(10, rows.size());
        int compared = 0;
        for (Row r : rows) {
            String stem = ImageRows.stem(r.getAs("path"));
            for (Row m : r.<Row>getList(r.fieldIndex("explanations"))) {
                String method = m.getAs("method");
                float[] want = Npy.read(cli.resolve(stem).resolve(method + ".npy")).data();
                List<Float> got = m.getList(m.fieldIndex("map"));
                assertEquals(want.length, got.size());
                for (int i = 0; i < want.length; i++) {
                    assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got.get(i)), stem + " " + method + " pixel " + i);
                }
                Path w = cli.resolve(stem).resolve(method + ".weights.npy");
                if (Files.exists(w)) {
                    float[] cw = Npy.read(w).data();
                    List<Float> gw = m.getList(m.fieldIndex("coefficients"));
                    for (int i = 0; i < cw.length; i++) assertEquals(Float.floatToRawIntBits(cw[i]), Float.floatToRawIntBits(gw.get(i)), stem + " " + method + " coefficient " + i);
                }
                compared++;
            }
        }
        assertEquals(10 * 5, compared);
        assertTrue(Files.exists(cli.resolve("fashion-3-dress").resolve("random-cam.npy")));
    }
}
