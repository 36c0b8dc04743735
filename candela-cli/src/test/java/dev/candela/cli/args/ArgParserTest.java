package dev.candela.cli.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The command-line rules Candela's commands rely on (those picocli had, which scripts may depend on). */
class ArgParserTest {
    /** A command with one option of each kind, its values kept in fields. */
    static final class Fields {
        boolean force;
        Integer steps;
        float offset;
        String mode;
        List<String> layers = new ArrayList<>();
        List<String> methods;
        List<Path> images = new ArrayList<>();
        Path model;

        CommandSpec spec() {
            return CommandSpec.builder("demo", "A demo command.")
                    .operands("IMAGE", "images", ValueType.PATH, v -> images = v)
                    .flag("--force", "replace", v -> force = v)
                    .value("--steps", null, null, "steps", ValueType.INT, v -> steps = v)
                    .value("--offset", null, "0", "offset (default ${DEFAULT-VALUE})", ValueType.FLOAT, v -> offset = v)
                    .optionalValue("--denoise", "MODE", "official", Set.of("official", "means-back"), "denoise", v -> mode = v)
                    .list("--layer", null, ",", null, "layers", ValueType.STRING, v -> layers = v)
                    .list("--method|--methods", null, null, "grad-cam", "methods", ValueType.STRING, v -> methods = v)
                    .build();
        }

        Fields parse(String... args) {
            assertEquals(ArgParser.Request.RUN, ArgParser.parse(spec(), List.of(args)));
            return this;
        }
    }

    private static String error(String... args) {
        return assertThrows(UsageException.class, () -> new Fields().parse(args)).getMessage();
    }

    @Test void attachedAndSeparateValuesAreTheSame() {
        Fields a = new Fields().parse("--steps", "7", "--offset", "-1", "x.png");
        Fields b = new Fields().parse("--steps=7", "--offset=-1", "x.png");
        assertEquals(7, a.steps);
        assertEquals(-1f, a.offset);
        assertEquals(a.steps, b.steps);
        assertEquals(a.offset, b.offset);
        assertEquals(List.of(Path.of("x.png")), a.images);
    }

    @Test void absentOptionsTakeTheirDefaultOrKeepTheFieldsValue() {
        Fields f = new Fields().parse();
        assertNull(f.steps);
        assertEquals(0f, f.offset);
        assertEquals(List.of("grad-cam"), f.methods);
        assertNull(f.mode);
        assertFalse(f.force);
        assertTrue(f.images.isEmpty());
    }

    @Test void listsRepeatSplitAndReplaceTheirDefault() {
        Fields f = new Fields().parse("--layer", "a,b", "--layer=c", "--method", "score-cam", "--methods", "fg-cam(base=score-cam,level=input)");
        assertEquals(List.of("a", "b", "c"), f.layers);
        assertEquals(List.of("score-cam", "fg-cam(base=score-cam,level=input)"), f.methods);
    }

    @Test void anOptionalValueTakesTheNextArgumentOnlyWhenItIsOneOfItsWords() {
        assertEquals("official", new Fields().parse("--denoise").mode);
        assertEquals("means-back", new Fields().parse("--denoise", "means-back").mode);
        assertEquals("means-back", new Fields().parse("--denoise=means-back").mode);
        Fields f = new Fields().parse("--denoise", "x.png");
        assertEquals("official", f.mode);
        assertEquals(List.of(Path.of("x.png")), f.images);
    }

    @Test void switchesTakeNoValueOrABoolean() {
        assertTrue(new Fields().parse("--force").force);
        assertFalse(new Fields().parse("--force=false").force);
        assertEquals("Invalid value for option '--force': 'yes' is not a boolean", error("--force=yes"));
    }

    @Test void doubleDashEndsTheOptions() {
        Fields f = new Fields().parse("--", "--force", "-x.png");
        assertFalse(f.force);
        assertEquals(List.of(Path.of("--force"), Path.of("-x.png")), f.images);
    }

