package dev.candela.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explainer.Method;
import dev.candela.format.ModelFiles;
import dev.candela.graph.Model;
import dev.candela.image.Preprocessor;
import dev.candela.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark path against the single-JVM path: the same maps and coefficients, bit for bit, for any
 * partitioning (local[2], 1 and 3 partitions), from the binaryFile and the image sources; bad images become
 * error columns; the transformer saves and loads. One SparkSession for the class, ten small images.
 */
class CandelaExplainerTest {
    static final String MODEL = SparkTests.MODEL;
    /** Noisy methods (per image and method seeds), perturbation, FG-CAM, pixel attributions, LRP. */
    static final String METHODS = "grad-cam,score-cam,smooth-grad-cam++,random-cam,lift-cam,fg-cam(base=grad-cam,level=input),"
            + "gradient,deeplift,smoothgrad,lrp(composite=epsilon-plus)";

    static SparkSession spark;
    static Path dir;

    @BeforeAll static void start() throws Exception {
        spark = SparkTests.spark();
        dir = SparkTests.images();
    }

    static Dataset<Row> binaryFiles() { return SparkTests.binaryFiles(); }

    static CandelaExplainer explainer() {
        return new CandelaExplainer().setModelPath(MODEL).setMethods(METHODS).setSeed(7);
    }

    /** stem -> method -> [map bits, coefficient bits]. */
    static Map<String, Map<String, List<int[]>>> results(List<Row> rows, String pathColumn) {
        Map<String, Map<String, List<int[]>>> out = new HashMap<>();
        for (Row r : rows) {
            String path = pathColumn.equals("image") ? r.getStruct(r.fieldIndex("image")).getString(0) : r.getString(r.fieldIndex(pathColumn));
            String stem = ImageRows.stem(path);
            if (stem.equals("broken")) continue;
            assertNull(r.get(r.fieldIndex("error")), stem);
            Map<String, List<int[]>> per = new HashMap<>();
            for (Row m : r.<Row>getList(r.fieldIndex("explanations"))) {
                assertNull(m.getAs("error"), stem + " " + m.getAs("method"));
                List<Float> map = m.getList(m.fieldIndex("map"));
                List<Float> coef = m.isNullAt(m.fieldIndex("coefficients")) ? List.of() : m.getList(m.fieldIndex("coefficients"));
                per.put(m.getAs("method"), List.of(bits(map), bits(coef)));
            }
            out.put(stem, per);
        }
        return out;
    }

    static int[] bits(List<Float> v) {
        int[] b = new int[v.size()];
        for (int i = 0; i < b.length; i++) b[i] = Float.floatToRawIntBits(v.get(i));
        return b;
    }

