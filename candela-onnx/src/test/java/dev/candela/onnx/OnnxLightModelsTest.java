package dev.candela.onnx;

import dev.candela.format.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.onnx.proto.OnnxProto.TensorProto;
import dev.candela.graph.Model;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The nine ONNX model-zoo topologies with constant weights (../shared/models/onnx-light): import, run on
 * arange(n)/n and compare with the ONNX reference evaluator's output at relative error 1e-5.
 */
class OnnxLightModelsTest {
    static final Path DIR = Path.of("../shared/models/onnx-light");

    @ParameterizedTest(name = "{0} matches the ONNX reference output within 1e-5 relative")
    @ValueSource(strings = {"bvlc_alexnet", "densenet121", "inception_v1", "inception_v2", "resnet50", "shufflenet", "squeezenet", "vgg19", "zfnet512"})
    void matchesReference(String name) throws Exception {
        Path onnx = DIR.resolve("light_" + name + ".onnx");
        Assumptions.assumeTrue(Files.exists(onnx), "../shared/models/onnx-light is absent; skipping");
        Model model = OnnxImporter.importFile(onnx, ImportOptions.defaults());
        Shape in = Shape.of(1, 3, 224, 224);
        float[] x = new float[in.size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) i / x.length;
        Tensor out;
        try (Parallel p = new Parallel(2)) {
            out = Executor.fast(model, p).forward(new Tensor(in, x), java.util.Set.of()).output();
        }
        TensorProto tp = TensorProto.parseFrom(Files.readAllBytes(DIR.resolve("light_" + name + "_output_0.pb")));
        OnnxConst expected = OnnxTensors.decode(tp, null, null, "expected");
        assertEquals(expected.size(), out.size(), "output size");
        double worst = 0;
        for (int i = 0; i < out.size(); i++) {
            double e = expected.floats()[i], a = out.data()[i];
            double rel = Math.abs(a - e) / Math.max(Math.abs(e), 1e-30);
            worst = Math.max(worst, rel);
        }
        System.out.printf("%s: worst relative error %.3g%n", name, worst);
        assertTrue(worst <= 1e-5, name + ": worst relative error " + worst + " > 1e-5");
    }
}
