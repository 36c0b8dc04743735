package dev.candela.cli;

import dev.candela.explain.Explanation;
import dev.candela.explain.TargetScore;
import dev.candela.graph.Model;
import dev.candela.image.Colormap;
import dev.candela.image.ConceptPicture;
import dev.candela.image.Npy;
import dev.candela.image.Overlay;
import dev.candela.image.Picture;
import dev.candela.image.PngWriter;
import dev.candela.io.AtomicFile;
import dev.candela.io.PrettyJson;
import dev.candela.report.ReportCell;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes one method's results for one input as DESIGN.md's command-line contract says: {@code <method>.npy}
 * (the display map), {@code .raw.npy}, {@code .weights.npy}, {@code .attr.npy}, the overlay, heatmap and
 * signed PNGs, the tensors of the method's audit ({@code <method>.<key>.npy}: DFF's concept maps, embeddings and class
 * scores, and their picture {@code <method>.concepts.png}), and returns the method's manifest entry; {@link #manifest} writes manifest.json. Shared by
 * the commands that write explanations.
 */
final class ResultWriter {
    /** Signed attribution pictures saturate at this percentile of |a| (a few extreme pixels would wash out the rest). */
    static final double SIGNED_PERCENTILE = 99.5;

    /** Overlay and heatmap PNGs are at least this many pixels wide: small inputs are enlarged. */
    static final int DISPLAY = 224;

    private final Colormap colormap;
    private final float opacity;
    private final PrintWriter stdout;

    ResultWriter(Colormap colormap, float opacity, PrintWriter stdout) {
        this.colormap = colormap;
        this.opacity = opacity;
        this.stdout = stdout;
    }

    /** File-name form of a method label: "fg-cam(base=x,level=y)" -> "fg-cam_base=x_level=y". */
    static String fileName(String label) {
        String s = label.replace('(', '_').replace(',', '_').replace(")", "");
        return s.replaceAll("[^A-Za-z0-9._+=-]", "_");
    }