    @Test void everyMistakeIsOneLineNamingTheOption() {
        assertEquals("Unknown option: '--stpes' (did you mean '--steps'?)", error("--stpes", "3"));
        assertEquals("Unknown option: '--zzzzzzzz'", error("--zzzzzzzz"));
        assertEquals("Invalid value for option '--steps': 'x' is not an int", error("--steps", "x"));
        assertEquals("Missing required parameter for option '--steps' (<steps>)", error("--steps"));
        assertEquals("Missing required parameter for option '--steps' (<steps>)", error("--steps", "--force"));
        assertEquals("option '--steps' (<steps>) should be specified only once", error("--steps", "1", "--steps=2"));
        assertEquals("Invalid value for option '--offset': 'abc' is not a float", error("--offset=abc"));
    }

    @Test void requiredOptionsAndOperandsAreCounted() {
        Object[] seen = new Object[3];
        CommandSpec spec = CommandSpec.builder("convert", "d")
                .operand("IN.onnx", "in", ValueType.STRING, v -> seen[0] = v)
                .operand("OUT.cnd", "out", ValueType.STRING, v -> seen[1] = v)
                .value("--out", null, null, "dir", ValueType.STRING, v -> seen[2] = v).required()
                .build();
        assertEquals("Missing required option: '--out=<out>'", assertThrows(UsageException.class, () -> ArgParser.parse(spec, List.of("a", "b"))).getMessage());
        assertEquals("Missing required parameter: 'OUT.cnd'", assertThrows(UsageException.class, () -> ArgParser.parse(spec, List.of("a", "--out", "d"))).getMessage());
        assertEquals("Unmatched argument at index 3: 'c'", assertThrows(UsageException.class, () -> ArgParser.parse(spec, List.of("a", "b", "--out=d", "c"))).getMessage());
        ArgParser.parse(spec, List.of("a", "--out", "d", "b"));
        assertEquals(List.of("a", "b", "d"), List.of(seen));
    }

    @Test void helpAndVersionWinOverEverythingButMistakes() {
        assertEquals(ArgParser.Request.HELP, ArgParser.parse(new Fields().spec(), List.of("--steps", "3", "-h")));
        assertEquals(ArgParser.Request.VERSION, ArgParser.parse(new Fields().spec(), List.of("--version")));
        assertEquals(ArgParser.Request.HELP, ArgParser.parse(new Fields().spec(), List.of("-V", "--help")));
    }

    @Test void helpListsEveryOptionWithItsDefaultWithinEightyColumns() {
        String help = HelpText.of("candela", new Fields().spec());
        assertTrue(help.startsWith("Usage: candela demo [-hV] [OPTIONS] [IMAGE...]\nA demo command.\n"), help);
        for (String name : List.of("--force", "--steps=<steps>", "--denoise[=MODE]", "--layer=<layer>", "--method, --methods=<method>", "-h, --help")) {
            assertTrue(help.contains(name), name + " in\n" + help);
        }
        assertTrue(help.contains("offset (default 0)"), help);
        for (String line : help.split("\n")) assertTrue(line.length() <= 80, line);
    }

    @Test void aNameDeclaredTwiceIsRefused() {
        assertThrows(IllegalStateException.class, () -> CommandSpec.builder("x", "d").flag("--a", "a", v -> {}).flag("--b|--a", "b", v -> {}).build());
        assertThrows(IllegalStateException.class, () -> CommandSpec.builder("x", "d").flag("--help", "h", v -> {}).build());
    }

    // picocli 4.7's rules that the first version of this parser missed (each case below failed before the fix)

    @Test void splitDropsTrailingEmptyPartsAsPicocliDid() {
        // String.split without a limit: "--mean 0.5,0.5," was two values, "--layer ," none
        assertEquals(List.of("a", "b"), new Fields().parse("--layer", "a,b,").layers);
        assertEquals(List.of(), new Fields().parse("--layer", ",").layers);
        assertEquals(List.of("a", "", "b"), new Fields().parse("--layer=a,,b").layers);
    }

