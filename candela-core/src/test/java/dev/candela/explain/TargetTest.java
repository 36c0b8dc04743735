package dev.candela.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.graph.Model;
import dev.candela.graph.Preprocessing;
import dev.candela.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetTest {
    private static final Model MODEL = withLabels(List.of("tench, Tinca tinca", "tabby, tabby cat", "crane", "crane", "espresso"));

    private static Model withLabels(List<String> labels) {
        Model m = new dev.candela.graph.GraphBuilder("input", dev.candela.tensor.Shape.of(5), 1).build("input");
        return new Model(m.graph(), Preprocessing.imagenet(), labels, Map.of());
    }

    private static final Tensor LOGITS = Tensor.of(new float[]{0, 3, 1, 2, -1, 5, 0, 0, 0, 1}, 2, 5);

    @Test
    void oneTargetAppliesToTheWholeBatchAndOnePerImageIsAccepted() {
        assertEquals(2, Target.resolve(List.of(Target.classIndex(4)), MODEL, LOGITS).size());
        List<ResolvedTarget> r = Target.resolve(List.of(Target.classIndex(4), Target.classIndex(2)), MODEL, LOGITS);
        assertEquals(2, r.get(1).classIndex());
    }

    @Test
    void aTargetCountThatIsNeitherOneNorTheBatchIsAnError() {
        var e = assertThrows(IllegalArgumentException.class, () -> Target.resolve(List.of(Target.argmax(), Target.argmax(), Target.argmax()), MODEL, LOGITS));
        assertTrue(e.getMessage().contains("3 targets for a batch of 2"), e.getMessage());
    }

    @Test
    void defaultIsArgmaxPerImageAndTopKExpandsPerImage() {
        List<ResolvedTarget> r = Target.resolve(List.of(), MODEL, LOGITS);
        assertEquals(1, r.get(0).classIndex());
        assertEquals(0, r.get(1).classIndex());
        List<ResolvedTarget> k = Target.resolve(List.of(Target.topK(2)), MODEL, LOGITS);
        assertEquals(List.of(1, 3, 0, 4), k.stream().map(ResolvedTarget::classIndex).toList());
        assertEquals(List.of(0, 0, 1, 1), k.stream().map(ResolvedTarget::image).toList());
    }

    @Test
    void labelsResolveByNameOrSynonymAndUnknownOnesListTheNearest() {
        assertEquals(1, Target.resolve(List.of(Target.parse("tabby")), MODEL, LOGITS).get(0).classIndex());
        assertEquals(1, Target.resolve(List.of(Target.parse("Tabby, tabby cat")), MODEL, LOGITS).get(0).classIndex());
        var e = assertThrows(IllegalArgumentException.class, () -> Target.resolve(List.of(Target.parse("tabbby")), MODEL, LOGITS));
        assertTrue(e.getMessage().contains("nearest labels: tabby, tabby cat (1)"), e.getMessage());
        var amb = assertThrows(IllegalArgumentException.class, () -> Target.resolve(List.of(Target.parse("crane")), MODEL, LOGITS));
        assertTrue(amb.getMessage().contains("ambiguous"), amb.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Target.resolve(List.of(Target.classIndex(5)), MODEL, LOGITS));
    }

    @Test
    void softmaxAndWeightedTargetsHaveConsistentScoresAndSeeds() {
        float[] row = {0.5f, -1f, 2f, 0f, 1f};
        for (Objective o : List.of(new Objective.Probability(2), new Objective.Weighted(new double[]{0.5, 0, -2, 0, 1}), new Objective.Logit(3))) {
            float[] seed = o.seed(row);
            for (int j = 0; j < row.length; j++) {
                float[] p = row.clone(), q = row.clone();
                p[j] += 1e-3f;
                q[j] -= 1e-3f;
                double fd = (o.score(p) - o.score(q)) / ((double) p[j] - q[j]);
                assertEquals(fd, seed[j], 1e-3, o + " d/dz" + j);
            }
        }
        Target w = Target.parse("1*0.5+4*-2");
        assertEquals(new Target.WeightedLogits(Map.of(1, 0.5, 4, -2.0)), w);
        assertEquals(new Target.Softmax(3), Target.parse("softmax:3"));
    }
}
