package dev.candela.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.candela.graph.Model;
import dev.candela.graph.Preprocessing;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The preprocessing names in the .cnd header: written, read back, absent in old files, checked. */
class CndPreprocessingTest {
    @TempDir Path tmp;

    static ObjectNode pre(ObjectNode root) {
        return (ObjectNode) root.get("metadata").get("preprocessing");
    }

    @Test
    void interpolationIccAndGeometryRoundTrip() throws Exception {
        Model m = CndModels.everyOp(3);
        Preprocessing p = m.preprocessing().with(Preprocessing.BILINEAR_ANTIALIAS, Preprocessing.ICC_APPLY);
        Path f = tmp.resolve("m.cnd");
        CndWriter.write(new Model(m.graph(), p, m.labels(), m.source()), f);
        Preprocessing q = CndReader.read(f).preprocessing();
        assertEquals(Preprocessing.BILINEAR_ANTIALIAS, q.interpolation());
        assertEquals(Preprocessing.ICC_APPLY, q.iccProfile());
        assertEquals(p.geometry(), q.geometry());
        ObjectNode h = (ObjectNode) CndHostileTest.JSON.readTree(CndHostileTest.header(Files.readAllBytes(f)));
        assertEquals("center-square", pre(h).get("geometry").asText());
        assertEquals("bilinear-antialias", pre(h).get("interpolation").asText());
        assertEquals("apply", pre(h).get("iccProfile").asText());
    }

    @Test
    void filesWithoutTheNewFieldsReadAsBilinearIgnoringIcc() throws Exception {
        Path f = tmp.resolve("m.cnd");
        CndWriter.write(CndModels.everyOp(3), f);
        byte[] old = CndHostileTest.withHeader(Files.readAllBytes(f), r -> {
            pre(r).remove("geometry");
            pre(r).remove("interpolation");
            pre(r).remove("iccProfile");
        });
        Path g = tmp.resolve("old.cnd");
        Files.write(g, old);
        Preprocessing q = CndReader.read(g).preprocessing();
        assertEquals(Preprocessing.BILINEAR, q.interpolation());
        assertEquals(Preprocessing.ICC_IGNORE, q.iccProfile());
    }

    @Test
    void wrongNamesAreRejectedWithTheField() throws Exception {
        Path f = tmp.resolve("m.cnd");
        CndWriter.write(CndModels.everyOp(3), f);
        byte[] good = Files.readAllBytes(f);
        rejects(CndHostileTest.withHeader(good, r -> pre(r).put("geometry", "squash")), "geometry");
        rejects(CndHostileTest.withHeader(good, r -> pre(r).put("interpolation", "lanczos")), "interpolation");
        rejects(CndHostileTest.withHeader(good, r -> pre(r).put("iccProfile", 3)), "iccProfile");
    }

    void rejects(byte[] bytes, String field) throws Exception {
        Path f = Files.createTempFile(tmp, "bad", ".cnd");
        Files.write(f, bytes);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CndReader.read(f));
        assertTrue(e.getMessage().contains(field), "message names '" + field + "': " + e.getMessage());
    }
}
