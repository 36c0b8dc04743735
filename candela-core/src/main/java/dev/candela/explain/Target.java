package dev.candela.explain;

import dev.candela.graph.LayerNames;
import dev.candela.graph.Model;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What to explain. Logits by default; {@link Softmax} explains a probability instead. A list of targets
 * for a batch of N images must have one element (applied to every image) or exactly N (one per image);
 * anything else is an error (pytorch-grad-cam silently returns zero maps in that case).
 */
public sealed interface Target {

    /** The highest-scoring class of each image (the default when no target is given). */
    record Argmax() implements Target {}

    /** One class by index (raw logit). */
    record ClassIndex(int index) implements Target {}

    /** One class by its label in the model's label list (raw logit). */
    record Label(String name) implements Target {}

    /** The k highest-scoring classes: each image gets k explanations, best first. */
    record TopK(int k) implements Target {}

    /** A weighted sum of logits, class index -> weight. */
    record WeightedLogits(Map<Integer, Double> weights) implements Target {
        public WeightedLogits { weights = Map.copyOf(weights); }
    }

    /** The softmax probability of one class. */
    record Softmax(int index) implements Target {}

    /**
     * pytorch-grad-cam's SemanticSegmentationTarget: the sum of class {@code index}'s logits over a set of
     * pixels of a segmentation output (N x C x H x W). The pixels are those of a {@link Region}: where the
     * model predicts the class (argmax over channels), a box, or the non-zero pixels of a PNG mask.
     */
    record Segmentation(int index, Region region) implements Target {}

    /** The pixels a segmentation target sums over. */
    sealed interface Region {
        /** Where the prediction (argmax over the classes, per pixel) is the target class. */
        record Predicted() implements Region {}
        /** Pixels {@code x0 <= x < x1, y0 <= y < y1} of the output map. */
        record Box(int x0, int y0, int x1, int y1) implements Region {}
        /** The non-zero pixels of a PNG of the output map's size (any channel non-zero). */
        record Mask(java.nio.file.Path png) implements Region {}
    }

    static Target argmax() { return new Argmax(); }
    static Target classIndex(int c) { return new ClassIndex(c); }
    static Target label(String name) { return new Label(name); }
    static Target topK(int k) { return new TopK(k); }

    /** {@code TopK(ALL)} ({@code --target all}): every class, in class order. */
    int ALL = -1;

    static Target all() { return new TopK(ALL); }
    static Target softmax(int c) { return new Softmax(c); }

    /**
     * Parses a CLI target: an integer class index, {@code top3}, {@code all} (every class), {@code softmax:281},
     * {@code 281*0.5+282*0.5} (weighted logits), or a label name.
     */
    static Target parse(String s) {
        try {
            return parseChecked(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--target '" + dev.candela.io.Text.safe(s.trim()) + "': a class index or count must be between 0 and 2147483647");
        }
    }

    private static Target parseChecked(String s) {
        String t = s.trim();
        if (t.matches("(?i)seg:\\d+(:.*)?")) return parseSegmentation(t);
        if (t.isEmpty() || t.equals("argmax")) return new Argmax();
        if (t.matches("\\d+")) return new ClassIndex(Integer.parseInt(t));
        if (t.matches("(?i)top-?\\d+")) return new TopK(Integer.parseInt(t.replaceAll("\\D", "")));
        if (t.equalsIgnoreCase("all")) return new TopK(ALL);
        if (t.matches("(?i)softmax:\\d+")) return new Softmax(Integer.parseInt(t.substring(8)));
        if (t.matches("\\d+\\*[-+0-9.eE]+([+]\\d+\\*[-+0-9.eE]+)*")) {
            Map<Integer, Double> w = new java.util.LinkedHashMap<>();
            for (String term : t.split("\\+(?=\\d+\\*)")) {
                String[] kv = term.split("\\*");
                w.merge(Integer.parseInt(kv[0]), Double.parseDouble(kv[1]), Double::sum);
            }
            return new WeightedLogits(w);
        }
        return new Label(t);
    }

    /** {@code seg:C} (where the prediction is C), {@code seg:C:box=x0,y0,x1,y1} or {@code seg:C:mask=FILE.png}. */
    private static Target parseSegmentation(String t) {
        String[] parts = t.split(":", 3);
        int c = Integer.parseInt(parts[1]);
        if (parts.length == 2) return new Segmentation(c, new Region.Predicted());
        String r = parts[2];
        if (r.startsWith("box=")) {
            String[] v = r.substring(4).split(",");
            if (v.length != 4) throw new IllegalArgumentException("segmentation box needs x0,y0,x1,y1, got '" + r.substring(4) + "'");
            int[] b = new int[4];
            for (int i = 0; i < 4; i++) b[i] = Integer.parseInt(v[i].trim());
            if (b[0] < 0 || b[1] < 0 || b[2] <= b[0] || b[3] <= b[1]) throw new IllegalArgumentException("segmentation box " + r.substring(4) + " is empty or negative");
            return new Segmentation(c, new Region.Box(b[0], b[1], b[2], b[3]));
        }
        if (r.startsWith("mask=")) return new Segmentation(c, new Region.Mask(java.nio.file.Path.of(r.substring(5))));
        throw new IllegalArgumentException("segmentation target '" + t + "': expected seg:C, seg:C:box=x0,y0,x1,y1 or seg:C:mask=FILE.png");
    }

    /** The weights over one output item (C x H x W, flattened) that sum class c's logits over the region. */
    private static double[] segmentationWeights(Segmentation sg, dev.candela.tensor.Shape item, float[] row) {
        if (item.rank() != 3) throw new IllegalArgumentException("a segmentation target needs a C x H x W model output, got " + item);
        int classes = item.dim(0), h = item.dim(1), w = item.dim(2), hw = h * w;
        checkClass(sg.index(), classes);
        double[] weights = new double[row.length];
        int count = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                boolean in = switch (sg.region()) {
                    case Region.Predicted pr -> {
                        int best = 0;
                        for (int k = 1; k < classes; k++) if (row[k * hw + p] > row[best * hw + p]) best = k;
                        yield best == sg.index();
                    }
                    case Region.Box b -> x >= b.x0() && x < b.x1() && y >= b.y0() && y < b.y1();
                    case Region.Mask m -> false;
                };
                if (in) { weights[sg.index() * hw + p] = 1; count++; }
            }
        if (sg.region() instanceof Region.Mask m) count = maskWeights(m.png(), sg.index(), h, w, weights);
        if (count == 0) throw new IllegalArgumentException("segmentation target " + sg.index() + ": the region has no pixels of the " + h + "x" + w + " output");
        return weights;
    }

