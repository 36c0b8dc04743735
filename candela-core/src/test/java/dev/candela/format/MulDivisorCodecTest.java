package dev.candela.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.candela.graph.Mul;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A Div imported as Mul(a, 1/b) keeps its divisor mark through a .cnd file; a plain product writes no attribute. */
class MulDivisorCodecTest {
    @Test
    void theDivisorMarkSurvivesTheCodecAndAPlainProductStaysPlain() throws Exception {
        for (int divisor : new int[]{-1, 0, 1}) {
            var json = OpCodec.attributes(new Mul(divisor));
            assertEquals(divisor >= 0, json.has("divisor"), "attribute written only for a divisor: " + json);
            var back = OpCodec.decode("Mul", new OpCodec.Attrs(Path.of("m.cnd"), "nodes[0].attributes", json), java.util.Map.of());
            assertEquals(new Mul(divisor), back);
        }
    }
}
