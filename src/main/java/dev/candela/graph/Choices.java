package dev.candela.graph;

import dev.candela.graph.LayerNames;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Answers for a name that is not one of the valid choices (a method, a colormap, a class label):
 * the valid choices with the nearest first, so the message itself says what to type instead.
 * Nearness: a choice that starts with or contains what was typed comes first, then edit distance
 * (case-insensitive, '-', '_' and ' ' ignored).
 */
public final class Choices {
    private Choices() {}

    /** Every choice, nearest to {@code given} first (stable for equal distance). */
    public static List<String> nearestFirst(String given, List<String> choices) {
        String g = squash(given);
        return choices.stream().distinct()
                .sorted(Comparator.comparingInt((String c) -> score(g, squash(c))))
                .toList();
    }

    /** "unknown method 'gradcam'; did you mean 'grad-cam'? valid: grad-cam, grad-cam++, ..." */
    public static IllegalArgumentException unknown(String kind, String given, List<String> choices) {
        return new IllegalArgumentException(message(kind, given, choices, 40));
    }

    public static String message(String kind, String given, List<String> choices, int max) {
        List<String> near = nearestFirst(given, choices);
        StringBuilder sb = new StringBuilder("unknown ").append(kind).append(" '").append(given).append("'");
        if (near.isEmpty()) return sb.append(" (there are none to choose from)").toString();
        String g = squash(given);
        // Only suggest a name that is plausibly a typo of what was typed.
        if (score(g, squash(near.get(0))) <= Math.max(2, g.length() / 3)) sb.append("; did you mean '").append(near.get(0)).append("'?");
        sb.append(" valid: ");
        sb.append(String.join(", ", near.subList(0, Math.min(max, near.size()))));
        if (near.size() > max) sb.append(", ... (").append(near.size() - max).append(" more)");
        return sb.toString();
    }

    /**
     * A class given by index or by label (exact, then case- and punctuation-insensitive).
     * An unknown label is an error listing the labels nearest first.
     */
    public static int classIndex(String given, List<String> labels, int numClasses) {
        String t = given.trim();
        if (t.matches("\\d+")) {
            int c;
            try {
                c = Integer.parseInt(t);
            } catch (NumberFormatException e) {
                c = Integer.MAX_VALUE;
            }
            if (c >= numClasses) throw new IllegalArgumentException("class " + t + " is out of range: the model has " + numClasses + " classes (0.." + (numClasses - 1) + ")");
            return c;
        }
        int i = labels.indexOf(t);
        if (i >= 0) return i;
        List<Integer> loose = new ArrayList<>();
        for (int k = 0; k < labels.size(); k++) if (squash(labels.get(k)).equals(squash(t))) loose.add(k);
        if (loose.size() == 1) return loose.get(0);
        if (labels.isEmpty()) throw new IllegalArgumentException("the model has no class labels: give the class as a number 0.." + (numClasses - 1));
        throw unknown("class label", given, labels);
    }

    private static int score(String g, String c) {
        if (c.equals(g)) return -3;
        if (c.startsWith(g)) return -2;
        if (c.contains(g)) return -1;
        return LayerNames.distance(g, c);
    }

    private static String squash(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[-_ ]", "");
    }
}
