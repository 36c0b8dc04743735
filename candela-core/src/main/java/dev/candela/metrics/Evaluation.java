package dev.candela.metrics;

import dev.candela.run.Executor;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Runs every method x metric over a list of samples, one image at a time, and collects per-image
 * values, mean deletion/insertion curves and a summary (mean, 95% confidence interval, n).
 *
 * <p>Reproducible: ROAD noise and the randomisation of the sanity check are seeded from the
 * evaluation seed, the image name and the method name (not from the order of work), so the same
 * seed gives the same numbers; the executor's kernels are bit-identical for any thread count.
 */
public final class Evaluation {
    /** One value: image x method x metric. */
    public record Row(String image, String method, String metric, double value) implements java.io.Serializable {}

    /** Mean with a two-sided 95% Student-t interval ({@code NaN} bounds when n &lt; 2). */
    public record Stat(double mean, double ciLow, double ciHigh, int n, double std) {
        public static Stat of(double[] v) {
            int n = v.length;
            double mean = 0;
            for (double x : v) mean += x;
            mean /= Math.max(n, 1);
            if (n < 2) return new Stat(n == 0 ? Double.NaN : mean, Double.NaN, Double.NaN, n, Double.NaN);
            double ss = 0;
            for (double x : v) ss += (x - mean) * (x - mean);
            double std = Math.sqrt(ss / (n - 1));
            double half = new TDistribution(n - 1).inverseCumulativeProbability(0.975) * std / Math.sqrt(n);
            return new Stat(mean, mean - half, mean + half, n, std);
        }
    }

    /** Mean curve of one method (fractions, mean score, number of images averaged). */
    public record MeanCurve(double[] fractions, double[] scores, int n) {}

    public record Result(List<Row> rows, Map<String, Map<String, Stat>> summary,
                         Map<String, Map<DeletionInsertion.Kind, MeanCurve>> curves, List<String> notes) {}

    /** Told after each image x method. */
    @FunctionalInterface
    public interface Progress {
        void done(int step, int total, String image, String method);
    }

    /** Told the rows of each image x method as soon as they are computed (e.g. to write them at once). */
    @FunctionalInterface
    public interface RowListener {
        void rows(List<Row> rows);
    }

    private RowListener rowListener;

    /** Streams each image x method's rows to {@code listener} as they are computed. */
    public Evaluation withRowListener(RowListener listener) {
        this.rowListener = listener;
        return this;
    }

    private final Executor executor;
    private final Scorer scorer;
    private final MetricSet options;
    private final List<String> metrics;
    private final Map<String, MapFunction> methods;
    private ShapleySource shapley;
    private java.util.Set<String> sanitySkip = java.util.Set.of();

    public Evaluation(Executor executor, Scorer scorer, MetricSet options, List<String> metrics, Map<String, MapFunction> methods) {
        if (methods.isEmpty()) throw new IllegalArgumentException("no method given");
        this.executor = executor;
        this.scorer = scorer;
        this.options = options;
        this.metrics = List.copyOf(metrics);
        this.methods = new LinkedHashMap<>(methods);
    }

    /** Enables the coefficient-fidelity metrics ("shapley-spearman", "shapley-cosine", "shapley-rel-error", "shapley-ref-se"). */
    public Evaluation withShapley(ShapleySource source) {
        this.shapley = source;
        return this;
    }

    /** Methods left out of the randomisation sanity check (too slow to rerun per layer); noted in the result. */
    public Evaluation withSanitySkip(java.util.Collection<String> methods) {
        this.sanitySkip = java.util.Set.copyOf(methods);
        return this;
    }

    /** A seed for (image, method) that does not depend on the order of work. */
    static long seedFor(long seed, String image, String method) {
        long h = seed * 0x9E3779B97F4A7C15L;
        h ^= image.hashCode() * 0xC2B2AE3D27D4EB4FL;
        h ^= (long) method.hashCode() << 17;
        return h ^ (h >>> 31);
    }

