package dev.candela.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.candela.format.ImportOptions;
import dev.candela.format.ModelFiles;
import dev.candela.graph.Model;
import dev.candela.graph.Preprocessing;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Preprocessing parity on real photos: the shared MobileNet's top-1 on every photo of
 * {@code ../shared/imagenet-sample}, for each geometry x interpolation Candela offers, equals the top-1
 * that PIL + torchvision + the ONNX model run in PyTorch give ({@code testdata/imagenet-top1.csv}, made
 * by {@code tools/imagenet_top1_reference.py}; embedded ICC profiles ignored on both sides).
 */
class ImagenetTop1ParityTest {
    static final Path SHARED = Path.of("../shared");
    static final Path LIST = Path.of("testdata/imagenet-top1.csv");

    /** The reference's variant names and the preprocessing each stands for (pixel/127.5 - 1, RGB). */
    static Map<String, Preprocessing> variants() {
        Map<String, Preprocessing> v = new LinkedHashMap<>();
        float s = 1f / 127.5f;
        v.put("center-square/bilinear", new Preprocessing(224, true, null, null, s, -1f, "RGB", Preprocessing.BILINEAR, Preprocessing.ICC_IGNORE));
        v.put("center-square/bilinear-antialias", new Preprocessing(224, true, null, null, s, -1f, "RGB", Preprocessing.BILINEAR_ANTIALIAS, Preprocessing.ICC_IGNORE));
        v.put("shorter-side-256/bilinear-antialias", new Preprocessing(256, false, null, null, s, -1f, "RGB", Preprocessing.BILINEAR_ANTIALIAS, Preprocessing.ICC_IGNORE));
        v.put("shorter-side-256/bilinear", new Preprocessing(256, false, null, null, s, -1f, "RGB", Preprocessing.BILINEAR, Preprocessing.ICC_IGNORE));
        return v;
    }

    @Test
    void mobileNetTop1MatchesPilAndTorchOnEveryPhoto() throws Exception {
        Path onnx = SHARED.resolve("models/mobilenet_v1_0.25_224_imagenet.onnx");
        Path photos = SHARED.resolve("imagenet-sample");
        assumeTrue(Files.isDirectory(photos) && Files.exists(onnx),
                "../shared/imagenet-sample or the shared MobileNet is absent (fresh clone): skipping the 500-photo top-1 parity check");
        Map<String, Map<String, String[]>> expected = new LinkedHashMap<>(); // file -> variant -> row
        for (String line : Files.readAllLines(LIST)) {
            if (line.startsWith("#") || line.startsWith("file,")) continue;
            String[] r = line.split(",");
            expected.computeIfAbsent(r[0], k -> new LinkedHashMap<>()).put(r[1], r);
        }
        assertEquals(500, expected.size(), "photos in " + LIST);
        Map<String, Preprocessing> variants = variants();
        Model m = ModelFiles.load(onnx, new ImportOptions(null, false, variants.values().iterator().next(), List.of()));
        List<Preprocessor> pre = new ArrayList<>();
        for (Preprocessing p : variants.values()) pre.add(new Preprocessor(p, m.graph().inputItemShape()));
        List<String> names = new ArrayList<>(variants.keySet());
        int[] agree = new int[names.size()];
        List<String> disagreements = new ArrayList<>();
        try (Parallel par = new Parallel(2)) {
            Executor ex = Executor.fast(m, par);
            for (Map.Entry<String, Map<String, String[]>> e : expected.entrySet()) {
                Picture photo = ImageLoader.load(photos.resolve(e.getKey()), false);
                List<Tensor> items = new ArrayList<>();
                for (Preprocessor p : pre) items.add(p.prepare(photo).input());
                Tensor logits = ex.forward(Tensor.concatBatch(items), Set.of()).output();
                for (int v = 0; v < names.size(); v++) {
                    String[] row = e.getValue().get(names.get(v));
                    float[] l = logits.item(v).data();
                    int top = 0;
                    for (int k = 1; k < l.length; k++) if (l[k] > l[top]) top = k;
                    if (top == Integer.parseInt(row[2])) agree[v]++;
                    else disagreements.add(String.format(Locale.ROOT, "%s %s: Candela %d (logit %.4f), reference %s (logit %s, margin %s)",
                            e.getKey(), names.get(v), top, l[top], row[2], row[3], row[4]));
                }
            }
        }
        for (int v = 0; v < names.size(); v++) System.out.printf("top-1 parity %-36s %d / %d%n", names.get(v), agree[v], expected.size());
        disagreements.forEach(System.out::println);
        assertEquals(List.of(), disagreements, "photos whose top-1 differs from PIL + PyTorch");
    }
}