    private static int maskWeights(java.nio.file.Path png, int c, int h, int w, double[] weights) {
        java.awt.image.BufferedImage img;
        try {
            img = javax.imageio.ImageIO.read(png.toFile());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("segmentation mask " + png + ": " + e.getMessage());
        }
        if (img == null) throw new IllegalArgumentException("segmentation mask " + png + " is not a readable image");
        if (img.getWidth() != w || img.getHeight() != h) throw new IllegalArgumentException("segmentation mask " + png + " is " + img.getWidth() + "x" + img.getHeight() + ", the output map is " + w + "x" + h);
        int count = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if ((img.getRGB(x, y) & 0xFFFFFF) != 0) { weights[c * h * w + y * w + x] = 1; count++; }
        return count;
    }

    /**
     * Parses the CLI's target list: each element is one target, or a comma-separated list of class
     * indices / {@code softmax:C} / {@code topK} / weighted sums, one per image of a batch ({@code 3,7,1}).
     * An element with a comma that is not such a list is one label ("tabby, tabby cat").
     */
    static List<Target> parseAll(List<String> specs) {
        List<Target> out = new ArrayList<>();
        for (String s : specs) {
            String[] parts = s.split(",");
            boolean list = parts.length > 1;
            for (String p : parts) list &= !(parse(p) instanceof Label);
            if (list) for (String p : parts) out.add(parse(p));
            else out.add(parse(s));
        }
        return out;
    }

