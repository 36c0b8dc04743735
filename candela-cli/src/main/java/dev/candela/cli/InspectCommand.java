package dev.candela.cli;

import dev.candela.format.ModelFiles;
import dev.candela.graph.Graph;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.graph.Preprocessing;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import dev.candela.cli.args.CommandSpec;
import dev.candela.cli.args.ValueType;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** {@code candela inspect MODEL}: one row per layer (name, op, output shape, parameters, multiply-adds) and totals. */
final class InspectCommand extends CliCommand {
    Path model;

    @Override CommandSpec declare() {
        CommandSpec.Builder o = CommandSpec.builder("inspect", "List a model's layers: name, op, output shape, parameters and multiply-adds per image.");
        o.operand("MODEL", "a .cnd or .onnx file", ValueType.PATH, v -> model = v);
        return o.build();
    }

    @Override int run() throws IOException {
        Model m = ModelFiles.load(model);
        print(m, out());
        return 0;
    }

    static long parameters(Model m) {
        long p = 0;
        for (Node n : m.graph().nodes()) for (Tensor t : n.op().parameters().values()) p += t.size();
        return p;
    }

    /** Elements of Conv2d biases that are entirely zero. */
    static long zeroBiasParameters(Model m) {
        long z = 0;
        for (Node n : m.graph().nodes()) {
            if (n.op() instanceof dev.candela.graph.Conv2d c) {
                boolean zero = true;
                for (float v : c.bias().data()) zero &= v == 0f;
                if (zero) z += c.bias().size();
            }
        }
        return z;
    }

    static void print(Model m, PrintWriter out) {
        Graph g = m.graph();
        out.printf("input  %s [N x %s]%n", dev.candela.io.Text.safe(g.input()), g.inputItemShape());
        out.printf("output %s [N x %s]%n", dev.candela.io.Text.safe(g.output()), g.itemShape(g.output()));
        Preprocessing p = m.preprocessing();
        out.printf("preprocessing: resize %d, centre crop %s, %s, %s%n", p.resize(), p.centerCrop(),
                p.mean() != null ? "mean " + Arrays.toString(p.mean()) + " std " + Arrays.toString(p.std()) : "scale " + p.scale() + " offset " + p.offset(),
                p.channelOrder());
        out.printf("labels: %d%n", m.labels().size());
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(m.source()).entrySet()) out.printf("source.%s: %s%n", dev.candela.io.Text.safe(e.getKey()), dev.candela.io.Text.safe(e.getValue()));
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"name", "op", "output shape", "parameters", "multiply-adds"});
        long params = 0, macs = 0;
        for (Node n : g.nodes()) {
            List<Shape> in = new ArrayList<>();
            for (String t : n.inputs()) in.add(batched(g.itemShape(t)));
            long np = 0;
            for (Tensor t : n.op().parameters().values()) np += t.size();
            long mac = n.op().multiplyAdds(in);
            params += np;
            macs += mac;
            rows.add(new String[]{dev.candela.io.Text.safe(n.name()), n.op().kind(), g.itemShape(n.output()).toString(), String.format("%,d", np), String.format("%,d", mac)});
        }
        rows.add(new String[]{"total (" + g.nodes().size() + " layers)", "", "", String.format("%,d", params), String.format("%,d", macs)});
        int[] w = new int[5];
        for (String[] r : rows) for (int i = 0; i < 5; i++) w[i] = Math.max(w[i], r[i].length());
        for (int k = 0; k < rows.size(); k++) {
            String[] r = rows.get(k);
            if (k == rows.size() - 1) out.println("-".repeat(w[0] + w[1] + w[2] + w[3] + w[4] + 8));
            out.printf("%-" + w[0] + "s  %-" + w[1] + "s  %-" + w[2] + "s  %" + w[3] + "s  %" + w[4] + "s%n", (Object[]) r);
        }
        long zeroBiases = zeroBiasParameters(m);
        if (zeroBiases > 0) {
            // The importer gives every conv a bias; a source model without one shows up as all-zero biases.
            out.printf("note: %,d of the parameters are all-zero conv biases (ONNX convs without a bias get one); without them: %,d%n",
                    zeroBiases, params - zeroBiases);
        }
    }

    /** One image's shape with a batch axis of 1 (what multiply-add counts are per). */
    static Shape batched(Shape item) {
        int[] d = new int[item.rank() + 1];
        d[0] = 1;
        System.arraycopy(item.dims(), 0, d, 1, item.rank());
        return Shape.of(d);
    }
}
