package dev.candela.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.candela.graph.Model;
import dev.candela.graph.Preprocessing;
import dev.candela.image.Npy;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The goldens written by tools/make_metric_goldens.py, and the same small model built in Java. */
final class MetricGoldens {
    static final Path DIR = Path.of("testdata/golden/metrics");
    final JsonNode manifest;

    MetricGoldens() {
        manifest = dev.candela.testkit.Goldens.manifest(DIR);
    }

    double tolerance() { return manifest.get("tolerance").asDouble(); }

    Tensor tensor(String name) {
        try {
            return Npy.read(DIR.resolve(name + ".npy"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int[] targets() {
        JsonNode t = manifest.get("targets");
        int[] r = new int[t.size()];
        for (int i = 0; i < r.length; i++) r[i] = t.get(i).asInt();
        return r;
    }

    MapBatch batch() { return new MapBatch(tensor("inputs"), tensor("maps"), targets()); }

    /** The tools script's Net (conv1 relu maxpool2 conv2 relu mean fc), weights from the .npy files. */
    Model model() {
        Shape item = tensor("inputs").shape();
        return TinyCnn.load(DIR, "model.", Shape.of(item.dim(1), item.dim(2), item.dim(3)), Preprocessing.unit());
    }

    Executor executor() { return new Executor(model(), ReferenceKernels.INSTANCE); }

    /** Replays the recorded ROAD noise, checking that each draw has the size the reference drew. */
    NoiseSource replay(String resultKey) {
        float[] all = tensor("road_noise").data();
        JsonNode sizes = manifest.get("road_noise").get("sizes");
        int first = -1, draws = 0;
        for (JsonNode call : manifest.get("road_noise").get("calls")) {
            if (call.get("result").asText().equals(resultKey)) { first = call.get("first_draw").asInt(); draws = call.get("draws").asInt(); }
        }
        if (first < 0) throw new IllegalArgumentException("no recorded noise for " + resultKey);
        int offset = 0;
        for (int i = 0; i < first; i++) offset += sizes.get(i).asInt();
        int[] state = {first, offset};
        int end = first + draws;
        return count -> {
            if (state[0] >= end) throw new AssertionError("more noise draws than the reference made for " + resultKey);
            int expected = sizes.get(state[0]).asInt();
            if (count != expected) throw new AssertionError("draw " + state[0] + " asks for " + count + " values, the reference drew " + expected);
            float[] g = java.util.Arrays.copyOfRange(all, state[1], state[1] + count);
            state[0]++;
            state[1] += count;
            return g;
        };
    }
}
