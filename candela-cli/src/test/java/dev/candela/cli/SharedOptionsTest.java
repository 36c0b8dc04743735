package dev.candela.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import dev.candela.cli.args.OptionSpec;

/** A flag that explain and evaluate both take means the same in each: same description, same default. */
class SharedOptionsTest {
    private static final List<String> SHARED = List.of("--model", "--layer", "--threads", "--seed", "--allow-non-finite",
            "--cam-batch-size", "--method", "--base", "--fg-layer", "--rule", "--composite", "--steps", "--samples", "--reference",
            "--fusion", "--report", "--out", "--annotations", "--input");

    @Test
    void everySharedFlagHasOneMeaningInExplainAndEvaluate() {
        var explain = new ExplainCommand().spec();
        var evaluate = new EvaluateCommand().spec();
        for (String name : SHARED) {
            OptionSpec a = explain.option(name), b = evaluate.option(name);
            assertNotNull(a, "explain lacks " + name);
            assertNotNull(b, "evaluate lacks " + name);
            if (List.of("--method", "--report", "--out", "--annotations", "--input").contains(name)) continue; // each command's own wording
            assertEquals(a.description(), b.description(), name);
            assertEquals(a.defaultValue(), b.defaultValue(), name + " default");
        }
    }

    @Test
    void batchSizeNamesAreUnambiguous() {
        var explain = new ExplainCommand().spec();
        var evaluate = new EvaluateCommand().spec();
        // explain's old --batch-size is its --cam-batch-size; evaluate's old --batch-size is its --metric-batch-size
        assertEquals(explain.option("--batch-size"), explain.option("--cam-batch-size"));
        assertEquals(evaluate.option("--batch-size"), evaluate.option("--metric-batch-size"));
    }
}
