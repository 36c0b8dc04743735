package dev.candela.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.graph.Model;
import dev.candela.tensor.Tensor;
import java.io.StringWriter;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TraceTest {
    @Test
    void traceHasOneLinePerNodeAndIsReproducible() {
        Model m = ExecutorTest.residual(3);
        Tensor x = ExecutorTest.randomInput(new Random(3), 1);
        StringWriter a = new StringWriter(), b = new StringWriter();
        new Executor(m, ReferenceKernels.INSTANCE).withListener(new Trace(a)).forward(x);
        new Executor(m, ReferenceKernels.INSTANCE).withListener(new Trace(b)).forward(x);
        String[] lines = a.toString().split("\n");
        assertEquals(m.graph().nodes().size(), lines.length);
        assertTrue(lines[0].contains("\"node\":\"conv1\"") && lines[0].contains("crc32"), lines[0]);
        assertEquals(a.toString(), b.toString());
    }
}
