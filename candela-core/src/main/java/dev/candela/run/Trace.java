package dev.candela.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.candela.graph.Node;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;

/**
 * Audit record of a forward pass: one JSON line per node with the output's shape, min, max, mean, L2
 * norm and a CRC32 of its exact float bits, so two runs (or two machines) can be compared layer by layer.
 */
public final class Trace implements ForwardListener {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Writer out;

    public Trace(Writer out) {
        this.out = out;
    }

    /** The statistics of one tensor, as written in a trace line. */
    public record Stats(String shape, double min, double max, double mean, double l2, long checksum) {
        public static Stats of(Tensor t) {
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0, sq = 0;
            for (float v : t.data()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
                sq += (double) v * v;
            }
            return new Stats(t.shape().toString(), min, max, sum / Math.max(1, t.size()), Math.sqrt(sq), t.checksum());
        }
    }

    @Override public void onNode(Node node, List<Tensor> inputs, Tensor output) {
        Stats s = Stats.of(output);
        ObjectNode line = JSON.createObjectNode();
        line.put("node", node.name());
        line.put("op", node.op().kind());
        line.put("output", node.output());
        line.put("shape", s.shape());
        line.put("min", s.min());
        line.put("max", s.max());
        line.put("mean", s.mean());
        line.put("l2", s.l2());
        line.put("crc32", String.format("%08x", s.checksum()));
        try {
            synchronized (out) {
                out.write(JSON.writeValueAsString(line));
                out.write('\n');
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write trace", e);
        }
    }
}
