package dev.candela.explain;

import dev.candela.explainer.Method;
import dev.candela.explainer.Methods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.explain.lrp.Composite;
import dev.candela.explain.lrp.LayerRule;
import dev.candela.graph.Model;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code lrp(residual=...)} and its run default ({@code --lrp-residual}): only the residual-sum rule of the composite changes. */
class LrpResidualOptionTest {
    static final Model RESNET = ShapedModels.build(ShapedModels.Kind.RESNET, 1, true);

    static Composite composite(String spec, Methods.Defaults d) {
        return ((Method.Lrp) Methods.parse(List.of(spec), d, RESNET).get(0)).lrp().composite();
    }

    @Test
    void residualReplacesOnlyTheSumRuleOfAnyComposite() {
        Composite plain = Composite.epsilonPlus(), split = composite("lrp(composite=epsilon-plus,residual=split)", Methods.Defaults.none());
        assertEquals("epsilon-plus+residual=split", split.name());
        assertEquals(new LayerRule.RatioSplit(), split.sum());
        assertEquals(List.of(plain.firstConv(), plain.conv(), plain.dense(), plain.pooling(), plain.batchNorm(), plain.maxPool(), plain.activation(), plain.structural(), plain.smooth()),
                List.of(split.firstConv(), split.conv(), split.dense(), split.pooling(), split.batchNorm(), split.maxPool(), split.activation(), split.structural(), split.smooth()));
        assertEquals(new LayerRule.EvenSplit(), composite("lrp(rule=epsilon,residual=even)", Methods.Defaults.none()).sum());
        assertEquals(new LayerRule.Norm(), composite("lrp(composite=captum,residual=norm)", Methods.Defaults.none()).sum());
        // without the option each composite keeps its own sum rule (captum: epsilon)
        assertEquals(Composite.captum().sum(), composite("lrp(composite=captum)", Methods.Defaults.none()).sum());
    }

    @Test
    void theRunDefaultAppliesUnlessTheMethodSaysOtherwise() {
        Methods.Defaults d = new Methods.Defaults(Map.of("residual", "split"));
        assertEquals(new LayerRule.RatioSplit(), composite("lrp", d).sum());
        assertEquals(new LayerRule.Norm(), composite("lrp(residual=norm)", d).sum());
    }

    @Test
    void anUnknownResidualRuleIsRefusedWithTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> composite("lrp(residual=halves)", Methods.Defaults.none()));
        assertTrue(e.getMessage().contains("known: split, even, norm"), e.getMessage());
    }

    /** The message names the option; a bad run default is refused even when no lrp method is asked for (it passed silently). */
    @Test
    void aBadRunDefaultIsRefusedWithoutAnLrpMethod() {
        var e = assertThrows(IllegalArgumentException.class, () -> Methods.parse(List.of("grad-cam"), new Methods.Defaults(Map.of("residual", "bogus")), RESNET));
        assertTrue(e.getMessage().startsWith("lrp: residual (--lrp-residual): unknown LRP residual rule 'bogus'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Methods.parse(List.of("grad-cam"), new Methods.Defaults(Map.of("bn", "bogus")), RESNET));
        assertEquals(1, Methods.parse(List.of("grad-cam"), new Methods.Defaults(Map.of("residual", "split", "bn", "merge")), RESNET).size());
    }
}