    private static boolean hasNaN(Tensor t) {
        for (float v : t.data()) if (Float.isNaN(v)) return true;
        return false;
    }

    public Result run(List<Sample> samples, Progress progress) {
        return finish(partial(samples, progress));
    }

    /**
     * What the images of a run have given so far: their rows and what the summary, the mean curves and the notes
     * are made of. {@link #partial} of each image on its own (e.g. on a Spark executor), {@link #add}ed in the
     * order of the images, then {@link #finish}ed, gives the bits {@link #run} gives: each image's numbers depend
     * only on that image, and the curve sums are added in image order from zero, as {@code run} adds them.
     * The run-level metrics (sufficiency, sensitivity-n) keep the images' maps and inputs here: a partial that
     * holds any cannot be serialised.
     */
    public static final class Partial implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        int samples;
        final List<Row> rows = new ArrayList<>();
        final LinkedHashMap<String, LinkedHashMap<DeletionInsertion.Kind, double[]>> curveSums = new LinkedHashMap<>();
        final LinkedHashMap<String, LinkedHashMap<DeletionInsertion.Kind, double[]>> curveX = new LinkedHashMap<>();
        final LinkedHashMap<String, int[]> curveCounts = new LinkedHashMap<>();
        boolean pointingSkipped, localisationSkipped;
        final java.util.LinkedHashSet<String> noCoefficients = new java.util.LinkedHashSet<>(), notCompared = new java.util.LinkedHashSet<>();
        final LinkedHashMap<String, Integer> nanMaps = new LinkedHashMap<>();
        final LinkedHashMap<String, List<float[]>> batchMaps = new LinkedHashMap<>(), suffMaps = new LinkedHashMap<>();
        final LinkedHashMap<String, List<Sample>> batchSamples = new LinkedHashMap<>();
        final LinkedHashMap<String, List<Integer>> suffPredicted = new LinkedHashMap<>();
        final LinkedHashMap<String, List<String>> suffNames = new LinkedHashMap<>();

        /** The per-image rows gathered (image, then method, then metric order). */
        public List<Row> rows() { return java.util.Collections.unmodifiableList(rows); }

