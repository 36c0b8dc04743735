package dev.candela.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.candela.format.ModelFiles;
import dev.candela.graph.Model;
import dev.candela.graph.Preprocessing;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Tensor;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped models, run by Candela on the 10,000 Fashion-MNIST test images (Debian's
 * dataset-fashion-mnist), classify as many correctly as PyTorch did when they were trained
 * (weights/*.train.json): within 0.1 percentage point, i.e. at most 10 images apart. The default
 * model runs in every build, fashion-resnet with {@code -Dcandela.heavy=true}.
 * The pixels are normalised with the model's own preprocessing metadata.
 */
class FashionAccuracyTest {
    static final Path DATA = Path.of("/usr/share/datasets/fashion-mnist");

    @ParameterizedTest(name = "{0}: Candela's test accuracy equals the training script's within 0.1 pp")
    @ValueSource(strings = {"fashion-vgg", "fashion-resnet"})
    void accuracyMatchesTraining(String name) throws Exception {
        Path model = Path.of("weights/" + name + ".cnd");
        Path train = Path.of("weights/" + name + ".train.json");
        assumeTrue(Files.exists(model) && Files.exists(train), "weights/" + name + ".cnd not present");
        // The default model always; the second one only in heavy runs, to keep mvn verify short.
        assumeTrue(name.equals("fashion-vgg") || Boolean.getBoolean("candela.heavy"), name + ": run with -Dcandela.heavy=true");
        assumeTrue(Files.exists(DATA.resolve("t10k-images-idx3-ubyte.gz")),
                "Fashion-MNIST test set not installed (apt-get install dataset-fashion-mnist): skipping");
        byte[] images = idx(DATA.resolve("t10k-images-idx3-ubyte.gz"), 3);
        byte[] labels = idx(DATA.resolve("t10k-labels-idx1-ubyte.gz"), 1);
        Model m = ModelFiles.load(model);
        Preprocessing pre = m.preprocessing();
        int n = labels.length, px = 28 * 28, batch = 500, correct = 0;
        try (Parallel par = Parallel.ofAvailable()) {
            Executor ex = Executor.fast(m, par);
            for (int start = 0; start < n; start += batch) {
                int b = Math.min(batch, n - start);
                float[] x = new float[b * px];
                for (int i = 0; i < b * px; i++) x[i] = pre.value(0, images[start * px + i] & 0xff);
                Tensor logits = ex.forward(Tensor.of(x, b, 1, 28, 28), Set.of()).output();
                for (int i = 0; i < b; i++) {
                    float[] row = logits.item(i).data();
                    int best = 0;
                    for (int k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
                    if (best == labels[start + i]) correct++;
                }
            }
        }
        JsonNode t = new ObjectMapper().readTree(train.toFile());
        int expected = t.get("test_correct").asInt();
        System.out.printf("%s: Candela %d/10000 = %.2f%%, PyTorch %d/10000%n", name, correct, correct / 100.0, expected);
        assertEquals(expected, correct, 10, name + ": Candela " + correct + " correct vs PyTorch " + expected + " (tolerance 10 images = 0.1 pp)");
    }

    /** The payload of a gzipped IDX file with {@code dims} dimensions (big-endian header). */
    static byte[] idx(Path file, int dims) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file)); DataInputStream d = new DataInputStream(in)) {
            int magic = d.readInt();
            if ((magic & 0xff) != dims) throw new IOException(file + ": expected " + dims + " dimensions, header says " + (magic & 0xff));
            long size = 1;
            for (int i = 0; i < dims; i++) size *= d.readInt();
            if (size > 100_000_000) throw new IOException(file + ": implausible size " + size);
            return d.readNBytes((int) size);
        }
    }
}
