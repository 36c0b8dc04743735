package dev.candela.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The 2-worker run, only in the spark-cluster profile ({@code mvn -Pspark-cluster verify -pl candela-spark -am}):
 * tools/spark-cluster.sh on the module just packaged. The plain JVM (scalar kernels), local[1], local[2] and a
 * standalone master with two workers (executors with the Vector API) must give the same CRC of every map's bits;
 * the script exits 1 otherwise. Copies and methods: -Dspark.cluster.copies, -Dspark.cluster.methods.
 */
class SparkClusterIT {
    @Test void everyPathGivesTheSameMapBits() throws Exception {
        Path log = Files.createTempFile("spark-cluster", ".log");
        ProcessBuilder pb = new ProcessBuilder("bash", "tools/spark-cluster.sh", System.getProperty("spark.cluster.copies", "2"),
                System.getProperty("spark.cluster.methods", "grad-cam,score-cam")).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("CANDELA_CLUSTER_BUILT", "1");
        int code = pb.start().waitFor();
        String out = Files.readString(log);
        System.out.println(out);
        assertEquals(0, code, out);
        assertTrue(out.contains("the same map bits on every path"), out);
    }
}
