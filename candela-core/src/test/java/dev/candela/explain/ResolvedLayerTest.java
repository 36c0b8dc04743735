package dev.candela.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.explain.cam.CamSession;
import dev.candela.explainer.Explainer;
import dev.candela.graph.Layer;
import dev.candela.graph.LayerNames;
import dev.candela.graph.Model;
import dev.candela.run.Executor;
import dev.candela.run.ReferenceKernels;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** A layer is resolved once into a value (tensor, shown name, shape) that every method of a session reads. */
class ResolvedLayerTest {
    private final Model m = ShapedModels.build(ShapedModels.Kind.RESNET, 3, true);

    @Test
    void aNamedLayerResolvesToItsTensorNameAndShape() {
        LayerNames names = new LayerNames(m.graph());
        Layer l = names.layer("b2.relu");
        assertEquals(names.resolve("b2.relu"), l.tensor());
        assertEquals("b2.relu", l.name());
        assertEquals(Shape.of(8, 6, 6), l.shape());
        assertTrue(l.isSpatial());
        Layer in = names.layer("input");
        assertEquals(m.graph().input(), in.tensor());
        assertEquals(Shape.of(3, 12, 12), in.shape());
        assertThrows(IllegalArgumentException.class, () -> names.layer("b9.relu"));
    }

    @Test
    void theSessionCarriesTheLayerTheExplainerResolved() {
        try (Explainer ex = Explainer.of(new Executor(m, ReferenceKernels.INSTANCE))) {
            Tensor x = new dev.candela.testkit.RandomCases(5).normal(Shape.of(1, 3, 12, 12), 1.0);
            CamSession s = ex.session(x, Explainer.Request.defaults().layers("b1.relu", "auto"));
            assertEquals(ex.resolveLayer("b1.relu"), s.evidence().get(0).resolvedLayer());
            assertEquals(ex.autoLayer(), s.evidence().get(1).resolvedLayer());
            assertEquals(s.evidence().get(0).resolvedLayer().tensor(), s.evidence().get(0).layer());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ex.resolveLayer("fc"));
            assertTrue(e.getMessage().contains("C x h x w"), e.getMessage());
        }
    }
}
