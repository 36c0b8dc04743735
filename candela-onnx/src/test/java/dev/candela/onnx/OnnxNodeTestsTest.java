package dev.candela.onnx;

import dev.candela.format.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.onnx.proto.OnnxProto.ModelProto;
import dev.candela.onnx.proto.OnnxProto.NodeProto;
import dev.candela.onnx.proto.OnnxProto.TensorProto;
import dev.candela.onnx.proto.OnnxProto.ValueInfoProto;
import dev.candela.graph.Model;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * ONNX's own operator test cases (Debian's libonnx-testdata: node/, pytorch-converted/, pytorch-operator/).
 * Every case whose ops are all supported is imported and run with the reference kernels; its output must
 * match the stored one within |a - e| <= 1e-5 + 1e-4 |e|. Inputs beyond the first are bound as constants
 * (weights, shapes, bounds), since a Candela model has one image input. Cases needing a feature Candela does
 * not have (other layouts, 1-D/3-D convolution, broadcasting between activations...) are skipped with the
 * importer's reason, and the count of passing cases is checked so a regression cannot hide as a skip.
 */
class OnnxNodeTestsTest {
    static final Path ROOT = Path.of("/usr/share/libonnx-testdata/data");
    static final double ATOL = 1e-5, RTOL = 1e-4;
    /** Passing cases measured with libonnx-testdata 1.12.0; fewer means the importer regressed. */
    static final int MIN_PASSING = 175; // 120 before the zoo ops (Sigmoid, HardSigmoid, HardSwish, Mul, Slice, Pad, Resize, Erf, ...); 150 before ReduceMean over any axes, 158 before constants of any broadcastable shape, 162 before ConvTranspose, 173 before Reciprocal
    static final Map<String, String> SKIPPED = new TreeMap<>();
    static final Set<String> PASSED = new TreeSet<>();

    record Case(Path dir, ModelProto model) {}

    @TestFactory
    Stream<DynamicTest> nodeTests() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(ROOT), "libonnx-testdata is not installed (apt-get install libonnx-testdata); skipping");
        List<DynamicTest> tests = new ArrayList<>();
        for (String suite : List.of("node", "pytorch-converted", "pytorch-operator")) {
            Path sd = ROOT.resolve(suite);
            if (!Files.isDirectory(sd)) continue;
            try (Stream<Path> dirs = Files.list(sd)) {
                for (Path d : dirs.sorted().toList()) {
                    Path mf = d.resolve("model.onnx");
                    if (!Files.exists(mf) || !Files.exists(d.resolve("test_data_set_0/output_0.pb"))) continue;
                    ModelProto m;
                    try {
                        m = ModelProto.parseFrom(Files.readAllBytes(mf));
                    } catch (IOException e) {
                        SKIPPED.put(suite + "/" + d.getFileName(), "unparsable: " + e.getMessage());
                        continue;
                    }
                    Set<String> unsupported = new TreeSet<>();
                    for (NodeProto n : m.getGraph().getNodeList()) if (!OnnxImporter.SUPPORTED.contains(n.getOpType())) unsupported.add(n.getOpType());
                    if (!unsupported.isEmpty()) continue; // not a case for the supported ops
                    String name = suite + "/" + d.getFileName();
                    tests.add(DynamicTest.dynamicTest(name, () -> run(name, new Case(d, m))));
                }
            }
        }
        tests.add(DynamicTest.dynamicTest("at least " + MIN_PASSING + " cases pass", () -> {
            assertTrue(PASSED.size() >= MIN_PASSING, "only " + PASSED.size() + " node tests passed, expected >= " + MIN_PASSING + "; skipped: " + SKIPPED);
        }));
        return tests.stream();
    }

    static void run(String name, Case c) throws Exception {
        Path set = c.dir().resolve("test_data_set_0");
        ModelProto m = c.model();
        Set<String> inits = new TreeSet<>();
        m.getGraph().getInitializerList().forEach(t -> inits.add(t.getName()));
        List<ValueInfoProto> inputs = m.getGraph().getInputList().stream().filter(v -> !inits.contains(v.getName())).toList();
        if (m.getGraph().getOutputCount() != 1 || inputs.isEmpty()) skip(name, "needs " + m.getGraph().getOutputCount() + " outputs / " + inputs.size() + " inputs");
        ModelProto.Builder b = m.toBuilder();
        for (int i = 1; i < inputs.size(); i++) {
            TensorProto t = TensorProto.parseFrom(Files.readAllBytes(set.resolve("input_" + i + ".pb")));
            b.getGraphBuilder().addInitializer(t.toBuilder().setName(inputs.get(i).getName()));
        }
        TensorProto x = TensorProto.parseFrom(Files.readAllBytes(set.resolve("input_0.pb")));
        if (x.getDataType() != OnnxTensors.FLOAT) skip(name, "input data type " + x.getDataType() + " is not float32");
        Model model;
        try {
            model = OnnxImporter.importModel(b.build(), c.dir().resolve("model.onnx"), ImportOptions.defaults(), Map.of());
        } catch (ModelFormatException e) {
            skip(name, e.getMessage().substring(e.getMessage().indexOf(": ") + 2));
            return;
        }
        OnnxConst in = OnnxTensors.decode(x, null, null, "input_0");
        if (in.rank() < 1) skip(name, "scalar input");
        Tensor input = in.tensor();
        Tensor out = new Executor(model, ReferenceKernels.INSTANCE).forward(input).output();
        OnnxConst expected = OnnxTensors.decode(TensorProto.parseFrom(Files.readAllBytes(set.resolve("output_0.pb"))), null, null, "output_0");
        assertArrayEquals(expected.dims(), out.shape().dims(), name + ": output shape");
        float[] e = expected.asFloats();
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            double d = Math.abs(out.data()[i] - e[i]);
            assertTrue(d <= ATOL + RTOL * Math.abs(e[i]), name + ": element " + i + " is " + out.data()[i] + ", expected " + e[i]);
            worst = Math.max(worst, d);
        }
        PASSED.add(name);
        System.out.printf("pass %-60s max abs diff %.3g%n", name, worst);
    }

    static void skip(String name, String reason) {
        SKIPPED.put(name, reason);
        Assumptions.abort(reason);
    }

    @AfterAll
    static void summary() {
        System.out.println(PASSED.size() + " node tests passed, " + SKIPPED.size() + " skipped:");
        SKIPPED.forEach((k, v) -> System.out.println("  skip " + k + ": " + v));
    }
}
