package dev.candela.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** One local[2] SparkSession for every test class of the module (stopped with the JVM), and the test images. */
final class SparkTests {
    private SparkTests() {}

    static final String MODEL = "weights/fashion-vgg.cnd";
    private static SparkSession spark;
    private static Path images;

    static synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkSession.builder().master("local[2]").appName("candela-test")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "3")
                    .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                    .getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
        }
        return spark;
    }

    /** The ten Fashion test images and a broken PNG, in a temporary folder. */
    static synchronized Path images() throws IOException {
        if (images == null) {
            Path dir = Files.createTempDirectory("candela-spark-images");
            try (var files = Files.list(Path.of("testdata/images"))) {
                for (Path p : files.filter(f -> f.getFileName().toString().startsWith("fashion-")).toList()) Files.copy(p, dir.resolve(p.getFileName()));
            }
            Files.write(dir.resolve("broken.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R', 1, 2, 3});
            images = dir;
        }
        return images;
    }

    static Dataset<Row> binaryFiles() {
        try {
            return spark().read().format("binaryFile").option("pathGlobFilter", "*.png").load(images().toString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** binaryFiles with a 'label' column: the class in the file name (fashion-3-dress.png is 3; null for broken.png). */
    static Dataset<Row> labelled() {
        return binaryFiles().selectExpr("*", "try_cast(substring_index(substring_index(path, 'fashion-', -1), '-', 1) as int) as label");
    }
}