    @Test void aSwitchGivenTwiceIsAnErrorAsEverySingleValuedOption() {
        assertEquals("option '--force' should be specified only once", error("--force", "--force"));
        assertEquals("option '--force' should be specified only once", error("--force=false", "--force"));
    }

    @Test void helpWinsOverUnknownOptionsAndMissingArgumentsButNotOverABadValue() {
        CommandSpec required = CommandSpec.builder("run", "d")
                .operand("MODEL", "m", ValueType.STRING, v -> {})
                .value("--out", null, null, "dir", ValueType.STRING, v -> {}).required()
                .build();
        assertEquals(ArgParser.Request.HELP, ArgParser.parse(required, List.of("--bogus", "--help")));
        assertEquals(ArgParser.Request.HELP, ArgParser.parse(required, List.of("a", "b", "c", "-h")));
        assertEquals(ArgParser.Request.VERSION, ArgParser.parse(required, List.of("--bogus", "-V")));
        assertEquals(ArgParser.Request.HELP, ArgParser.parse(required, List.of("-hV")), "a cluster of -h and -V");
        assertEquals(ArgParser.Request.VERSION, ArgParser.parse(required, List.of("-VV")));
        assertEquals(ArgParser.Request.HELP, ArgParser.parse(required, List.of("--help=true")));
        assertEquals("Invalid value for option '--steps': 'x' is not an int", error("--steps", "x", "--help"));
        assertEquals("Invalid value for option '--steps': 'x' is not an int", error("--help", "--steps=x"));
        // without help, an unknown option is still named, after the values were read (picocli's order)
        assertEquals("Unknown option: '--bogus'", error("--bogus", "x.png"));
        assertEquals("Invalid value for option '--steps': 'x' is not an int", error("--bogus", "--steps", "x"));
    }

    @Test void anyNumberPicocliReadAsANumberIsAnOperandNotAnUnknownOption() {
        // picocli: Long.decode or Double.parseDouble succeeds -> not an option
        for (String n : List.of("-1", "-1f", "-1e3", "-.5", "-0x10", "-Infinity", "-1.5d")) {
            assertEquals(List.of(Path.of(n)), new Fields().parse(n).images, n);
        }
        assertEquals(-2f, new Fields().parse("--offset", "-2f").offset);
        assertTrue(error("-x").startsWith("Unknown option: '-x'"));
    }

    @Test void anOptionalValuesWordsMatchInAnyCaseAsTheMethodsReadThem() {
        // Methods reads --denoise trimmed and in lower case, so picocli's "--denoise OFFICIAL x.png" worked
        Fields f = new Fields().parse("--denoise", "MEANS-BACK", "x.png");
        assertEquals("MEANS-BACK", f.mode);
        assertEquals(List.of(Path.of("x.png")), f.images);
        assertEquals(" official", new Fields().parse("--denoise", " official").mode);
    }

    @Test void aClusterOfHelpSwitchesIsNeverAValue() {
        assertEquals("Missing required parameter for option '--steps' (<steps>)", error("--steps", "-hV"));
        assertEquals("Missing required parameter for option '--steps' (<steps>)", error("--steps", "--help=true"));
        assertEquals(ArgParser.Request.HELP, ArgParser.parse(new Fields().spec(), List.of("-", "-h")), "'-' is an operand");
    }

    @Test void withoutOperandsAnOptionalValueTakesAnyWordThatIsNoOption() {
        // evaluate has no operands: picocli's "--denoise other" was the value, not an unmatched argument
        String[] mode = new String[1];
        CommandSpec noOperands = CommandSpec.builder("evaluate", "d")
                .optionalValue("--denoise", null, "official", Set.of("official"), "d", v -> mode[0] = v)
                .flag("--force", "f", v -> {})
                .build();
        ArgParser.parse(noOperands, List.of("--denoise", "other"));
        assertEquals("other", mode[0]);
        ArgParser.parse(noOperands, List.of("--denoise", "--force"));
        assertEquals("official", mode[0]);
    }
}