    static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < b.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }

    @Test void bitIdenticalToSingleJvmForAnyPartitioning() throws Exception {
        List<Row> three = explainer().transform(binaryFiles().repartition(3)).collectAsList();
        List<Row> one = explainer().transform(binaryFiles().coalesce(1)).collectAsList();
        assertEquals(11, three.size());
        Map<String, Map<String, List<int[]>>> spark3 = results(three, "path"), spark1 = results(one, "path");
        assertEquals(10, spark3.size());

        Model model = ModelFiles.load(Path.of(MODEL));
        List<Method> methods = new ExplainSettings(METHODS, "", "", 7, 32, 1, 0, false, -1, -1, "", "").parseMethods(model);
        Explainer.Request request = new ExplainSettings(METHODS, "", "", 7, 32, 1, 0, false, -1, -1, "", "").request(null);
        int compared = 0;
        try (Explainer ex = Explainer.of(model, 2)) {
            Preprocessor pre = new Preprocessor(model);
            for (String stem : spark3.keySet()) {
                Tensor x = pre.prepare(pre.load(dir.resolve(stem + ".png"))).input();
                for (Explanation e : ex.explainSeeded(x, methods, request, stem, 7)) {
                    List<int[]> s3 = spark3.get(stem).get(e.method()), s1 = spark1.get(stem).get(e.method());
                    assertNotNull(s3, stem + " " + e.method());
                    int[] want = bits(e.maps().item(0).data());
                    assertTrue(java.util.Arrays.equals(want, s3.get(0)), stem + " " + e.method() + ": map differs (3 partitions)");
                    assertTrue(java.util.Arrays.equals(want, s1.get(0)), stem + " " + e.method() + ": map differs (1 partition)");
                    int[] coef = e.coefficients() == null ? new int[0] : bits(e.coefficients().item(0).data());
                    assertTrue(java.util.Arrays.equals(coef, s3.get(1)), stem + " " + e.method() + ": coefficients differ");
                    compared++;
                }
            }
        }
        assertEquals(10 * 10, compared);
        // noisy methods really are seeded per image: two images' random-cam coefficients differ
        assertTrue(!java.util.Arrays.equals(spark3.get("fashion-0-t-shirt-top").get("random-cam").get(1),
                spark3.get("fashion-1-trouser").get("random-cam").get(1)));
    }

    @Test void badImageIsAnErrorColumnNotAFailedJob() {
        List<Row> rows = new CandelaExplainer().setModelPath(MODEL).setMethods("grad-cam").transform(binaryFiles())
                .filter("path like '%broken.png'").collectAsList();
        assertEquals(1, rows.size());
        Row r = rows.get(0);
        String error = r.getAs("error");
        assertNotNull(error);
        assertTrue(error.contains("broken.png"), error);
        assertNull(r.getAs("explanations"));
        assertNull(r.getAs("prediction"));
    }

    @Test void imageSourceGivesTheSameMapsAsBinaryFiles() {
        Dataset<Row> images = spark.read().format("image").load(dir.toString());
        CandelaExplainer ex = new CandelaExplainer().setModelPath(MODEL).setMethods("grad-cam,random-cam").setInputCol("image").setSeed(3);
        List<Row> rows = ex.transform(images).collectAsList();
        Map<String, Map<String, List<int[]>>> fromImages = results(rows, "image");
        Map<String, Map<String, List<int[]>>> fromFiles = results(new CandelaExplainer().setModelPath(MODEL)
                .setMethods("grad-cam,random-cam").setSeed(3).transform(binaryFiles()).collectAsList(), "path");
        assertEquals(10, fromImages.size());
        for (String stem : fromFiles.keySet()) {
            for (String m : List.of("grad-cam", "random-cam")) {
                assertTrue(java.util.Arrays.equals(fromFiles.get(stem).get(m).get(0), fromImages.get(stem).get(m).get(0)), stem + " " + m);
            }
        }
        // Spark could not decode broken.png: an error, no failed job
        Row broken = rows.stream().filter(r -> r.getStruct(r.fieldIndex("image")).getString(0).endsWith("broken.png")).findFirst().orElseThrow();
        assertNotNull(broken.getAs("error"));
    }

    @Test void targetColumnAndPrediction() {
        Dataset<Row> df = SparkTests.labelled().filter("path not like '%broken.png'");
        List<Row> rows = new CandelaExplainer().setModelPath(MODEL).setMethods("grad-cam").setTargetCol("label").transform(df).collectAsList();
        assertEquals(10, rows.size());
        int correct = 0;
        for (Row r : rows) {
            assertEquals((int) r.getAs("label"), (int) r.getAs("target"));
            double p = r.getAs("probability");
            assertTrue(p > 0 && p <= 1);
            if ((int) r.getAs("prediction") == (int) r.getAs("label")) correct++;
            Row m = r.<Row>getList(r.fieldIndex("explanations")).get(0);
            assertEquals(List.of(28, 28), m.getList(m.fieldIndex("shape")));
        }
        assertTrue(correct >= 8, "the shipped model classifies its own test images: " + correct + "/10");
    }

    @Test void savesAndLoads(@TempDir Path saved) throws Exception {
        CandelaExplainer a = explainer().setTarget("3").setLayer("stage2").setBatchSize(8).setOutputCol("maps");
        a.write().overwrite().save(saved.resolve("explainer").toString());
        CandelaExplainer b = CandelaExplainer.load(saved.resolve("explainer").toString());
        assertEquals(a.uid(), b.uid());
        assertEquals(METHODS, b.getMethods());
        assertEquals("3", b.getTarget());
        assertEquals("stage2", b.getLayer());
        assertEquals(7L, b.getSeed());
        assertEquals(8, b.getBatchSize());
        assertEquals("maps", b.getOutputCol());
        assertEquals(MODEL, b.getModelPath());
    }

    @Test void badOptionsFailOnTheDriverWithTheCliMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CandelaExplainer().setModelPath(MODEL).setMethods("grad-cma").transform(binaryFiles()));
        assertTrue(e.getMessage().contains("grad-cam"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CandelaExplainer().setModelPath(MODEL).setInputCol("path").transform(binaryFiles()));
        assertThrows(IllegalArgumentException.class, () -> new CandelaExplainer().setModelPath(MODEL).setLayer("nope").transform(binaryFiles()));
    }
}
