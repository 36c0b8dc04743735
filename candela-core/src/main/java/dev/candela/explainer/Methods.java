package dev.candela.explainer;

import dev.candela.explain.attribution.AttributionMethods;
import dev.candela.explain.attribution.AttributionSettings;
import dev.candela.explain.attribution.Quadrature;
import dev.candela.explainer.CamMethods;
import dev.candela.explain.fgcam.FgCam;
import dev.candela.explain.fgcam.FgCamMethod;
import dev.candela.explain.fgcam.RaisingRule;
import dev.candela.explain.lrp.Composite;
import dev.candela.explain.lrp.LrpMethod;
import dev.candela.explain.sampled.GradientShap;
import dev.candela.explain.sampled.Occlusion;
import dev.candela.explain.sampled.Rise;
import dev.candela.explain.sampled.SampledMethod;
import dev.candela.graph.Model;
import dev.candela.graph.Preprocessing;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one registry of methods and the one parser of method names and options. A method list is
 * {@code name[,name...]} where each name may carry its own options, {@code name(key=value,...)}:
 * <pre>
 *   grad-cam,fg-cam(base=score-cam,level=conv_pw_11_relu),lrp(composite=epsilon-plus),lrp(rule=epsilon)
 * </pre>
 * Options not given per method come from the run's defaults (the CLI flags {@code --base}, {@code --fg-layer},
 * {@code --rule}, ...; see {@link #OPTIONS}). {@code all} is every CAM method. Errors are
 * {@link IllegalArgumentException}s naming the method and the known names or keys.
 */
public final class Methods {
    private Methods() {}

    /** Option keys each method accepts (per method or as a run default), with the CLI flag that sets the default. */
    public static final Map<String, List<String>> OPTIONS = Map.ofEntries(
            Map.entry("occlusion", List.of("window", "stride", "baseline", "batch")),
            Map.entry("rise", List.of("masks", "cells", "p", "seed", "score", "batch")),
            Map.entry("gradient-shap", List.of("n-samples", "stdevs", "reference", "seed")),
            Map.entry("fem", List.of("k")),
            Map.entry("shapley-cam", List.of("target")),
            Map.entry("kpca-cam", List.of("kernel", "gamma")),
            Map.entry("dff", List.of("components")),
            Map.entry("finer-cam", List.of("alpha", "comparisons")),
            Map.entry("lime-cam", List.of("n-samples", "kernel-width", "alpha", "batch")),
            Map.entry("fg-cam", List.of("base", "level", "denoise", "zero", "batch")),
            Map.entry("score-cam", List.of("batch")), Map.entry("ss-cam", List.of("batch")), Map.entry("is-cam", List.of("batch")),
            Map.entry("group-cam", List.of("batch")), Map.entry("ablation-cam", List.of("batch")),
            Map.entry("lrp", List.of("rule", "composite", "bn", "residual")),
            Map.entry("deeplift", List.of("reference", "rules")),
            Map.entry("integrated-gradients", List.of("steps", "quadrature", "reference")),
            Map.entry("smoothgrad", List.of("samples", "noise", "seed")));

    /** Other spellings of option keys (the CLI flag names). */
    private static final Map<String, String> ALIASES = Map.ofEntries(Map.entry("fg-layer", "level"), Map.entry("fg-zero", "zero"),
            Map.entry("noise-level", "noise"), Map.entry("deeplift-rules", "rules"), Map.entry("lrp-bn", "bn"), Map.entry("lrp-residual", "residual"),
            Map.entry("layer", "level"), Map.entry("baselines", "reference"), Map.entry("n_samples", "n-samples"),
            Map.entry("sliding_window_shapes", "window"), Map.entry("strides", "stride"), Map.entry("kernel_width", "kernel-width"));

    /** Every method name: CAM methods, pixel attributions, lrp. */
    public static List<String> names() {
        List<String> n = new ArrayList<>(CamMethods.names());
        n.addAll(AttributionMethods.names());
        n.add("lrp");
        n.addAll(SampledMethod.names());
        return n;
    }

    public static boolean has(String name) { return names().contains(name.trim().toLowerCase(Locale.ROOT)); }

    /**
     * The run's default option values by key (see {@link #OPTIONS}); a key absent or null takes the
     * method's own default.
     */
    public record Defaults(Map<String, String> values) {
        public Defaults {
            Map<String, String> v = new LinkedHashMap<>();
            values.forEach((k, x) -> { if (x != null) v.put(k, x); });
            values = java.util.Collections.unmodifiableMap(v);
        }

        public static Defaults none() { return new Defaults(Map.of()); }
    }

    /** Parses a list of method specs (each element may itself be a comma-separated list). */
    public static List<Method> parse(List<String> specs, Defaults defaults, Model model) {
        // A run default for lrp (--rule, --composite, --lrp-bn, --lrp-residual) is checked even when no lrp is
        // asked for: a misspelt flag value must not pass silently.
        Map<String, String> lrpDefaults = new LinkedHashMap<>();
        for (String k : OPTIONS.get("lrp")) if (defaults.values().containsKey(k)) lrpDefaults.put(k, defaults.values().get(k));
        if (!lrpDefaults.isEmpty()) lrp(lrpDefaults, model);
        List<Method> out = new ArrayList<>();
        Set<String> labels = new HashSet<>();
        for (String spec : specs) {
            for (String item : splitTopLevel(spec)) {
                String t = item.trim();
                if (t.isEmpty()) continue;
                if (t.equalsIgnoreCase("all")) {
                    for (String n : CamMethods.names()) add(out, labels, build(n, n, Map.of(), defaults, model));
                    continue;
                }
                int open = t.indexOf('(');
                String name = (open < 0 ? t : t.substring(0, open)).trim().toLowerCase(Locale.ROOT);
                Map<String, String> own = new LinkedHashMap<>();
                if (open >= 0) {
                    if (!t.endsWith(")")) throw new IllegalArgumentException("--method '" + t + "': options go in parentheses, e.g. fg-cam(base=score-cam,level=input)");
                    String body = t.substring(open + 1, t.length() - 1);
                    for (String kv : body.split(",")) {
                        if (kv.isBlank()) continue;
                        int eq = kv.indexOf('=');
                        if (eq <= 0) throw new IllegalArgumentException("--method '" + t + "': option '" + kv.trim() + "' must be key=value");
                        String k = kv.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                        // occlusion's baseline is a value; elsewhere "baseline" means integrated-gradients' reference
                        String key = k.equals("baseline") && !name.equals("occlusion") ? "reference" : ALIASES.getOrDefault(k, k);
                        own.put(key, kv.substring(eq + 1).trim());
                    }
                }
                String label = own.isEmpty() ? name : name + "(" + String.join(",", own.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()) + ")";
                add(out, labels, build(name, label, own, defaults, model));
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("--method: no method given");
        return out;
    }

    /** One method by name with default options. */
    public static Method byName(String name, Model model) { return parse(List.of(name), Defaults.none(), model).get(0); }

    private static void add(List<Method> out, Set<String> labels, Method m) {
        if (!labels.add(m.label())) throw new IllegalArgumentException("--method: '" + m.label() + "' is given twice");
        out.add(m);
    }

    /** Splits at commas outside parentheses. */
    static List<String> splitTopLevel(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth = Math.max(0, depth - 1);
            else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    private static Method build(String name, String label, Map<String, String> own, Defaults defaults, Model model) {
        if (!has(name)) {
            List<String> valid = new ArrayList<>(names());
            valid.add("all");
            throw dev.candela.graph.Choices.unknown("CAM method", name, valid);
        }
        List<String> keys = OPTIONS.getOrDefault(name, List.of());
        for (String k : own.keySet()) {
            if (!keys.contains(k)) {
                throw new IllegalArgumentException("--method " + label + ": '" + name + "' has no option '" + k + "'"
                        + (keys.isEmpty() ? " (it takes none)" : "; its options: " + String.join(", ", keys)));
            }
        }
        Map<String, String> o = new LinkedHashMap<>();
        for (String k : keys) if (defaults.values().containsKey(k)) o.put(k, defaults.values().get(k));
        if (own.containsKey("rule")) o.remove("composite");
        if (own.containsKey("composite")) o.remove("rule");
        o.putAll(own);
        Integer batch = null;
        if (o.containsKey("batch")) {
            try {
                batch = Integer.parseInt(o.get("batch").trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--method " + label + ": batch must be a whole number, got '" + o.get("batch") + "'");
            }
            if (batch < 1) throw new IllegalArgumentException("--method " + label + ": batch must be >= 1, got " + batch);
        }
        if (name.equals("fg-cam")) return new Method.FgCam(label, fgCam(o, model), batch);
        if (name.equals("lrp")) return new Method.Lrp(label, lrp(o, model));
        if (CamMethods.has(name)) return new Method.Cam(label, camWithOptions(name, label, o), batch);
        if (SampledMethod.names().contains(name)) return new Method.Sampled(label, sampled(name, label, o), batch);
        return new Method.Pixel(label, name, attributionSettings(o, defaults));
    }

    /** A CAM method of the registry, built with its own options where it has any (fem's k, finer-cam's alpha, dff's components). */
    private static dev.candela.explain.cam.CamMethod camWithOptions(String name, String label, Map<String, String> o) {
        try {
            return switch (name) {
                case "fem" -> o.containsKey("k") ? new dev.candela.explain.cam.Fem(Double.parseDouble(o.get("k").trim())) : CamMethods.byName(name);
                case "finer-cam" -> new dev.candela.explain.cam.FinerCam(o.containsKey("alpha") ? Double.parseDouble(o.get("alpha").trim()) : 1,
                        o.containsKey("comparisons") ? Integer.parseInt(o.get("comparisons").trim()) : 3);
                case "shapley-cam" -> {
                    String t = o.getOrDefault("target", "objective").trim().toLowerCase(Locale.ROOT);
                    if (!t.equals("rest") && !t.equals("objective")) throw new IllegalArgumentException("shapley-cam: target must be objective (the run's --target) or rest, got '" + t + "'");
                    yield new dev.candela.explain.cam.ShapleyCam(t.equals("rest"));
                }
                case "lime-cam" -> {
                    dev.candela.explain.cam.LimeCam d = new dev.candela.explain.cam.LimeCam();
                    yield new dev.candela.explain.cam.LimeCam(o.containsKey("n-samples") ? Integer.parseInt(o.get("n-samples").trim()) : d.samples(),
                            o.containsKey("kernel-width") ? Double.parseDouble(o.get("kernel-width").trim()) : d.kernelWidth(),
                            o.containsKey("alpha") ? Double.parseDouble(o.get("alpha").trim()) : d.alpha());
                }
                case "kpca-cam" -> new dev.candela.explain.cam.KpcaCam(o.getOrDefault("kernel", "sigmoid"),
                        o.containsKey("gamma") ? Double.parseDouble(o.get("gamma").trim()) : Double.NaN);
                case "dff" -> o.containsKey("components") ? new dev.candela.explain.cam.Dff(Integer.parseInt(o.get("components").trim())) : CamMethods.byName(name);
                default -> CamMethods.byName(name);
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--method " + label + ": not a number (" + e.getMessage() + ")");
        }
    }

    private static SampledMethod sampled(String name, String label, Map<String, String> o) {
        try {
            return switch (name) {
                case "occlusion" -> {
                    Occlusion d = Occlusion.defaults();
                    int[] w = o.containsKey("window") ? dims(o.get("window"), "window") : d.window();
                    int[] st = o.containsKey("stride") ? dims(o.get("stride"), "stride") : d.stride();
                    float b = o.containsKey("baseline") ? Float.parseFloat(o.get("baseline").trim()) : d.baseline();
                    yield new Occlusion(w, st, b);
                }
                case "rise" -> {
                    Rise d = Rise.defaults();
                    String score = o.getOrDefault("score", "probability").trim().toLowerCase(Locale.ROOT);
                    if (!score.equals("probability") && !score.equals("logit")) throw new IllegalArgumentException("rise: score must be probability or logit, got '" + score + "'");
                    yield new Rise(o.containsKey("masks") ? Integer.parseInt(o.get("masks").trim()) : d.masks(),
                            o.containsKey("cells") ? Integer.parseInt(o.get("cells").trim()) : d.cells(),
                            o.containsKey("p") ? Double.parseDouble(o.get("p").trim()) : d.p(),
                            o.containsKey("seed") ? Long.parseLong(o.get("seed").trim()) : d.seed(), score.equals("probability"));
                }
                case "gradient-shap" -> {
                    GradientShap d = GradientShap.defaults();
                    yield new GradientShap(o.containsKey("n-samples") ? Integer.parseInt(o.get("n-samples").trim()) : d.samples(),
                            o.containsKey("stdevs") ? Double.parseDouble(o.get("stdevs").trim()) : d.stdev(),
                            o.containsKey("reference") ? AttributionSettings.parseReference(o.get("reference")) : d.baselines(),
                            o.containsKey("seed") ? Long.parseLong(o.get("seed").trim()) : d.seed());
                }
                default -> throw new IllegalArgumentException("unknown sampling method '" + name + "'");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--method " + label + ": not a number (" + e.getMessage() + ")");
        }
    }

    /**
     * Occlusion's window or stride: {@code K} (K x K over all channels), {@code HxW} (all channels) or
     * {@code CxHxW}; 0 in the channel place means all channels.
     */
    static int[] dims(String s, String what) {
        String[] p = s.trim().toLowerCase(Locale.ROOT).split("x");
        int[] v = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            v[i] = Integer.parseInt(p[i].trim());
            if (v[i] < 1) throw new IllegalArgumentException("occlusion: " + what + " sizes must be >= 1, got '" + s + "'");
        }
        return switch (v.length) {
            case 1 -> new int[]{0, v[0], v[0]};
            case 2 -> new int[]{0, v[0], v[1]};
            case 3 -> v;
            default -> throw new IllegalArgumentException("occlusion: " + what + " is K, HxW or CxHxW, got '" + s + "'");
        };
    }

    private static FgCamMethod fgCam(Map<String, String> o, Model model) {
        String denoise = o.get("denoise");
        FgCam.Denoise d = denoise == null ? FgCam.Denoise.NONE : switch (denoise.trim().toLowerCase(Locale.ROOT)) {
            case "official", "true" -> FgCam.Denoise.OFFICIAL;
            case "means-back" -> FgCam.Denoise.MEANS_BACK;
            case "none", "false" -> FgCam.Denoise.NONE;
            default -> throw new IllegalArgumentException("--denoise must be official or means-back, got '" + denoise + "'");
        };
        String zero = o.getOrDefault("zero", "drop");
        RaisingRule.ZeroDenominators z = switch (zero.trim().toLowerCase(Locale.ROOT)) {
            case "drop" -> RaisingRule.ZeroDenominators.DROP;
            case "spread" -> RaisingRule.ZeroDenominators.SPREAD;
            default -> throw new IllegalArgumentException("--fg-zero must be drop or spread, got '" + zero + "'");
        };
        String base = o.getOrDefault("base", "grad-cam").trim().toLowerCase(Locale.ROOT);
        if (!base.equals("score-cam-fg") && !CamMethods.has(base)) {
            throw new IllegalArgumentException("--base: unknown CAM method '" + base + "'; known: score-cam-fg, " + String.join(", ", CamMethods.names()));
        }
        if (base.equals("fg-cam")) throw new IllegalArgumentException("--base cannot be fg-cam itself");
        String level = o.getOrDefault("level", "input").trim();
        if (model != null) new dev.candela.graph.LayerNames(model.graph()).layer(level); // a wrong level is one error at parse time, not one per input
        return new FgCamMethod(base, base.equals("score-cam-fg") ? null : CamMethods.byName(base), level, d, z);
    }

    private static LrpMethod lrp(Map<String, String> o, Model model) {
        String rule = o.get("rule"), composite = o.get("composite");
        if (rule != null && composite != null) throw new IllegalArgumentException("lrp: give --rule or --composite, not both");
        float[][] bounds = model == null ? new float[][]{{0f}, {1f}} : inputBounds(model.preprocessing());
        Composite c = rule != null ? Composite.single(Composite.rule(rule.trim().toLowerCase(Locale.ROOT), bounds[0], bounds[1]))
                : Composite.named(composite == null ? "epsilon-plus" : composite.trim().toLowerCase(Locale.ROOT), bounds[0], bounds[1]);
        String residual = o.get("residual");
        if (residual != null) {
            String r = residual.trim().toLowerCase(Locale.ROOT);
            try {
                c = c.withResidual(Composite.residualRule(r), r);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("lrp: residual (--lrp-residual): " + e.getMessage(), e);
            }
        }
        String bn = o.getOrDefault("bn", "merge");
        boolean merge = switch (bn.trim().toLowerCase(Locale.ROOT)) {
            case "merge" -> true;
            case "pass" -> false;
            default -> throw new IllegalArgumentException("--lrp-bn must be merge or pass, got '" + bn + "'");
        };
        return new LrpMethod(c, merge);
    }

    private static AttributionSettings attributionSettings(Map<String, String> o, Defaults defaults) {
        AttributionSettings s = AttributionSettings.defaults();
        Map<String, String> all = new LinkedHashMap<>(defaults.values());
        all.putAll(o);
        try {
            if (all.containsKey("reference")) s = s.withReference(AttributionSettings.parseReference(all.get("reference")));
            if (all.containsKey("rules")) s = s.withDeepLift(AttributionSettings.parseDeepLiftRules(all.get("rules")));
            int steps = all.containsKey("steps") ? Integer.parseInt(all.get("steps").trim()) : s.steps();
            Quadrature q = all.containsKey("quadrature") ? Quadrature.parse(all.get("quadrature")) : s.quadrature();
            if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
            s = s.withIntegration(steps, q);
            int samples = all.containsKey("samples") ? Integer.parseInt(all.get("samples").trim()) : s.samples();
            double noise = all.containsKey("noise") ? Double.parseDouble(all.get("noise").trim()) : s.noiseLevel();
            long seed = all.containsKey("seed") ? Long.parseLong(all.get("seed").trim()) : s.seed();
            s = s.withNoise(samples, noise, seed);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("method option: not a number (" + e.getMessage() + ")");
        }
        return s;
    }

    /** Lowest and highest input value per channel that preprocessing can produce from pixels 0..255 (LRP's z-box bounds). */
    public static float[][] inputBounds(Preprocessing p) {
        if (p.mean() != null) {
            float[] lo = new float[p.mean().length], hi = new float[p.mean().length];
            for (int c = 0; c < lo.length; c++) {
                lo[c] = (0f - p.mean()[c]) / p.std()[c];
                hi[c] = (1f - p.mean()[c]) / p.std()[c];
            }
            return new float[][]{lo, hi};
        }
        float a = p.offset(), b = 255f * p.scale() + p.offset();
        return new float[][]{{Math.min(a, b)}, {Math.max(a, b)}};
    }
}
