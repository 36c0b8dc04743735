package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.graph.Conv2d;
import dev.candela.graph.GraphBuilder;
import dev.candela.graph.Model;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class InspectCommandTest {
    @Test
    void zeroFilledConvBiasesAreCountedAndNamedSeparately() {
        GraphBuilder b = new GraphBuilder("input", Shape.of(3, 8, 8), 1);
        String x = b.conv("with_bias", b.input(), 4, 3, 1, 1);
        Conv2d c = new Conv2d(b.randn(0.1, 5, 4, 1, 1), Tensor.zeros(5), new int[]{1, 1}, new int[4], new int[]{1, 1}, 1);
        x = b.add("no_bias", c, x);
        Model m = b.build(b.flatten("flat", b.globalAvgPool("gap", x)));
        assertEquals(5, InspectCommand.zeroBiasParameters(m));
        StringWriter s = new StringWriter();
        InspectCommand.print(m, new PrintWriter(s, true));
        long total = InspectCommand.parameters(m);
        assertTrue(s.toString().contains(String.format("note: %,d of the parameters are all-zero conv biases", 5))
                && s.toString().contains(String.format("without them: %,d", total - 5)), s.toString());
    }
}
