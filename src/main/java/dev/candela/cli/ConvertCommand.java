package dev.candela.cli;

import dev.candela.format.CndWriter;
import dev.candela.format.ImportOptions;
import dev.candela.format.OnnxImporter;
import dev.candela.graph.Model;
import dev.candela.graph.Preprocessing;
import dev.candela.tensor.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code candela convert IN.onnx OUT.cnd}: import an ONNX model and store it with its preprocessing and labels. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert an ONNX model to a Candela .cnd file, recording preprocessing and class labels.")
final class ConvertCommand extends CliCommand {
    @Parameters(index = "0", paramLabel = "IN.onnx") Path in;
    @Parameters(index = "1", paramLabel = "OUT.cnd") Path outFile;

    @Option(names = "--labels", paramLabel = "FILE", description = "class names, one per line (line number = class index)")
    Path labels;

    @Option(names = "--input", paramLabel = "CxHxW", description = "input shape without batch, e.g. 3x224x224 (default: from the ONNX graph)")
    String input;

    @Option(names = "--resize", paramLabel = "N", description = "resize images to N (after --crop); 0 = straight to the input size")
    int resize;

    @Option(names = "--crop", paramLabel = "center", description = "centre-crop the largest square before resizing")
    String crop;

    @Option(names = "--mean", split = ",", paramLabel = "a,b,c", description = "per-channel mean: value = (pixel/255 - mean)/std")
    float[] mean;

    @Option(names = "--std", split = ",", paramLabel = "a,b,c", description = "per-channel std (with --mean)")
    float[] std;

    @Option(names = "--scale", paramLabel = "s", description = "value = pixel*scale + offset (pixel in 0..255)")
    Float scale;

    @Option(names = "--offset", paramLabel = "o", description = "added after --scale")
    Float offset;

    @Option(names = "--channel-order", paramLabel = "RGB|BGR|GRAY", description = "channel order the model expects (default: GRAY for one-channel models, RGB otherwise)")
    String channelOrder;

    @Option(names = "--fold-bn", description = "fold BatchNormalization into the preceding convolution (BN is then no longer a layer)")
    boolean foldBn;

    @Override void execute() throws IOException {
        Preprocessing pre = preprocessing();
        Shape shape = null;
        if (input != null) {
            try {
                shape = Shape.parse(input);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--input: expected dimensions like 3x224x224, got '" + input + "'");
            }
            for (int d : shape.dims()) if (d < 1) throw new IllegalArgumentException("--input: dimensions must be positive, got '" + input + "'");
        }
        List<String> names = List.of();
        if (labels != null) {
            names = Files.readAllLines(labels, StandardCharsets.UTF_8).stream().map(String::strip).toList();
            int end = names.size();
            while (end > 0 && names.get(end - 1).isEmpty()) end--;
            names = names.subList(0, end);
        }
        Model m = OnnxImporter.importFile(in, new ImportOptions(shape, foldBn, pre, names));
        int channels = m.graph().inputItemShape().rank() >= 1 ? m.graph().inputItemShape().dim(0) : 0;
        if (mean != null && mean.length != channels) throw new IllegalArgumentException("--mean/--std: " + mean.length + " values for a model with " + channels + " input channels");
        if (channels == 1 && channelOrder == null) {
            // One-channel models read the image's luma; recorded so the file says so.
            Preprocessing p = m.preprocessing();
            m = new Model(m.graph(), new Preprocessing(p.resize(), p.centerCrop(), p.mean(), p.std(), p.scale(), p.offset(), "GRAY"), m.labels(), m.source());
        }
        if ("GRAY".equals(m.preprocessing().channelOrder()) && channels != 1) throw new IllegalArgumentException("--channel-order GRAY: the model takes " + channels + " channels, not 1");
        if (!names.isEmpty() && names.size() != m.numClasses()) {
            throw new IllegalArgumentException("--labels: " + labels + " has " + names.size() + " labels, the model has " + m.numClasses() + " outputs");
        }
        CndWriter.write(m, outFile);
        out().printf("wrote %s: %d nodes, %d parameters, input %s %s, output %s [%d]%n", outFile, m.graph().nodes().size(),
                InspectCommand.parameters(m), m.graph().input(), m.graph().inputItemShape(), m.graph().output(), m.numClasses());
    }

    private Preprocessing preprocessing() {
        if (crop != null && !crop.equals("center")) throw new IllegalArgumentException("--crop: only 'center' is supported, got '" + crop + "'");
        if (resize < 0) throw new IllegalArgumentException("--resize: must be >= 0, got " + resize);
        if ((mean == null) != (std == null)) throw new IllegalArgumentException("--mean and --std must be given together");
        if (mean != null && (scale != null || offset != null)) throw new IllegalArgumentException("give either --mean/--std or --scale/--offset, not both");
        if (mean != null && mean.length != std.length) throw new IllegalArgumentException("--mean has " + mean.length + " values, --std has " + std.length);
        String order = channelOrder == null ? "RGB" : channelOrder;
        if (!order.equals("RGB") && !order.equals("BGR") && !order.equals("GRAY")) throw new IllegalArgumentException("--channel-order: expected RGB, BGR or GRAY, got '" + channelOrder + "'");
        boolean centre = crop != null;
        if (mean != null) return new Preprocessing(resize, centre, mean, std, 1, 0, order);
        if (scale != null || offset != null) return new Preprocessing(resize, centre, null, null, scale == null ? 1 : scale, offset == null ? 0 : offset, order);
        Preprocessing d = Preprocessing.imagenet();
        return new Preprocessing(resize, centre, d.mean(), d.std(), 1, 0, order);
    }
}
