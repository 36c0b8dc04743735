package dev.candela;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages of candela-core form layers: no package reaches, through imports or qualified names in code,
 * a package that reaches back to it. The explanation packages are stacked
 * explain (targets, objective, Explanation) &lt; explain.cam (the session every method runs on) &lt;
 * explain.lrp (rules and composites) &lt; explain.attribution (Guided Backprop is a composite) &lt;
 * explain.fgcam, explain.sampled &lt; explainer (the registry and the
 * Explainer) &lt; explain.shapley. Comments are ignored: a {@code {@link}} to a higher package is documentation,
 * not a dependency.
 */
class PackageLayersTest {
    private static final Path SOURCES = Path.of("candela-core/src/main/java"); // tests run in the repository root
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\b(dev\\.candela(?:\\.[a-z]\\w*)+)\\.[A-Z]");
    private static final Pattern COMMENTS = Pattern.compile("//[^\\n]*|/\\*[\\s\\S]*?\\*/");

    private static final List<String> EXPLAIN_LAYERS = List.of(
            "dev.candela.explain", "dev.candela.explain.cam", "dev.candela.explain.lrp", "dev.candela.explain.attribution",
            "dev.candela.explain.fgcam dev.candela.explain.sampled", "dev.candela.explainer", "dev.candela.explain.shapley");

    @Test
    void packagesHaveNoDependencyCycle() throws IOException {
        List<Set<String>> cycles = cycles(dependencies());
        assertTrue(cycles.isEmpty(), "package cycles in candela-core: " + cycles);
    }

    @Test
    void explanationPackagesDependOnlyOnLowerLayers() throws IOException {
        Map<String, Integer> layer = new HashMap<>();
        for (int i = 0; i < EXPLAIN_LAYERS.size(); i++) for (String p : EXPLAIN_LAYERS.get(i).split(" ")) layer.put(p, i);
        List<String> upward = new ArrayList<>();
        for (var e : dependencies().entrySet()) {
            Integer from = layer.get(e.getKey());
            if (from == null) continue;
            for (String to : e.getValue()) {
                Integer l = layer.get(to);
                if (l != null && l >= from) upward.add(e.getKey() + " -> " + to);
            }
        }
        assertEquals(List.of(), upward, "an explanation package uses one at its own layer or above");
    }

    @Test
    void cycleFinderFindsACycle() {
        Map<String, Set<String>> g = new TreeMap<>();
        g.put("a", Set.of("b"));
        g.put("b", Set.of("c"));
        g.put("c", Set.of("a"));
        g.put("d", Set.of("a"));
        assertEquals(List.of(Set.of("a", "b", "c")), cycles(g));
    }

    /** Package to the packages its code names (imports and qualified references), comments stripped. */
    private static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> deps = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String src = COMMENTS.matcher(Files.readString(f)).replaceAll("");
                Matcher pm = PACKAGE.matcher(src);
                if (!pm.find()) continue;
                String pkg = pm.group(1);
                Set<String> out = deps.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(src.substring(pm.end()));
                while (m.find()) if (!m.group(1).equals(pkg)) out.add(m.group(1));
            }
        }
        assertTrue(deps.size() > 10, "found only " + deps.keySet() + " under " + SOURCES.toAbsolutePath());
        return deps;
    }

    /** Strongly connected components with more than one package (Tarjan). */
    static List<Set<String>> cycles(Map<String, Set<String>> g) {
        Map<String, Integer> index = new HashMap<>(), low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<Set<String>> out = new ArrayList<>();
        for (String v : g.keySet()) if (!index.containsKey(v)) strongConnect(v, g, index, low, stack, out);
        return out;
    }

    private static void strongConnect(String v, Map<String, Set<String>> g, Map<String, Integer> index, Map<String, Integer> low,
                                      Deque<String> stack, List<Set<String>> out) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        for (String w : g.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                strongConnect(w, g, index, low, stack, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (stack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) out.add(component);
        }
    }
}
