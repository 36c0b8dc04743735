package dev.candela.spark;

import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explainer.Method;
import dev.candela.format.ModelFiles;
import dev.candela.graph.Model;
import dev.candela.image.Preprocessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Throughput and parity run used by tools/spark-cluster.sh (not a unit test): explains every image of a folder
 * with {@code MASTER} ({@code local[1]}, {@code local[2]}, {@code spark://127.0.0.1:7077}) or, with master
 * {@code jvm}, in this JVM with one Explainer (the CLI's path); prints images per second and a CRC of every
 * map's bits in file order, which must be the same for every master.
 *
 * <p>Usage: {@code ClusterRun MASTER DIR MODEL METHODS PARTITIONS}
 */
public final class ClusterRun {
    public static void main(String[] args) throws Exception {
        String master = args[0], dir = args[1], model = args[2], methods = args[3];
        int partitions = Integer.parseInt(args[4]);
        TreeMap<String, List<float[]>> maps = new TreeMap<>();
        long t0, t1;
        int n;
        if (master.equals("jvm")) {
            Model m = ModelFiles.load(Path.of(model));
            List<Method> ms = ExplainSettingsTestAccess.methods(methods, m);
            Explainer.Request req = new ExplainSettings(methods, "", "", 0, 32, 1, 0, false, -1, -1, "", "").request(null);
            List<Path> files;
            try (var s = Files.list(Path.of(dir))) {
                files = s.filter(f -> f.toString().endsWith(".png")).sorted().toList();
            }
            t0 = System.nanoTime();
            try (Explainer ex = Explainer.of(m, 1)) {
                Preprocessor pre = new Preprocessor(m);
                for (Path f : files) {
                    List<Explanation> es = ex.explainSeeded(pre.prepare(pre.load(f)).input(), ms, req, ImageRows.stem(f.toString()), 0);
                    maps.put(ImageRows.stem(f.toString()), es.stream().map(e -> e.maps().item(0).data()).toList());
                }
            }
            t1 = System.nanoTime();
            n = files.size();
        } else {
            SparkSession spark = SparkSession.builder().master(master).appName("candela-cluster-run")
                    .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                    .getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
            var df = spark.read().format("binaryFile").option("pathGlobFilter", "*.png").load(dir).repartition(partitions).cache();
            df.count(); // files read before the clock starts
            t0 = System.nanoTime();
            List<Row> rows = new CandelaExplainer().setModelPath(model).setMethods(methods).transform(df).select("path", "error", "explanations").collectAsList();
            t1 = System.nanoTime();
            for (Row r : rows) {
                if (r.get(1) != null) throw new IllegalStateException(r.getString(0) + ": " + r.getString(1));
                List<float[]> per = r.<Row>getList(2).stream().map(x -> {
                    List<Float> l = x.getList(x.fieldIndex("map"));
                    float[] f = new float[l.size()];
                    for (int i = 0; i < f.length; i++) f[i] = l.get(i);
                    return f;
                }).toList();
                maps.put(ImageRows.stem(r.getString(0)), per);
            }
            n = rows.size();
            spark.stop();
        }
        CRC32 crc = new CRC32();
        for (List<float[]> per : maps.values()) {
            for (float[] f : per) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * f.length);
                for (float v : f) b.putInt(Float.floatToRawIntBits(v));
                crc.update(b.array());
            }
        }
        double s = (t1 - t0) / 1e9;
        System.out.printf(Locale.ROOT, "RESULT master=%s images=%d seconds=%.2f images_per_second=%.2f maps_crc32=%08x%n", master, n, s, n / s, crc.getValue());
    }
}
