package dev.candela.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.graph.Model;
import dev.candela.graph.Preprocessing;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Segmentation targets (pytorch-grad-cam's SemanticSegmentationTarget): class c's logits summed over a region. */
class SegmentationTargetTest {
    @TempDir Path tmp;

    // 2 classes x 2 x 3 map; class 1 wins at (0,1), (1,0), (1,2).
    static final float[] LOGITS = {
            5, 0, 5,
            0, 5, 0,
            1, 2, 3,
            4, 1, 6};

    static double score(Target t) {
        Tensor y = Tensor.of(LOGITS.clone(), 1, 2, 2, 3);
        Model model = new Model(new dev.candela.graph.GraphBuilder("input", Shape.of(2, 2, 3), 1).build("input").graph(), Preprocessing.imagenet(), List.of(), Map.of());
        List<ResolvedTarget> r = Target.resolve(List.of(t), model, y);
        assertEquals(1, r.size());
        return r.get(0).objective().score(LOGITS);
    }

    @Test
    void sumsTheClassLogitsOverTheRegion() throws Exception {
        assertEquals(2 + 4 + 6, score(Target.parse("seg:1")), 0);
        assertEquals(5 + 0 + 0 + 5, score(Target.parse("seg:0:box=0,0,2,2")), 0);
        BufferedImage m = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        m.setRGB(2, 1, 0xFFFFFF);
        m.setRGB(0, 0, 0x010000);
        Path png = tmp.resolve("m.png");
        javax.imageio.ImageIO.write(m, "png", png.toFile());
        assertEquals(1 + 6, score(Target.parse("seg:1:mask=" + png)), 0);
    }

    @Test
    void badRegionsAreErrors() {
        assertThrows(IllegalArgumentException.class, () -> Target.parse("seg:1:box=2,2,1,1"));
        assertThrows(IllegalArgumentException.class, () -> score(Target.parse("seg:2")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> score(Target.parse("seg:0:box=5,5,9,9")));
        assertTrue(e.getMessage().contains("no pixels"), e.getMessage());
    }
}
