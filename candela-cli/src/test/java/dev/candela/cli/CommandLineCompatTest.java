package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.candela.cli.args.CommandSpec;
import dev.candela.cli.args.OperandSpec;
import dev.candela.cli.args.OptionSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as it was under picocli 4.7 (before Candela's own parser): the same options with the same
 * aliases, defaults, required flags and split rules, and the same answers to the command lines scripts and checks
 * send: help on stdout with exit 0, a usage mistake on stderr with exit 2, {@code @file} arguments expanded.
 */
class CommandLineCompatTest extends InProcessCli {
    @TempDir Path tmp;

    /**
     * Every option of every command as picocli declared it at de5abdc^ (name|aliases, ! required, =default,
     * ~split regex) and its operands (label min..max): a renamed option, a lost alias or a changed default fails here.
     */
    static final Map<String, String> PICOCLI_OPTIONS = Map.of(
            "explain", "--input --method=grad-cam --target --annotations --out=candela-out --force --colormap=jet --opacity=0.5 --report "
                    + "--cam-batch-size|--batch-size=32 --model --layer~, --threads --seed=0 --allow-non-finite --aug-smooth --eigen-smooth "
                    + "--align-corners --fusion=mean --reference=zeros --deeplift-rules=captum --steps=50 --quadrature=gausslegendre --samples=20 "
                    + "--noise-level=0.1 --base=grad-cam --fg-layer=input --denoise --fg-zero=drop --rule --composite --lrp-bn=merge --lrp-residual "
                    + "IMAGE:0..*",
            "convert", "--labels --input --resize --crop --mean~, --std~, --scale --offset --channel-order --interpolation --icc --fold-bn IN.onnx:1..1 OUT.cnd:1..1",
            "inspect", "MODEL:1..1",
            "run", "--model! --input! --outputs~, --out! --threads --verify --trace",
            "evaluate", "--input! --annotations --method! --cam-batch-size=32 --metric=all --out! --score=softmax --target=label --step "
                    + "--torchcam-steps=20 --road-percentiles~, --sanity-layers=3 --sanity-skip~,(?![^(]*\\)) --shapley-pairs=32 --limit "
                    + "--metric-batch-size|--batch-size=64 --report --spark --model --layer~, --threads --seed=0 --allow-non-finite --aug-smooth "
                    + "--eigen-smooth --align-corners --fusion=mean --reference=zeros --deeplift-rules=captum --steps=50 --quadrature=gausslegendre "
                    + "--samples=20 --noise-level=0.1 --base=grad-cam --fg-layer=input --denoise --fg-zero=drop --rule --composite --lrp-bn=merge --lrp-residual",
            "bench", "--batch=1 --threads --warmup=3 --runs=10 --top=0 --json --unfused MODEL:1..1");

    private static String describe(CommandSpec spec) {
        TreeSet<String> items = new TreeSet<>();
        for (OptionSpec o : spec.options()) {
            items.add(String.join("|", o.names()) + (o.required() ? "!" : "") + (o.defaultValue() != null ? "=" + o.defaultValue() : "")
                    + (o.split() != null ? "~" + o.split() : ""));
        }
        for (OperandSpec op : spec.operands()) items.add(op.label() + ":" + op.min() + ".." + (op.max() == Integer.MAX_VALUE ? "*" : op.max()));
        return String.join(" ", items);
    }

    @Test
    void everyCommandDeclaresTheOptionsPicocliHad() {
        assertEquals(PICOCLI_OPTIONS.keySet(), Main.COMMANDS.keySet());
        for (var e : PICOCLI_OPTIONS.entrySet()) {
            String expected = String.join(" ", new TreeSet<>(List.of(e.getValue().split(" "))));
            assertEquals(expected, describe(Main.COMMANDS.get(e.getKey()).get().spec()), e.getKey());
        }
    }

    /** Help converts every default (a default that is not a value of its type would fail here), on stdout only. */
    @Test
    void everyCommandsHelpIsOnStdoutTheSameEveryWayItIsAskedFor() {
        for (String c : Main.COMMANDS.keySet()) {
            assertEquals(0, cli(c, "--help"), c + ": " + err);
            String help = out;
            assertTrue(help.startsWith("Usage: candela " + c + " "), help);
            assertEquals("", err, c);
            for (String[] other : List.of(new String[]{c, "-h"}, new String[]{"help", c}, new String[]{c, "-hV"}, new String[]{c, "--bogus", "--help"},
                    new String[]{c, "a", "b", "c", "-h"}, new String[]{c, "--help=true"},
                    new String[]{"help", c, "extra"}, new String[]{"help", "--bogus", c})) { // picocli's help command checked nothing after the name
                assertEquals(0, cli(other), String.join(" ", other) + ": " + err);
                assertEquals(help, out, String.join(" ", other));
                assertEquals("", err, String.join(" ", other));
            }
            assertEquals(0, cli(c, "--version"), err);
            assertTrue(out.startsWith("candela "), out);
        }
    }

    @Test
    void topLevelHelpAndVersionWinOverUnknownWordsAsWithPicocli() {
        assertEquals(0, cli("--help"));
        String top = out;
        for (String[] a : List.of(new String[]{"-hV"}, new String[]{"--bogus", "--help"}, new String[]{"explian", "-h"}, new String[]{"help"},
                new String[]{"-h", "explain", "--bogus"}, new String[]{"help", "explain", "--help"})) {
            assertEquals(0, cli(a), String.join(" ", a) + ": " + err);
            assertEquals(top, out, String.join(" ", a));
        }
        assertEquals(0, cli("-V", "explain"));
        assertTrue(out.startsWith("candela "), out);
    }

    /** A usage mistake: exit 2, nothing on stdout, the reason and where to look on stderr, no stack trace. */
    void assertUsage(String expectedStart, String... args) {
        assertEquals(2, cli(args), String.join(" ", args) + ": " + err);
        assertEquals("", out, String.join(" ", args));
        List<String> lines = err.lines().toList();
        assertEquals(2, lines.size(), err);
        assertTrue(lines.get(0).startsWith(expectedStart), lines.get(0));
        assertTrue(lines.get(1).startsWith("(see 'candela"), err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), err);
    }

    @Test
    void usageMistakesAreExit2OnStderrNamingTheArgument() {
        assertUsage("candela: Unknown subcommand 'bogus'", "help", "bogus");
        assertUsage("candela: Unknown option: '--bogus'", "--bogus", "explain");
        assertUsage("candela: Unmatched arguments from index 0: 'explian', 'x.png'", "explian", "x.png");
        assertUsage("candela explain: option '--force' should be specified only once", "explain", "--force", "--force", "x.png");
        assertUsage("candela explain: Invalid value for option '--steps': 'x' is not an int", "explain", "--steps", "x", "--help");
        assertUsage("candela explain: Unknown option: '--", "explain", "--\u001b[31m"); // Text.safe: no escape reaches the terminal
        assertFalse(err.contains("\u001b"), err);
        assertUsage("candela run: Unknown option: '--modle' (did you mean '--model'?)", "run", "--modle", "m.cnd");
    }

    @Test
    void argumentFilesAreExpandedAsPicocliDid() throws Exception {
        Path cmd = Files.writeString(tmp.resolve("cmd.txt"), "explain # the command\n--help\n");
        assertEquals(0, cli("@" + cmd), err);
        assertTrue(out.startsWith("Usage: candela explain "), out);
        // a word naming no file stays a word: here an input that is not there (exit 2 from explain, naming it)
        assertEquals(2, cli("inspect", "@" + tmp.resolve("missing.cnd")), err);
        assertTrue(err.contains("@" + tmp.resolve("missing.cnd")), err);
        Path big = Files.write(tmp.resolve("big.txt"), new byte[(int) dev.candela.cli.args.ArgFiles.MAX_FILE_BYTES + 1]);
        assertUsage("candela: argument file @" + big + " is larger than 1 MiB", "explain", "@" + big);
    }

    @Test
    void valuesPicocliAcceptedAreStillAccepted() {
        // --denoise's mode in capitals (Methods reads it in lower case): picocli took it as the value
        ExplainCommand e = new ExplainCommand();
        Main.parse(e, List.of("--denoise", "OFFICIAL", "x.png", "--layer", "a,b,"));
        assertEquals("OFFICIAL", e.methodOptions.denoise);
        assertEquals(List.of(Path.of("x.png")), e.images);
        assertEquals(List.of("a", "b"), e.shared.layers, "a trailing comma adds no empty layer name");
        ConvertCommand c = new ConvertCommand();
        Main.parse(c, List.of("in.onnx", "out.cnd", "--mean", "0.485,0.456,0.406,", "--offset", "-1", "--scale=0.5"));
        assertEquals(List.of(0.485f, 0.456f, 0.406f), c.mean);
        assertEquals(-1f, c.offset);
        List<String> args = new ArrayList<>(List.of("--model", "m.cnd", "--input", "x.npy", "--out", "-1", "--outputs="));
        RunCommand r = new RunCommand();
        Main.parse(r, args);
        assertEquals(Path.of("-1"), r.outDir);
        assertEquals(List.of(""), r.outputs, "--outputs= is one empty name (an error the run reports), as with picocli");
    }
}