    /**
     * Writes one method's files (map, raw, weights, attributions, overlays) into {@code dir} and returns its
     * manifest entry; {@code shownDir} is where they will be once committed (printed).
     */
    Map<String, Object> write(Path dir, Path shownDir, InputBatch in, Model m, Explanation e, String layerNames, List<List<ReportCell>> cells) throws IOException {
        int n = in.tensor().dim(0);
        String label = e.method(), name = fileName(label);
        int perImage = e.maps().dim(0) / n;
        Npy.write(dir.resolve(name + ".npy"), stacked(e.maps(), n, perImage));
        if (e.rawMaps() != null) Npy.write(dir.resolve(name + ".raw.npy"), stacked(e.rawMaps(), n, perImage));
        if (e.coefficients() != null) Npy.write(dir.resolve(name + ".weights.npy"), stacked(e.coefficients(), n, perImage));
        if (e.attributions() != null) Npy.write(dir.resolve(name + ".attr.npy"), stacked(e.attributions(), n, perImage));
        // tensors of the audit (DFF's concept maps, embeddings and class scores), one row per target like the map
        Map<String, String> auditFiles = new LinkedHashMap<>();
        for (Map.Entry<String, Object> a : e.audit().entrySet()) {
            if (!(a.getValue() instanceof Tensor t)) continue;
            String file = name + "." + a.getKey() + ".npy";
            Npy.write(dir.resolve(file), stacked(t, n, perImage));
            auditFiles.put(a.getKey(), file);
        }
        for (int r = 0; r < e.maps().dim(0); r++) {
            String suffix = e.maps().dim(0) == 1 ? "" : "." + r;
            int image = e.targets().get(r).image();
            Picture view = in.views().get(image);
            int factor = Math.max(1, DISPLAY / Math.max(view.width(), view.height()));
            Tensor map = e.maps().item(r);
            Picture overlay = Overlay.overlay(view.enlarge(factor), map.data(), map.dim(0), map.dim(1), colormap, opacity);
            PngWriter.write(dir.resolve(name + suffix + ".png"), overlay);
            PngWriter.write(dir.resolve(name + suffix + ".heatmap.png"),
                    Overlay.heatmap(map.data(), map.dim(0), map.dim(1), colormap).resize(map.dim(1) * factor, map.dim(0) * factor));
            Picture shown = overlay;
            if (e.audit().get("concept_maps") instanceof Tensor concepts) {
                // DFF: every concept in its own colour (pytorch-grad-cam's show_factorization_on_image)
                Tensor cm = concepts.item(r);
                PngWriter.write(dir.resolve(name + suffix + ".concepts.png"),
                        ConceptPicture.draw(view.enlarge(factor), cm.data(), cm.dim(0), cm.dim(1), cm.dim(2), opacity));
            }
            if (e.attributions() != null) {
                // Pixel attributions also get the signed picture: red positive, blue negative, white zero.
                Tensor attr = e.attributions().item(r);
                int c = attr.dim(0), h = attr.dim(1), w = attr.dim(2);
                shown = Overlay.signed(Overlay.channelSum(attr.data(), c, h, w), h, w, SIGNED_PERCENTILE).enlarge(factor);
                PngWriter.write(dir.resolve(name + suffix + ".signed.png"), shown);
            }
            float[] coefficients = e.coefficients() == null ? null : e.coefficients().item(r).data();
            TargetScore ts = e.targets().get(r);
            cells.get(image).add(new ReportCell(label, e.layers().isEmpty() ? "" : layerNames, shown, e.millis() / n, coefficients, Map.of(),
                    ts.classIndex(), ts.probability()));
        }
        stdout.printf(Locale.ROOT, "  %-22s %8.1f ms -> %s%n", label, e.millis(), shownDir.resolve(name + (e.maps().dim(0) == 1 ? "" : ".<row>") + ".png"));
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("method", label);
        res.put("layers", e.layers());
        res.put("map", name + ".npy");
        res.put("map_shape", shapeOf(stacked(e.maps(), n, perImage)));
        if (e.rawMaps() != null) res.put("raw", name + ".raw.npy");
        if (e.coefficients() != null) res.put("weights", name + ".weights.npy");
        if (e.attributions() != null) {
            res.put("attributions", name + ".attr.npy");
            res.put("signed", e.maps().dim(0) == 1 ? name + ".signed.png" : name + ".<row>.signed.png");
            res.put("signed_scale", "channel sum, symmetric at the " + SIGNED_PERCENTILE + "th percentile of |a|");
        }
        res.putAll(auditFiles);
        if (e.audit().get("concept_maps") instanceof Tensor) {
            res.put("concepts_picture", e.maps().dim(0) == 1 ? name + ".concepts.png" : name + ".<row>.concepts.png");
        }
        res.put("overlay", e.maps().dim(0) == 1 ? name + ".png" : name + ".<row>.png");
        res.put("heatmap", e.maps().dim(0) == 1 ? name + ".heatmap.png" : name + ".<row>.heatmap.png");
        res.put("colormap", colormap.cliName());
        res.put("opacity", opacity);
        List<Map<String, Object>> tlist = new ArrayList<>();
        for (TargetScore t : e.targets()) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("image", t.image());
            tm.put("class", t.classIndex());
            tm.put("target", t.description());
            if (t.classIndex() >= 0) tm.put("label", m.label(t.classIndex()));
            tm.put("score", t.score());
            if (!Double.isNaN(t.probability())) tm.put("probability", t.probability());
            tlist.add(tm);
        }
        res.put("targets", tlist);
        return res;
    }

    /** Writes {@code dir/manifest.json}. */
    static void manifest(Path dir, Map<String, Object> manifest) throws IOException {
        AtomicFile.write(dir.resolve("manifest.json"), PrettyJson.bytes(manifest));
    }

    /** N results of `perImage` rows each: first axis N (dropped when N = 1), then perImage (dropped when 1). */
    static Tensor stacked(Tensor rows, int n, int perImage) {
        int[] d = rows.shape().dims();
        List<Integer> dims = new ArrayList<>();
        if (n > 1) dims.add(n);
        if (perImage > 1) dims.add(perImage);
        for (int i = 1; i < d.length; i++) dims.add(d[i]);
        return rows.reshape(dims.stream().mapToInt(Integer::intValue).toArray());
    }

    static List<Integer> shapeOf(Tensor t) {
        List<Integer> s = new ArrayList<>();
        for (int d : t.shape().dims()) s.add(d);
        return s;
    }
}
