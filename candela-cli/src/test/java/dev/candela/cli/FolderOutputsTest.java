package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.metrics.TinyCnn;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folders and outputs (issue 11): broken inputs are skipped, same stems get distinct folders, re-runs leave no stale files. */
class FolderOutputsTest {
    @TempDir Path tmp;
    private StringWriter err = new StringWriter();
    static final Path BOOT = Path.of("testdata/images/fashion-9-ankle-boot.png"), TROUSER = Path.of("testdata/images/fashion-1-trouser.png");

    private int explain(String... args) {
        err = new StringWriter();
        ExplainCommand c = new ExplainCommand(new PrintWriter(err, true), new PrintWriter(new StringWriter(), true));
        c.loader = p -> TinyCnn.fashion();
        return Main.execute(c, args);
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aBrokenInputIsReportedAndSkippedTheOthersAreExplainedAndTheRunEndsWithTwo() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in")), out = tmp.resolve("out");
        Files.copy(BOOT, in.resolve("a-boot.png"));
        Files.write(in.resolve("b-broken.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 0, 1, 2, 3});
        Files.write(in.resolve("c-short.npy"), new byte[]{(byte) 0x93, 'N', 'U', 'M'});
        Files.copy(TROUSER, in.resolve("d-trouser.png"));
        int code = explain("--model", BOOT.toString(), "--input", in.toString(), "--method", "grad-cam", "--out", out.toString());
        assertEquals(2, code, err.toString());
        String e = err.toString();
        assertTrue(e.contains("skipped " + in.resolve("b-broken.png")) && e.contains("skipped " + in.resolve("c-short.npy")), e);
        assertTrue(e.contains("2 of 4 inputs could not be explained"), e);
        assertEquals(List.of("a-boot", "d-trouser"), names(out), "the good inputs after the broken one are explained too");
        assertTrue(Files.exists(out.resolve("d-trouser").resolve("grad-cam.npy")));
    }

    @Test
    void inputsWithTheSameStemGetDistinctFolders() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in")), out = tmp.resolve("out");
        Files.copy(BOOT, in.resolve("x.png"));
        BufferedImage img = ImageIO.read(TROUSER.toFile());
        BufferedImage rgb = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        rgb.getGraphics().drawImage(img, 0, 0, null);
        assertTrue(ImageIO.write(rgb, "jpg", in.resolve("x.jpg").toFile()));
        Files.copy(TROUSER, in.resolve("y.png"));
        assertEquals(0, explain("--model", BOOT.toString(), "--input", in.toString(), "--method", "grad-cam", "--out", out.toString()), err.toString());
        assertEquals(List.of("x.jpg", "x.png", "y"), names(out));
        String jpg = Files.readString(out.resolve("x.jpg").resolve("manifest.json")), png = Files.readString(out.resolve("x.png").resolve("manifest.json"));
        assertTrue(jpg.contains("x.jpg") && png.contains("x.png"), "each folder holds its own input's results");
    }

    @Test
    void aReRunReplacesAnInputsResultsAsAWhole() throws Exception {
        Path out = tmp.resolve("out");
        assertEquals(0, explain("--model", BOOT.toString(), BOOT.toString(), "--method", "grad-cam,score-cam", "--out", out.toString()), err.toString());
        Path dir = out.resolve("fashion-9-ankle-boot");
        assertTrue(Files.exists(dir.resolve("score-cam.npy")));
        assertEquals(0, explain("--model", BOOT.toString(), BOOT.toString(), "--method", "grad-cam", "--out", out.toString()), err.toString());
        assertFalse(Files.exists(dir.resolve("score-cam.npy")), "no stale file from the first run");
        assertFalse(Files.exists(dir.resolve("score-cam.png")));
        assertTrue(Files.exists(dir.resolve("grad-cam.npy")));
        assertEquals(List.of("fashion-9-ankle-boot"), names(out), "no staging or old folders left");
        // a failed run leaves the previous results as they were
        assertEquals(2, explain("--model", BOOT.toString(), BOOT.toString(), "--method", "grad-cam", "--target", "99", "--out", out.toString()));
        assertTrue(Files.exists(dir.resolve("grad-cam.npy")));
        assertEquals(List.of("fashion-9-ankle-boot"), names(out));
    }

    @Test
    void aFolderCandelaDidNotWriteIsReplacedOnlyWithForce() throws Exception {
        Path out = tmp.resolve("out"), dir = Files.createDirectories(out.resolve("fashion-9-ankle-boot"));
        Files.writeString(dir.resolve("notes.txt"), "mine");
        assertEquals(2, explain("--model", BOOT.toString(), BOOT.toString(), "--out", out.toString()));
        assertTrue(err.toString().contains("did not write") && err.toString().contains("--force"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertTrue(Files.exists(dir.resolve("notes.txt")));
        assertEquals(0, explain("--model", BOOT.toString(), BOOT.toString(), "--force", "--out", out.toString()), err.toString());
        assertFalse(Files.exists(dir.resolve("notes.txt")));
        assertTrue(Files.exists(dir.resolve("grad-cam.npy")));
    }

    @Test
    void evaluateSkipsABrokenInputAndEndsWithTwo() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in")), out = tmp.resolve("out");
        Files.copy(BOOT, in.resolve("a.png"));
        Files.write(in.resolve("b.png"), new byte[]{1, 2, 3});
        Files.copy(TROUSER, in.resolve("c.png"));
        StringWriter e = new StringWriter();
        int code = EvaluateCommandTest.run(tmp, e, "--model", BOOT.toString(), "--input", in.toString(), "--method", "grad-cam", "--metric", "deletion",
                "--out", out.toString(), "--threads", "1");
        assertEquals(2, code, e.toString());
        assertTrue(e.toString().contains("skipped " + in.resolve("b.png")) && e.toString().contains("1 input(s) could not be read"), e.toString());
        assertTrue(Files.readString(out.resolve("summary.json")).contains("\"images\" : 2"), Files.readString(out.resolve("summary.json")));
    }
}