        /** Appends {@code other}'s images after this one's. */
        public Partial add(Partial other) {
            samples += other.samples;
            rows.addAll(other.rows);
            other.curveSums.forEach((method, byKind) -> byKind.forEach((kind, sum) -> {
                double[] acc = curveSums.computeIfAbsent(method, k -> new LinkedHashMap<>()).computeIfAbsent(kind, k -> new double[sum.length]);
                if (acc.length == sum.length) for (int i = 0; i < acc.length; i++) acc[i] += sum[i];
            }));
            other.curveX.forEach((method, byKind) -> curveX.computeIfAbsent(method, k -> new LinkedHashMap<>()).putAll(byKind));
            other.curveCounts.forEach((method, c) -> {
                int[] acc = curveCounts.computeIfAbsent(method, k -> new int[2]);
                for (int i = 0; i < acc.length; i++) acc[i] += c[i];
            });
            pointingSkipped |= other.pointingSkipped;
            localisationSkipped |= other.localisationSkipped;
            noCoefficients.addAll(other.noCoefficients);
            notCompared.addAll(other.notCompared);
            other.nanMaps.forEach((method, n) -> nanMaps.merge(method, n, Integer::sum));
            other.batchMaps.forEach((k, v) -> batchMaps.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
            other.batchSamples.forEach((k, v) -> batchSamples.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
            other.suffMaps.forEach((k, v) -> suffMaps.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
            other.suffPredicted.forEach((k, v) -> suffPredicted.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
            other.suffNames.forEach((k, v) -> suffNames.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
            return this;
        }
    }

    /** Every method x metric over {@code samples}, without the run's summary (see {@link Partial}). */
    public Partial partial(List<Sample> samples, Progress progress) {
        Partial p = new Partial();
        p.samples = samples.size();
        List<Row> rows = p.rows;
        Map<String, LinkedHashMap<DeletionInsertion.Kind, double[]>> curveSums = p.curveSums;
        Map<String, LinkedHashMap<DeletionInsertion.Kind, double[]>> curveX = p.curveX;
        Map<String, int[]> curveCounts = p.curveCounts;
        DeletionInsertion rise = DeletionInsertion.rise(options.riseStep());
        int total = samples.size() * methods.size(), step = 0;
        java.util.Set<String> noCoefficients = p.noCoefficients;
        Map<String, ShapleySource.Reference> shapleyCache = new java.util.HashMap<>();
        // the shapley-* metrics share one comparison per image and method, made at the first of them asked for
        String firstShapley = metrics.stream().filter(x -> x.startsWith("shapley-")).findFirst().orElse("");
        Map<String, Integer> nanMaps = p.nanMaps;
        java.util.Set<String> notCompared = p.notCompared;
        // sufficiency relates the maps of every image of the run (one Quantus batch): collected here, scored at the end
        boolean sufficiency = metrics.contains("sufficiency");
        Map<String, List<float[]>> batchMaps = p.batchMaps;
        Map<String, List<Sample>> batchSamples = p.batchSamples;
        Map<String, List<float[]>> suffMaps = p.suffMaps;
        Map<String, List<Integer>> suffPredicted = p.suffPredicted;
        Map<String, List<String>> suffNames = p.suffNames;
        for (Sample s : samples) {
            int[] target = {s.target()};
            int predicted = sufficiency ? QuantusMetrics.argmax(executor.forward(s.input(), java.util.Set.of()).output().data()) : -1;
            for (Map.Entry<String, MapFunction> m : methods.entrySet()) {
                String method = m.getKey();
                MapFunction fn = m.getValue().forImage(s.name());
                int firstRow = rows.size();
                long t0 = System.nanoTime();
                MapFunction.Output explained = fn.explain(executor, s.input(), target);
                Tensor maps = explained.maps();
                double millis = (System.nanoTime() - t0) / 1e6;
                if (hasNaN(maps)) {
                    // TorchCAM's metrics skip NaN maps and count them; so do we, per method
                    nanMaps.merge(method, 1, Integer::sum);
                    if (progress != null) progress.done(++step, total, s.name(), method);
                    continue;
                }
                MapBatch batch = new MapBatch(s.input(), maps, target);
                long seed = seedFor(options.seed(), s.name(), method);
                Road road = Road.seeded(seed);
                Map<String, ImageMetric> scoreMetrics = options.scoreMetrics(metrics, road, seed);
                for (String metric : metrics) {
                    switch (metric) {
                        case "time-ms" -> rows.add(new Row(s.name(), method, metric, millis));
                        case "sensitivity-n" -> {
                            batchMaps.computeIfAbsent(method, k -> new ArrayList<>()).add(batch.map(0));
                            batchSamples.computeIfAbsent(method, k -> new ArrayList<>()).add(s);
                        }
                        case "sufficiency" -> {
                            suffMaps.computeIfAbsent(method, k -> new ArrayList<>()).add(batch.map(0).clone());
                            suffPredicted.computeIfAbsent(method, k -> new ArrayList<>()).add(predicted);
                            suffNames.computeIfAbsent(method, k -> new ArrayList<>()).add(s.name());
                        }
                        case "deletion", "insertion" -> {
                            DeletionInsertion.Kind kind = metric.equals("deletion") ? DeletionInsertion.Kind.DELETION : DeletionInsertion.Kind.INSERTION;
                            DeletionInsertion.Curve c = rise.curves(kind, scorer, batch)[0];
                            rows.add(new Row(s.name(), method, metric, c.auc()));
                            double[] sum = curveSums.computeIfAbsent(method, k -> new LinkedHashMap<>()).computeIfAbsent(kind, k -> new double[c.scores().length]);
                            curveX.computeIfAbsent(method, k -> new LinkedHashMap<>()).put(kind, c.fractions());
                            if (sum.length == c.scores().length) {
                                for (int i = 0; i < sum.length; i++) sum[i] += c.scores()[i];
                                curveCounts.computeIfAbsent(method, k -> new int[2])[kind.ordinal()]++;
                            }
                        }
                        case "top-k-intersection", "relevance-rank-accuracy", "relevance-mass-accuracy", "attribution-localisation" -> {
                            if (s.boxes().isEmpty()) { p.localisationSkipped = true; continue; }
                            boolean[] mask = QuantusMetrics.mask(batch.height(), batch.width(), s.boxes());
                            rows.add(new Row(s.name(), method, metric, QuantusMetrics.localisation(metric, batch.map(0), mask)));
                        }
                        case "random-logit" -> {
                            int classes = executor.model().numClasses();
                            if (classes < 2) continue;
                            int off = QuantusMetrics.offClass(s.target(), new java.util.SplittableRandom(seed).nextInt(classes - 1));
                            Tensor offMaps = fn.maps(executor, s.input(), new int[]{off});
                            rows.add(new Row(s.name(), method, metric, QuantusMetrics.randomLogit(batch.map(0), new MapBatch(s.input(), offMaps, new int[]{off}).map(0))));
                        }
                        case "max-sensitivity", "avg-sensitivity" -> {
                            if (metric.equals("avg-sensitivity") && metrics.contains("max-sensitivity")) continue; // computed together
                            double[] sens = QuantusMetrics.sensitivities(x -> fn.maps(executor, x, target).data(), batch.map(0), s.input(),
                                    QuantusMetrics.SENSITIVITY_SAMPLES, QuantusMetrics.uniformNoise(seed ^ 0x5EED5L, 0.2));
                            double max = Double.NEGATIVE_INFINITY, mean = 0;
                            for (double v : sens) { max = Math.max(max, v); mean += v / sens.length; }
                            if (metrics.contains("max-sensitivity")) rows.add(new Row(s.name(), method, "max-sensitivity", max));
                            if (metrics.contains("avg-sensitivity")) rows.add(new Row(s.name(), method, "avg-sensitivity", mean));
                        }
                        case "local-lipschitz-estimate" -> {
                            rows.add(new Row(s.name(), method, metric, QuantusMetrics.localLipschitz(x -> fn.maps(executor, x, target).data(), batch.map(0),
                                    s.input(), QuantusMetrics.SENSITIVITY_SAMPLES, QuantusMetrics.gaussianNoise(seed ^ 0x11EL, 0.1))));
                        }
                        case "smooth-mprt" -> {
                            if (sanitySkip.contains(method)) continue;
                            // Quantus cascades from the first layer up; the mean over the randomised stages
                            CascadingRandomisation cr = new CascadingRandomisation(seed);
                            List<String> bottomUp = new ArrayList<>(CascadingRandomisation.layersTopFirst(executor.model().graph()));
                            java.util.Collections.reverse(bottomUp);
                            List<QuantusMetrics.Reexplain> stages = new ArrayList<>();
                            dev.candela.graph.Model current = executor.model();
                            for (String layer : bottomUp) {
                                current = cr.randomise(current, layer);
                                Executor stage = new Executor(current, executor.kernels());
                                stages.add(x -> fn.maps(stage, x, target).data());
                            }
                            double[] sims = QuantusMetrics.smoothMprtSimilarities(batch.map(0), stages, s.input(), QuantusMetrics.SMOOTH_MPRT_SAMPLES,
                                    QuantusMetrics.gaussianNoise(seed ^ 0x5300L, 1.0));
                            double mean = 0;
                            for (double v : sims) mean += v / sims.length;
                            rows.add(new Row(s.name(), method, metric, mean));
                        }
                        case "efficient-mprt" -> {
                            if (sanitySkip.contains(method)) continue;
                            CascadingRandomisation cr = new CascadingRandomisation(seed);
                            dev.candela.graph.Model random = executor.model();
                            for (String layer : CascadingRandomisation.layersTopFirst(random.graph())) random = cr.randomise(random, layer);
                            Tensor randomMaps = fn.maps(new Executor(random, executor.kernels()), s.input(), target);
                            float[] rm = new MapBatch(s.input(), randomMaps, target).map(0);
                            rows.add(new Row(s.name(), method, metric, QuantusMetrics.efficientMprt(batch.map(0), rm)));
                        }
                        case "input-invariance" -> {
                            Tensor shifted = s.input().copy();
                            float[] d = shifted.data();
                            for (int e = 0; e < d.length; e++) d[e] -= 1;
                            Executor shiftedEx = new Executor(QuantusMetrics.shiftedModel(executor.model(), -1f), executor.kernels());
                            float[] sm = new MapBatch(s.input(), fn.maps(shiftedEx, shifted, target), target).map(0);
                            rows.add(new Row(s.name(), method, metric, QuantusMetrics.inputInvariance(batch.map(0), sm)));
                        }
                        case "continuity" -> {
                            rows.add(new Row(s.name(), method, metric, QuantusMetrics.continuity(x -> fn.maps(executor, x, target).data(), batch.map(0), s.input(), 28)));
                        }
                        case "relative-input-stability", "relative-output-stability" -> {
                            if (metric.equals("relative-output-stability") && metrics.contains("relative-input-stability")) continue; // computed together
                            double[] rs = QuantusMetrics.relativeStability(x -> fn.maps(executor, x, target).data(),
                                    x -> executor.forward(x, java.util.Set.of()).output().data(), batch.map(0), s.input(),
                                    QuantusMetrics.SENSITIVITY_SAMPLES, QuantusMetrics.uniformNoise(seed ^ 0x7215L, 0.02, 0.2));
                            if (metrics.contains("relative-input-stability")) rows.add(new Row(s.name(), method, "relative-input-stability", rs[0]));
                            if (metrics.contains("relative-output-stability")) rows.add(new Row(s.name(), method, "relative-output-stability", rs[1]));
                        }
                        case "pointing-game" -> {
                            if (s.boxes().isEmpty()) { p.pointingSkipped = true; continue; }
                            rows.add(new Row(s.name(), method, metric, PointingGame.energy(batch.map(0), batch.height(), batch.width(), s.boxes())));
                        }
                        case "shapley-spearman", "shapley-cosine", "shapley-rel-error", "shapley-ref-se" -> {
                            if (!metric.equals(firstShapley)) continue; // computed together
                            if (explained.coefficients() == null || explained.layer() == null) { noCoefficients.add(method); continue; }
                            if (shapley == null) throw new IllegalStateException("coefficient fidelity asked for but no Shapley source was given");
                            String key = s.name() + "\u0000" + explained.layer();
                            ShapleySource.Reference reference = shapleyCache.computeIfAbsent(key, k -> shapley.reference(executor, s.input(), explained.layer(), s.target()));
                            double[] ref = reference.phi();
                            float[] cf = explained.coefficients().data();
                            double[] phi = new double[ref.length];
                            if (cf.length != phi.length) {
                                // e.g. Group-CAM weights groups of channels, not channels
                                notCompared.add(method + " (" + cf.length + " coefficients for " + ref.length + " maps)");
                                continue;
                            }
                            for (int i = 0; i < phi.length; i++) phi[i] = cf[i];
                            CoefficientFidelity.Result fr = CoefficientFidelity.compare(phi, ref);
                            if (metrics.contains("shapley-spearman")) rows.add(new Row(s.name(), method, "shapley-spearman", fr.spearman()));
                            if (metrics.contains("shapley-cosine")) rows.add(new Row(s.name(), method, "shapley-cosine", fr.cosine()));
                            if (metrics.contains("shapley-rel-error")) rows.add(new Row(s.name(), method, "shapley-rel-error", fr.relativeError()));
                            if (metrics.contains("shapley-ref-se")) rows.add(new Row(s.name(), method, "shapley-ref-se", reference.relativeStandardError()));
                        }
                        case "sanity-spearman", "sanity-ssim" -> {
                            if (metric.equals("sanity-ssim") && metrics.contains("sanity-spearman")) continue; // computed together
                            if (sanitySkip.contains(method)) continue;
                            List<CascadingRandomisation.Step> steps = new CascadingRandomisation(seed).run(executor, fn, s.input(), target, options.sanityLayers());
                            CascadingRandomisation.Step last = steps.get(steps.size() - 1);
                            if (metrics.contains("sanity-spearman")) rows.add(new Row(s.name(), method, "sanity-spearman", last.spearman()[0]));
                            if (metrics.contains("sanity-ssim")) rows.add(new Row(s.name(), method, "sanity-ssim", last.ssim()[0]));
                        }
                        default -> rows.add(new Row(s.name(), method, metric, scoreMetrics.get(metric).evaluate(scorer, batch)[0]));
                    }
                }
                if (rowListener != null) rowListener.rows(List.copyOf(rows.subList(firstRow, rows.size())));
                if (progress != null) progress.done(++step, total, s.name(), method);
            }
        }
        return p;
    }

    /** The run's result from the partials of all its images (in image order): rows, summary, mean curves, notes. */
    public Result finish(Partial p) {
        List<Row> rows = new ArrayList<>(p.rows);
        List<String> notes = new ArrayList<>();
        boolean sufficiency = metrics.contains("sufficiency"), sensitivityN = metrics.contains("sensitivity-n");
        Map<String, List<float[]>> suffMaps = p.suffMaps, batchMaps = p.batchMaps;
        Map<String, List<Integer>> suffPredicted = p.suffPredicted;
        Map<String, List<String>> suffNames = p.suffNames;
        Map<String, List<Sample>> batchSamples = p.batchSamples;
        java.util.Set<String> noCoefficients = p.noCoefficients, notCompared = p.notCompared;
        Map<String, Integer> nanMaps = p.nanMaps;
        boolean pointingSkipped = p.pointingSkipped, localisationSkipped = p.localisationSkipped;
        Map<String, LinkedHashMap<DeletionInsertion.Kind, double[]>> curveSums = p.curveSums, curveX = p.curveX;
        Map<String, int[]> curveCounts = p.curveCounts;
        int sampleCount = p.samples;
        if (sufficiency) {
            for (Map.Entry<String, List<float[]>> e : suffMaps.entrySet()) {
                List<Integer> pr = suffPredicted.get(e.getKey());
                double[] v = QuantusMetrics.sufficiency(e.getValue(), pr.stream().mapToInt(Integer::intValue).toArray(), QuantusMetrics.SUFFICIENCY_THRESHOLD);
                List<Row> added = new ArrayList<>();
                for (int i = 0; i < v.length; i++) added.add(new Row(suffNames.get(e.getKey()).get(i), e.getKey(), "sufficiency", v[i]));
                rows.addAll(added);
                if (rowListener != null) rowListener.rows(added);
            }
            notes.add("sufficiency: over all " + sampleCount + " images of the run as one batch (Quantus's threshold "
                    + QuantusMetrics.SUFFICIENCY_THRESHOLD + ", predicted classes); its rows are written when the run ends");
        }
        if (!notCompared.isEmpty()) notes.add("shapley-*: coefficients not per channel, not compared: " + String.join(", ", notCompared));
        if (!noCoefficients.isEmpty()) notes.add("shapley-*: no per-channel coefficients (not a channel-weighting CAM method): " + String.join(", ", noCoefficients));
        java.util.List<String> skipped = methods.keySet().stream().filter(sanitySkip::contains).toList();
        if (!skipped.isEmpty() && (metrics.contains("sanity-spearman") || metrics.contains("sanity-ssim"))) {
            notes.add("sanity-*: not run for " + String.join(", ", skipped) + " (--sanity-skip)");
        }
        nanMaps.forEach((method, count) -> notes.add(method + ": " + count + " image(s) gave a map with NaN values and were skipped"));
        if (pointingSkipped) notes.add("pointing-game: images without boxes in the annotations were skipped");
        if (localisationSkipped) notes.add("top-k-intersection, relevance-*-accuracy, attribution-localisation: images without boxes in the annotations were skipped");
        Map<String, Map<String, Stat>> summary = new LinkedHashMap<>();
        for (String method : methods.keySet()) {
            Map<String, Stat> per = new LinkedHashMap<>();
            for (String metric : metrics) {
                double[] all = rows.stream().filter(r -> r.method().equals(method) && r.metric().equals(metric)).mapToDouble(Row::value).toArray();
                double[] v = java.util.Arrays.stream(all).filter(d -> !Double.isNaN(d)).toArray();
                if (v.length < all.length) {
                    // e.g. relative stability when noise changes the class, a correlation over constant values (as Quantus gives NaN)
                    notes.add(metric + ": " + (all.length - v.length) + " NaN value(s) of " + method + " left out of the mean (kept in per-image.csv)");
                }
                if (v.length > 0) per.put(metric, Stat.of(v));
            }
            summary.put(method, per);
        }
        if (sensitivityN) {
            for (Map.Entry<String, List<float[]>> e : batchMaps.entrySet()) {
                List<Sample> ss = batchSamples.get(e.getKey());
                if (ss.size() < 2) continue;
                Tensor first = ss.get(0).input();
                int c = first.dim(1), h = first.dim(2), w = first.dim(3), chw = c * h * w;
                float[] x = new float[ss.size() * chw], mp = new float[ss.size() * h * w];
                int[] t = new int[ss.size()];
                for (int i = 0; i < ss.size(); i++) {
                    System.arraycopy(ss.get(i).input().data(), 0, x, i * chw, chw);
                    System.arraycopy(e.getValue().get(i), 0, mp, i * h * w, h * w);
                    t[i] = ss.get(i).target();
                }
                MapBatch all = new MapBatch(new Tensor(dev.candela.tensor.Shape.of(ss.size(), c, h, w), x),
                        new Tensor(dev.candela.tensor.Shape.of(ss.size(), h, w), mp), t);
                double[] perStep = QuantusMetrics.sensitivityN(scorer, all, options.riseStep(), QuantusMetrics.SENSITIVITY_N_MAX, 32);
                double v = QuantusMetrics.mean(perStep);
                summary.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>())
                        .put("sensitivity-n", new Stat(v, Double.NaN, Double.NaN, ss.size(), Double.NaN));
                notes.add("sensitivity-n (" + e.getKey() + "): Pearson across the " + ss.size() + " images per step of " + options.riseStep()
                        + " pixels " + java.util.Arrays.toString(java.util.Arrays.stream(perStep).mapToObj(d -> String.format(java.util.Locale.ROOT, "%.4f", d)).toArray())
                        + ", mean " + String.format(java.util.Locale.ROOT, "%.4f", v) + " (one value per run: no per-image rows)");
            }
        }
        Map<String, Map<DeletionInsertion.Kind, MeanCurve>> curves = new LinkedHashMap<>();
        curveSums.forEach((method, byKind) -> byKind.forEach((kind, sum) -> {
            int n = curveCounts.getOrDefault(method, new int[2])[kind.ordinal()];
            double[] mean = new double[sum.length];
            for (int i = 0; i < sum.length; i++) mean[i] = sum[i] / Math.max(n, 1);
            curves.computeIfAbsent(method, k -> new LinkedHashMap<>()).put(kind, new MeanCurve(curveX.get(method).get(kind), mean, n));
        }));
        return new Result(rows, summary, curves, notes);
    }
}
