package dev.candela.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChoicesTest {
    static final List<String> METHODS = List.of("cam", "grad-cam", "hires-cam", "grad-cam++", "score-cam", "layer-cam", "lrp", "deeplift");
    static final List<String> LABELS = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    @Test
    void typoGetsTheIntendedNameFirst() {
        String m = Choices.unknown("method", "gradcam", METHODS).getMessage();
        assertTrue(m.startsWith("unknown method 'gradcam'; did you mean 'grad-cam'? valid: grad-cam, "), m);
        assertEquals("score-cam", Choices.nearestFirst("scorecam", METHODS).get(0));
        assertEquals("deeplift", Choices.nearestFirst("DeepLift", METHODS).get(0));
    }

    @Test
    void farOffNameListsChoicesWithoutAGuess() {
        String m = Choices.unknown("method", "occlusion-sensitivity", METHODS).getMessage();
        assertFalse(m.contains("did you mean"), m);
        for (String s : METHODS) assertTrue(m.contains(s), m);
    }

    @Test
    void classByIndexOrLabel() {
        assertEquals(7, Choices.classIndex("7", LABELS, 10));
        assertEquals(9, Choices.classIndex("Ankle boot", LABELS, 10));
        assertEquals(9, Choices.classIndex("ankle-boot", LABELS, 10));
        assertEquals(0, Choices.classIndex("t shirt/top", LABELS, 10));
        var e = assertThrows(IllegalArgumentException.class, () -> Choices.classIndex("sneakers", LABELS, 10));
        assertTrue(e.getMessage().startsWith("unknown class label 'sneakers'; did you mean 'Sneaker'?"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Choices.classIndex("10", LABELS, 10));
        assertEquals("class 10 is out of range: the model has 10 classes (0..9)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Choices.classIndex("99999999999999", LABELS, 10));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
    }
}
