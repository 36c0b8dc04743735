package dev.candela.cli;

import dev.candela.format.CndWriter;
import dev.candela.format.ImportOptions;
import dev.candela.format.ModelFiles;
import dev.candela.graph.Model;
import dev.candela.graph.Preprocessing;
import dev.candela.tensor.Shape;
import dev.candela.cli.args.CommandSpec;
import dev.candela.cli.args.ValueType;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code candela convert IN.onnx OUT.cnd}: imports an ONNX model and stores it with its preprocessing
 * and labels, per DESIGN.md's command-line contract.
 */
public final class ConvertCommand extends CliCommand {
    Path in;
    Path out;
    Path labels;
    String input;
    Integer resize;
    String crop;
    List<Float> mean;
    List<Float> std;
    Float scale;
    Float offset;
    String channelOrder;
    String interpolation;
    String icc;
    boolean foldBn;

    @Override CommandSpec declare() {
        CommandSpec.Builder o = CommandSpec.builder("convert", "Convert an ONNX model to a Candela model file (.cnd) with preprocessing and labels inside.");
        o.operand("IN.onnx", "the ONNX model", ValueType.PATH, v -> in = v);
        o.operand("OUT.cnd", "the Candela model to write", ValueType.PATH, v -> out = v);
        o.value("--labels", "FILE", null, "class names, one per line (line n = class n)", ValueType.PATH, v -> labels = v);
        o.value("--input", "CxHxW", null, "input shape without the batch axis, e.g. 3x224x224 (default: from the ONNX graph)", ValueType.STRING, v -> input = v);
        o.value("--resize", null, null, "resize to N (with --crop center: the centre square to N x N; without: the shorter side to N, then the centre crop, as torchvision's Resize(N) + CenterCrop); 0 (default) = squash to the input size", ValueType.INT, v -> resize = v);
        o.value("--crop", "center", null, "'center': cut the largest centred square before resizing", ValueType.STRING, v -> crop = v);
        o.list("--mean", null, ",", null, "per-channel mean: value = (pixel/255 - mean)/std (one value, or one per channel)", ValueType.FLOAT, v -> mean = v);
        o.list("--std", null, ",", null, "per-channel std (with --mean)", ValueType.FLOAT, v -> std = v);
        o.value("--scale", null, null, "value = pixel*scale + offset, pixel in 0..255 (instead of --mean/--std)", ValueType.FLOAT, v -> scale = v);
        o.value("--offset", null, null, "added after --scale (default 0)", ValueType.FLOAT, v -> offset = v);
        o.value("--channel-order", null, null, "RGB, BGR, or GRAY (default: GRAY for one-channel inputs, RGB otherwise)", ValueType.STRING, v -> channelOrder = v);
        o.value("--interpolation", "MODE", null, "bilinear (no antialiasing: PyTorch interpolate, OpenCV) or bilinear-antialias (PIL's resize(BILINEAR), as torchvision's Resize on PIL images); default bilinear (for a .cnd: kept)", ValueType.STRING, v -> interpolation = v);
        o.value("--icc", "ignore|apply", null, "embedded ICC colour profiles: ignore them (default; as PIL and torchvision) or apply them (convert to sRGB); for a .cnd: kept", ValueType.STRING, v -> icc = v);
        o.flag("--fold-bn", "fold BatchNormalization into the preceding convolution", v -> foldBn = v);
        return o.build();
    }

    @Override int run() throws IOException {
        if (mean != null && scale != null) throw new IllegalArgumentException("give either --mean/--std or --scale/--offset, not both");
        if ((mean == null) != (std == null)) throw new IllegalArgumentException("--mean and --std go together");
        if (crop != null && !crop.equalsIgnoreCase("center")) throw new IllegalArgumentException("--crop takes 'center', got '" + crop + "'");
        if (offset != null && scale == null) throw new IllegalArgumentException("--offset goes with --scale");
        if (resize != null && (resize < 0 || (long) resize * resize > dev.candela.io.Limits.maxImagePixels())) {
            throw new IllegalArgumentException("--resize must be 0 (squash) or a side length from 1 to " + (long) Math.sqrt(dev.candela.io.Limits.maxImagePixels()) + ", got " + resize);
        }
        if (scale != null) dev.candela.cli.CliChecks.finite("--scale", new float[]{scale});
        if (offset != null) dev.candela.cli.CliChecks.finite("--offset", new float[]{offset});
        if (mean != null) dev.candela.cli.CliChecks.finite("--mean", floats(mean));
        if (std != null) dev.candela.cli.CliChecks.finite("--std", floats(std));
        if (dev.candela.io.SafeFiles.sameFile(in, out)) throw new IllegalArgumentException("OUT " + out + " is the input file itself; choose another name");
        if (Files.isDirectory(out)) throw new IllegalArgumentException("OUT " + out + " is a directory; give a file name such as model.cnd");
        CliChecks.outputDirectory("OUT's folder", out.toAbsolutePath().getParent());
        String interp = interpolation == null ? null : interpolation.toLowerCase(Locale.ROOT), iccMode = icc == null ? null : icc.toLowerCase(Locale.ROOT);
        if (interp != null && !interp.equals(Preprocessing.BILINEAR) && !interp.equals(Preprocessing.BILINEAR_ANTIALIAS)) {
            throw new IllegalArgumentException("--interpolation takes bilinear or bilinear-antialias, got '" + interpolation + "'");
        }
        if (iccMode != null && !iccMode.equals(Preprocessing.ICC_IGNORE) && !iccMode.equals(Preprocessing.ICC_APPLY)) {
            throw new IllegalArgumentException("--icc takes ignore or apply, got '" + icc + "'");
        }
        Shape shape = input == null ? null : parseShape(input);
        List<String> names = labels == null ? List.of() : readLabels(labels);
        if (Files.isRegularFile(in) && dev.candela.format.CndReader.hasMagic(in)) {
            convertCnd(names, interp, iccMode);
            return 0;
        }
        int resize = this.resize == null ? 0 : this.resize;
        float offset = this.offset == null ? 0f : this.offset;
        // First pass: the graph decides the channel count when --input is absent.
        Preprocessing probe = new Preprocessing(resize, crop != null, null, null, 1, 0, "RGB");
        Model m = ModelFiles.load(in, new ImportOptions(shape, foldBn, probe, names));
        int channels = m.graph().inputItemShape().dim(0);
        String order = channelOrder != null ? channelOrder.toUpperCase(Locale.ROOT) : channels == 1 ? "GRAY" : "RGB";
        Preprocessing pre = mean != null
                ? new Preprocessing(resize, crop != null, floats(mean), floats(std), 1, 0, order)
                : new Preprocessing(resize, crop != null, null, null, scale != null ? scale : 1f / 255f, scale != null ? offset : 0f, order);
        pre = pre.with(interp, iccMode);
        new dev.candela.image.Preprocessor(pre, m.graph().inputItemShape()); // validates mean/std length, resize, order
        if (!names.isEmpty() && names.size() != m.numClasses()) {
            throw new IllegalArgumentException(labels + " has " + names.size() + " labels but the model has " + m.numClasses() + " classes");
        }
        Model model = new Model(m.graph(), pre, names, m.source());
        CndWriter.write(model, out); // atomic: a new unpredictable temporary name, then a rename
        err().printf(Locale.ROOT, "candela convert: %s -> %s (%d nodes, input %s, %d classes, %s)%n", in, out,
                model.graph().nodes().size(), model.graph().inputItemShape(), model.numClasses(), describe(pre));
        return 0;
    }

