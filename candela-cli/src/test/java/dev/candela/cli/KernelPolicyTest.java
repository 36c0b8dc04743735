package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short run (a few image files; the shipped model with any method, or a small model with one-pass methods) takes
 * the scalar kernels, anything longer the Vector API; the launcher reads the command line by the same rule.
 */
class KernelPolicyTest {
    @TempDir Path tmp;

    @Test
    void onlyAFewImageFilesWithCheapWorkCountAsAShortRun() throws Exception {
        Path png = Files.writeString(tmp.resolve("a.png"), "x"), npy = Files.writeString(tmp.resolve("b.npy"), "x");
        Path small = Files.write(tmp.resolve("small.onnx"), new byte[1000]);
        Path big = Files.write(tmp.resolve("big.cnd"), new byte[(int) KernelPolicy.SMALL_MODEL_BYTES + 1]);
        List<String> gradCam = List.of("grad-cam");
        assertTrue(KernelPolicy.shortRun(null, List.of(png), gradCam));
        assertTrue(KernelPolicy.shortRun(null, List.of(png, png, png, png), List.of("score-cam")), "the shipped model: any method");
        assertFalse(KernelPolicy.shortRun(null, List.of(png, png, png, png, png), gradCam), "five files");
        assertFalse(KernelPolicy.shortRun(null, List.of(tmp), gradCam), "a folder");
        assertFalse(KernelPolicy.shortRun(null, List.of(npy), gradCam), "a .npy batch");
        assertFalse(KernelPolicy.shortRun(null, List.of(), gradCam), "no input");
        assertTrue(KernelPolicy.shortRun(small, List.of(png), List.of("grad-cam,LIFT-CAM", "lrp(composite=epsilon-plus)")), "a small model, one-pass methods");
        assertFalse(KernelPolicy.shortRun(small, List.of(png), List.of("grad-cam,score-cam")), "a perturbation method on a user's model");
        assertFalse(KernelPolicy.shortRun(big, List.of(png), gradCam), "a large model");
        assertFalse(KernelPolicy.shortRun(tmp.resolve("missing.cnd"), List.of(png), gradCam), "a model that is not there");
    }

    /** The launcher's reading of explain's command line against this class's rule, on every case above and more. */
    @Test
    void theLauncherChoosesAsKernelPolicyDoes() throws Exception {
        Path launcher = Path.of("candela").toAbsolutePath(); // tests run in the repository root
        if (!Files.isExecutable(launcher)) throw new IllegalStateException("the launcher is not at " + launcher);
        String png = Files.writeString(tmp.resolve("a.png"), "x").toString(), npy = Files.writeString(tmp.resolve("b.npy"), "x").toString();
        String small = Files.write(tmp.resolve("small.onnx"), new byte[1000]).toString();
        String big = Files.write(tmp.resolve("big.cnd"), new byte[(int) KernelPolicy.SMALL_MODEL_BYTES + 1]).toString();
        String dir = tmp.toString();
        Files.writeString(tmp.resolve("cam"), "x"); // the launcher runs here: a glob "ca?" would find it
        Path spacedDir = Files.createDirectory(tmp.resolve("a dir"));
        String spaced = Files.write(spacedDir.resolve("small model.onnx"), new byte[1000]).toString();
        List<List<String>> cases = List.of(
                List.of(png), List.of(png, png, png, png), List.of(png, png, png, png, png), List.of(dir), List.of(npy),
                List.of("--input", png), List.of("--input=" + png, png), List.of("--out", dir, png), List.of("--out=" + dir, png),
                List.of("--force", png), List.of("--force=false", png), List.of("--denoise", png), List.of("--denoise", "means-back", png),
                List.of("--aug-smooth", "--eigen-smooth", "--align-corners", "--allow-non-finite", png),
                List.of("--model", small, png), List.of("--model=" + small, "--method", "grad-cam,lift-cam", png),
                List.of("--model", small, "--method", "score-cam", png), List.of("--model", small, "--method", "grad-cam", "--method", "rise", png),
                List.of("--model", small, "--method", "fg-cam(base=grad-cam)", png), List.of("--model", small, "--method", "lrp(composite=epsilon-plus)", png),
                List.of("--model", big, png), List.of("--method", "score-cam", png), List.of("--target", "3", "--layer", "a,b", png),
                List.of("--", png), List.of("--steps", "5", "--seed", "-1", png), List.of(),
                // cases the first launcher read differently from the parser (each failed before the fix)
                List.of("--denoise", "OFFICIAL", png), List.of("--denoise", " Means-Back ", png), // modes in any case, as Methods reads them
                List.of("--model", small, "--method=", png), List.of("--model=", png), // an empty method or model is not a short run
                List.of("--model", small, "--method", "ca?", png), List.of("--model", small, "--method", "*", png), // never globbed (a file "cam" is here)
                List.of("--model", spaced, "--method", "Grad-CAM, lift-cam", png), List.of("--model", spaced, png), // a path with spaces
                List.of("-hV", png), List.of("--layer", "a,", png), List.of("--force", "--force", png));
        for (List<String> c : cases) {
            Boolean java = javaRule(c);
            boolean scalar = launcherSaysScalar(launcher, c);
            if (java != null) assertEquals(java, scalar, "launcher and KernelPolicy disagree on " + c);
        }
        assertTrue(javaRule(List.of(png)) && !javaRule(List.of(dir)), "the cases cover both answers");
        // an argument file is read by the JVM (ArgFiles): the launcher cannot see inside, so it does not call the run short
        Path args = Files.writeString(tmp.resolve("args.txt"), png);
        assertTrue(javaRule(List.of(png)) && !launcherSaysScalar(launcher, List.of("@" + args)), "@file: the vector kernels");
        assertFalse(launcherSaysScalar(launcher, List.of("--", "@" + args)), "@file after --: the vector kernels");
    }

    /** KernelPolicy on the command line as explain parses it; null when explain would not run (help, a usage mistake). */
    private static Boolean javaRule(List<String> args) {
        ExplainCommand c = new ExplainCommand();
        try {
            if (dev.candela.cli.args.ArgParser.parse(c.spec(), args) != dev.candela.cli.args.ArgParser.Request.RUN) return null;
        } catch (dev.candela.cli.args.UsageException e) {
            return null;
        }
        List<Path> given = new ArrayList<>(c.images);
        given.addAll(c.inputs);
        return KernelPolicy.shortRun(c.shared.model, given, c.methods);
    }

    private boolean launcherSaysScalar(Path launcher, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", launcher.toString(), "explain"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(tmp.toFile());
        pb.environment().put("CANDELA_DRY_RUN", "1");
        pb.environment().remove("CANDELA_KERNELS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher dry run");
        assertEquals(0, p.exitValue(), out);
        for (String line : out.split("\n")) assertTrue(line.startsWith("-") || line.equals("jdk.incubator.vector"), "only JVM options, no message (" + args + "): " + out);
        boolean scalar = out.contains("-Dcandela.vector=scalar\n");
        assertEquals(!scalar, out.contains("jdk.incubator.vector"), "the Vector API module goes with the vector kernels only: " + out);
        return scalar;
    }
}
