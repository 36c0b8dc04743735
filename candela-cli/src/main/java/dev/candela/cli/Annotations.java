package dev.candela.cli;

import dev.candela.graph.Model;
import dev.candela.metrics.Box;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code --annotations} CSV of {@code candela evaluate}: a header {@code image,label} optionally
 * followed by {@code x0,y0,x1,y1}; one row per box (repeat the image for several boxes; leave the box
 * columns empty for none). {@code image} is a file name, its stem, or {@code stem-i} for item i of a
 * .npy batch; {@code label} is a class index or a class name of the model. Boxes are in model-input
 * pixels, columns [x0, x1) and rows [y0, y1); the evaluation refuses one that does not fit the input.
 */
record Annotations(Map<String, Integer> labels, Map<String, List<Box>> boxes) {

    static Annotations none() { return new Annotations(Map.of(), Map.of()); }

    static Annotations read(Path file, Model model) throws IOException {
        List<String> lines = Labels.readText(file, "--annotations").lines().toList();
        if (lines.isEmpty()) throw new IllegalArgumentException(file + ": empty annotations file (expected a header 'image,label[,x0,y0,x1,y1]')");
        String[] head = lines.get(0).trim().toLowerCase(Locale.ROOT).split("\\s*,\\s*");
        boolean hasBoxes = head.length >= 6;
        if ((head.length != 2 && head.length != 6) || !head[0].equals("image") || !head[1].equals("label")
                || (hasBoxes && !(head[2].equals("x0") && head[3].equals("y0") && head[4].equals("x1") && head[5].equals("y1")))) {
            throw new IllegalArgumentException(file + ": header must be 'image,label' or 'image,label,x0,y0,x1,y1', got '" + lines.get(0) + "'");
        }
        Map<String, Integer> labels = new LinkedHashMap<>();
        Map<String, List<Box>> boxes = new LinkedHashMap<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split("\\s*,\\s*", -1);
            String where = file + " line " + (i + 1);
            if (f.length < 2) throw new IllegalArgumentException(where + ": expected image,label");
            if (hasBoxes && f.length != 2 && f.length != 6) {
                throw new IllegalArgumentException(where + ": expected 6 fields (image,label,x0,y0,x1,y1; the four box fields may be left out or empty), got " + f.length);
            }
            boolean someBox = hasBoxes && f.length == 6 && !(f[2].isEmpty() && f[3].isEmpty() && f[4].isEmpty() && f[5].isEmpty());
            if (someBox && (f[2].isEmpty() || f[3].isEmpty() || f[4].isEmpty() || f[5].isEmpty())) {
                throw new IllegalArgumentException(where + ": a box needs all of x0,y0,x1,y1 (or none of them), got '" + line + "'");
            }
            String image = f[0];
            int label = parseLabel(f[1], model, where);
            Integer prev = labels.put(image, label);
            if (prev != null && prev != label) throw new IllegalArgumentException(where + ": image '" + image + "' has label " + prev + " on an earlier line and " + label + " here");
            boxes.computeIfAbsent(image, k -> new ArrayList<>());
            if (someBox) {
                try {
                    boxes.get(image).add(new Box(Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]), Integer.parseInt(f[5])));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(where + ": box coordinates must be integers, got '" + line + "'");
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": " + e.getMessage());
                }
            }
        }
        return new Annotations(labels, boxes);
    }

    private static int parseLabel(String s, Model model, String where) {
        int classes = model.numClasses();
        try {
            int c = Integer.parseInt(s);
            if (c < 0 || c >= classes) throw new IllegalArgumentException(where + ": label " + c + " is outside the model's " + classes + " classes");
            return c;
        } catch (NumberFormatException e) {
            for (int c = 0; c < model.labels().size(); c++) {
                if (model.labels().get(c).equalsIgnoreCase(s)) return c;
            }
            throw new IllegalArgumentException(where + ": label '" + s + "' is neither a class index nor a class name of the model");
        }
    }

    /** The annotation key that matches a sample: exact name, file name, or stem. */
    String key(String sample, String fileName) {
        if (labels.containsKey(sample)) return sample;
        if (labels.containsKey(fileName)) return fileName;
        return null;
    }
}