    /**
     * Resolves targets against a batch of logits (N x classes): one target for the whole batch or one
     * per image. Returns the explanations to compute, in image order (top-k expands in place).
     */
    static List<ResolvedTarget> resolve(List<Target> targets, Model model, Tensor logits) {
        int n = logits.dim(0), classes = logits.shape().itemSize();
        List<Target> ts = targets == null || targets.isEmpty() ? List.of(new Argmax()) : targets;
        if (ts.size() != 1 && ts.size() != n) {
            throw new IllegalArgumentException(ts.size() + " targets for a batch of " + n + " images: give one target for the whole batch or exactly one per image");
        }
        List<ResolvedTarget> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Target t = ts.size() == 1 ? ts.get(0) : ts.get(i);
            float[] row = java.util.Arrays.copyOfRange(logits.data(), i * classes, (i + 1) * classes);
            switch (t) {
                case Argmax a -> {
                    int c = rank(row)[0];
                    out.add(new ResolvedTarget(i, new Objective.Logit(c), describe(model, c)));
                }
                case ClassIndex ci -> {
                    checkClass(ci.index(), classes);
                    out.add(new ResolvedTarget(i, new Objective.Logit(ci.index()), describe(model, ci.index())));
                }
                case Label l -> {
                    int c = labelIndex(model, l.name());
                    checkClass(c, classes);
                    out.add(new ResolvedTarget(i, new Objective.Logit(c), describe(model, c)));
                }
                case TopK k when k.k() == ALL -> {
                    // every class in class order: one row each, explained by one batched pass
                    for (int j = 0; j < classes; j++) out.add(new ResolvedTarget(i, new Objective.Logit(j), "class " + j + ": " + describe(model, j)));
                }
                case TopK k -> {
                    if (k.k() < 1 || k.k() > classes) throw new IllegalArgumentException("top-k needs 1 <= k <= " + classes + ", got " + k.k());
                    int[] r = rank(row);
                    for (int j = 0; j < k.k(); j++) out.add(new ResolvedTarget(i, new Objective.Logit(r[j]), "top" + (j + 1) + ": " + describe(model, r[j])));
                }
                case WeightedLogits w -> {
                    double[] weights = new double[classes];
                    StringBuilder d = new StringBuilder();
                    for (Map.Entry<Integer, Double> e : new java.util.TreeMap<>(w.weights()).entrySet()) {
                        checkClass(e.getKey(), classes);
                        weights[e.getKey()] = e.getValue();
                        if (!d.isEmpty()) d.append(" + ");
                        d.append(e.getValue()).append("*logit[").append(e.getKey()).append(']');
                    }
                    if (w.weights().isEmpty()) throw new IllegalArgumentException("weighted-logit target has no classes");
                    out.add(new ResolvedTarget(i, new Objective.Weighted(weights), d.toString()));
                }
                case Segmentation sg -> out.add(new ResolvedTarget(i, new Objective.Weighted(segmentationWeights(sg, dev.candela.tensor.Shape.of(java.util.Arrays.copyOfRange(logits.shape().dims(), 1, logits.rank())), row)),
                        "sum of " + describe(model, sg.index()) + " logits over " + switch (sg.region()) {
                            case Region.Predicted p -> "the pixels predicted as that class";
                            case Region.Box b -> "the box " + b.x0() + "," + b.y0() + "-" + b.x1() + "," + b.y1();
                            case Region.Mask m -> "the mask " + m.png().getFileName();
                        }));
                case Softmax s -> {
                    checkClass(s.index(), classes);
                    out.add(new ResolvedTarget(i, new Objective.Probability(s.index()), "softmax of " + describe(model, s.index())));
                }
            }
        }
        return out;
    }

    private static void checkClass(int c, int classes) {
        if (c < 0 || c >= classes) throw new IllegalArgumentException("target class " + c + " is out of range: the model has " + classes + " classes (0.." + (classes - 1) + ")");
    }

    private static String describe(Model model, int c) {
        return c < model.labels().size() ? "class " + c + " (" + model.labels().get(c) + ")" : "class " + c;
    }

    /**
     * A label matched case-insensitively against the whole label or one of its comma-separated synonyms
     * ("tabby" finds "tabby, tabby cat"); an unknown or ambiguous name is an error naming the nearest labels.
     */
    private static int labelIndex(Model model, String name) {
        List<String> labels = model.labels();
        if (labels.isEmpty()) throw new IllegalArgumentException("target '" + name + "' is not a class index and the model has no labels");
        String want = name.trim();
        List<Integer> hits = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) if (labels.get(i).trim().equalsIgnoreCase(want)) hits.add(i);
        for (int i = 0; hits.isEmpty() && i < labels.size(); i++) {
            for (String syn : labels.get(i).split(",")) if (syn.trim().equalsIgnoreCase(want)) { hits.add(i); break; }
        }
        if (hits.size() == 1) return hits.get(0);
        if (hits.size() > 1) {
            throw new IllegalArgumentException("label '" + name + "' is ambiguous: classes " + hits.stream().map(i -> i + " (" + labels.get(i) + ")").toList() + "; give the class index");
        }
        List<String> near = java.util.stream.IntStream.range(0, labels.size()).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> labelDistance(want, labels.get(i))))
                .limit(5).map(i -> labels.get(i) + " (" + i + ")").toList();
        throw new IllegalArgumentException("unknown label '" + name + "'; nearest labels: " + String.join("; ", near));
    }

    private static int labelDistance(String want, String label) {
        int best = LayerNames.distance(want.toLowerCase(), label.toLowerCase());
        for (String syn : label.split(",")) best = Math.min(best, LayerNames.distance(want.toLowerCase(), syn.trim().toLowerCase()));
        return best;
    }

    /** Class indices by descending logit (ties: lower index first). */
    private static int[] rank(float[] row) {
        Integer[] idx = new Integer[row.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (a, b) -> Float.compare(row[b], row[a]) != 0 ? Float.compare(row[b], row[a]) : Integer.compare(a, b));
        int[] r = new int[idx.length];
        for (int i = 0; i < r.length; i++) r[i] = idx[i];
        return r;
    }
}