    /**
     * IN is already a .cnd: its labels and preprocessing are kept; --labels replaces the labels and a
     * complete set of preprocessing options replaces the preprocessing. Options that only mean something
     * at import (--input, --fold-bn) are refused rather than silently ignored.
     */
    private void convertCnd(List<String> names, String interp, String iccMode) throws IOException {
        if (input != null || foldBn) throw new IllegalArgumentException(in + " is already a Candela model: --input and --fold-bn apply only to ONNX files");
        Model m = ModelFiles.load(in);
        Preprocessing p = m.preprocessing();
        boolean anyPre = resize != null || crop != null || mean != null || scale != null || channelOrder != null;
        if (anyPre) {
            String order = channelOrder != null ? channelOrder.toUpperCase(Locale.ROOT) : p.channelOrder();
            int r = resize != null ? resize : p.resize();
            boolean c = crop != null || (resize == null && p.centerCrop());
            p = mean != null ? new Preprocessing(r, c, floats(mean), floats(std), 1, 0, order)
                    : scale != null ? new Preprocessing(r, c, null, null, scale, offset != null ? offset : 0f, order)
                    : new Preprocessing(r, c, p.mean(), p.std(), p.scale(), p.offset(), order);
            p = p.with(m.preprocessing().interpolation(), m.preprocessing().iccProfile());
            new dev.candela.image.Preprocessor(p, m.graph().inputItemShape());
        }
        if (interp != null || iccMode != null) {
            p = p.with(interp != null ? interp : p.interpolation(), iccMode != null ? iccMode : p.iccProfile());
            anyPre = true;
        }
        if (!names.isEmpty() && names.size() != m.numClasses()) {
            throw new IllegalArgumentException(labels + " has " + names.size() + " labels but the model has " + m.numClasses() + " classes");
        }
        Model model = new Model(m.graph(), p, names.isEmpty() ? m.labels() : names, m.source());
        CndWriter.write(model, out);
        err().printf(Locale.ROOT, "candela convert: %s -> %s (a .cnd: %s kept; %d classes, %d labels, %s)%n", in, out,
                anyPre ? "graph" : "graph and preprocessing", model.numClasses(), model.labels().size(), describe(p));
    }

    static String describe(Preprocessing p) {
        StringBuilder sb = new StringBuilder();
        if (p.centerCrop()) sb.append("centre square, ");
        sb.append(p.resize() > 0 ? (p.centerCrop() ? "resize " : "shorter side ") + p.resize() + " + centre crop" : "squash to input size");
        sb.append(" (").append(p.interpolation()).append("), ICC profiles ").append(p.iccProfile().equals(Preprocessing.ICC_APPLY) ? "applied" : "ignored");
        if (p.mean() != null) sb.append(", (pixel/255 - mean)/std");
        else sb.append(String.format(Locale.ROOT, ", pixel*%g%+g", p.scale(), p.offset()));
        return sb.append(", ").append(p.channelOrder()).toString();
    }

    private static List<String> readLabels(Path f) throws IOException {
        return Labels.read(f, "--labels");
    }

    private static Shape parseShape(String s) {
        String[] p = s.toLowerCase(Locale.ROOT).split("x");
        int[] d = new int[p.length];
        try {
            for (int i = 0; i < p.length; i++) d[i] = Integer.parseInt(p[i].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--input must look like 3x224x224, got '" + s + "'");
        }
        return Shape.of(d);
    }

    private static float[] floats(List<Float> l) {
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) f[i] = l.get(i);
        return f;
    }
}
