package dev.candela.onnx;

import dev.candela.format.ImportOptions;
import dev.candela.format.ModelChecks;
import dev.candela.format.ModelFiles;
import dev.candela.format.ModelFormatException;
import com.google.protobuf.CodedInputStream;
import dev.candela.onnx.proto.OnnxProto.AttributeProto;
import dev.candela.onnx.proto.OnnxProto.GraphProto;
import dev.candela.onnx.proto.OnnxProto.ModelProto;
import dev.candela.onnx.proto.OnnxProto.NodeProto;
import dev.candela.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.candela.onnx.proto.OnnxProto.TensorProto;
import dev.candela.onnx.proto.OnnxProto.TensorShapeProto;
import dev.candela.onnx.proto.OnnxProto.ValueInfoProto;
import dev.candela.graph.Add;
import dev.candela.graph.AvgPool2d;
import dev.candela.graph.BatchNorm2d;
import dev.candela.graph.ChannelAffine;
import dev.candela.graph.Clip;
import dev.candela.graph.Concat;
import dev.candela.graph.Conv2d;
import dev.candela.graph.ConvTranspose2d;
import dev.candela.graph.Flatten;
import dev.candela.graph.GlobalAvgPool;
import dev.candela.graph.Graph;
import dev.candela.graph.Identity;
import dev.candela.graph.LeakyRelu;
import dev.candela.graph.Linear;
import dev.candela.graph.Lrn;
import dev.candela.graph.MaxPool2d;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.graph.Op;
import dev.candela.graph.Relu;
import dev.candela.graph.Reshape;
import dev.candela.graph.Softmax;
import dev.candela.graph.Transpose;
import dev.candela.graph.Pointwise;
import dev.candela.graph.Mul;
import dev.candela.graph.Slice;
import dev.candela.graph.Pad2d;
import dev.candela.graph.LayerNorm;
import dev.candela.graph.Resize2d;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Converts an ONNX model (opsets 6 to 21; DESIGN.md promises 9 to 21, the older ones carry PyTorch's
 * converted test models) into a Candela {@link Model}, in pure Java. Where an op's meaning changed
 * between opsets (Clip bounds, Softmax axis, legacy Add/Mul broadcasting before 7) the model's opset decides.
 *
 * <p>Initializer-only subgraphs (Constant, ConstantOfShape, Unsqueeze, Squeeze, Reshape, Mul/Add/Sub/Div
 * of constants) are folded at import. Per-channel Mul/Add/Sub/Div of an activation by a constant
 * become one {@link ChannelAffine}; MatMul followed by a bias Add becomes one {@link Linear}. ONNX
 * node names are kept so layers stay addressable. Every node that cannot be converted is collected,
 * and the import fails once with the whole list.
 */
public final class OnnxImporter {
    static final int MIN_OPSET = 6, MAX_OPSET = 21;
    static final Set<String> SUPPORTED = Set.of("Conv", "ConvTranspose", "Pad", "BatchNormalization", "Relu", "Clip", "LeakyRelu", "MaxPool",
            "AveragePool", "GlobalAveragePool", "Flatten", "Reshape", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Sum",
            "Concat", "Dropout", "Identity", "Softmax", "LRN", "Transpose", "Constant", "ConstantOfShape", "Unsqueeze", "Squeeze",
            "Sigmoid", "HardSigmoid", "HardSwish", "Reciprocal", "ReduceMean", "Shape", "Gather", "Slice", "Erf", "LayerNormalization",
            "Pow", "Sqrt", "Resize", "Upsample");

    private final Path file;
    private final Path baseDir;
    private final ImportOptions options;
    private int opset;
    private final Map<String, OnnxConst> consts = new HashMap<>();
    private final Map<String, Shape> shapes = new HashMap<>();
    private final Set<String> poisoned = new HashSet<>();
    private final Set<String> usedNames = new HashSet<>();
    private final Map<String, Integer> onnxUses = new HashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    /** ONNX nodes absorbed into a fused op emitted earlier (LayerNorm chains). */
    private final Set<NodeProto> absorbed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();
    /** Bytes of constants the import may materialise: a file cannot make us allocate more than this. */
    private final long constantBudget;
    private long constantBytes;

    private OnnxImporter(Path file, ImportOptions options, long constantBudget) {
        this.constantBudget = constantBudget;
        this.file = file;
        this.baseDir = file == null ? null : file.toAbsolutePath().getParent();
        this.options = options;
    }

    /** Signals a node the importer cannot express; collected per node and reported together. */
    private static final class Unsupported extends RuntimeException {
        Unsupported(String m) { super(m, null, false, false); }
    }

    public static Model importFile(Path file, ImportOptions options) throws IOException {
        ModelFiles.requireRegular(file);
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 8) throw new ModelFormatException(file, "file length", "ONNX files larger than 2 GiB must keep their weights in external data files");
        byte[] bytes = Files.readAllBytes(file);
        ModelProto m = parse(file, bytes);
        Map<String, String> source = new LinkedHashMap<>();
        source.put("file", file.getFileName().toString());
        source.put("sha256", sha256(bytes));
        return importModel(m, file, options, source);
    }

    /** Parses ONNX protobuf bytes; anything that is not a ModelProto is a {@link ModelFormatException}. */
    static ModelProto parse(Path file, byte[] bytes) throws ModelFormatException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(64);
            ModelProto m = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
            return m;
        } catch (IOException e) {
            throw new ModelFormatException(file, "protobuf", "not a readable ONNX ModelProto: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new ModelFormatException(file, "protobuf", "not a readable ONNX ModelProto: " + e);
        }
    }

    /**
     * Converts a parsed model. {@code file} names the model in errors and locates external data;
     * {@code source} is extra provenance for the metadata (file name, SHA-256).
     */
    static Model importModel(ModelProto m, Path file, ImportOptions options, Map<String, String> source) throws ModelFormatException {
        return importModel(m, file, options, source, Runtime.getRuntime().maxMemory() / 2);
    }

    static Model importModel(ModelProto m, Path file, ImportOptions options, Map<String, String> source, long constantBudget) throws ModelFormatException {
        OnnxImporter im = new OnnxImporter(file, options, constantBudget);
        try {
            return im.run(m, source);
        } catch (ModelFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelFormatException(file, "graph", "cannot import: " + e.getMessage(), e);
        }
    }

    private ModelFormatException error(String field, String message) {
        return new ModelFormatException(file, field, message);
    }

    private Model run(ModelProto m, Map<String, String> source) throws ModelFormatException {
        if (!m.hasGraph()) throw error("graph", "missing (expected an ONNX ModelProto with a graph)");
        opset = -1;
        for (OperatorSetIdProto o : m.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) opset = (int) Math.min(Integer.MAX_VALUE, o.getVersion());
        }
        if (opset < 0) throw error("opset_import", "no default-domain opset declared");
        if (opset < MIN_OPSET || opset > MAX_OPSET) throw error("opset_import", "opset " + opset + " is not supported (expected " + MIN_OPSET + " to " + MAX_OPSET + ")");
        GraphProto g = m.getGraph();

        for (TensorProto t : g.getInitializerList()) {
            long elements = 1;
            for (long d : t.getDimsList()) elements = d <= 0 ? 0 : Math.min(Long.MAX_VALUE / 8, elements * Math.min(d, Integer.MAX_VALUE));
            try {
                reserve(elements, "initializer");
            } catch (Unsupported e) {
                throw error("initializer '" + t.getName() + "'", e.getMessage());
            }
            consts.put(t.getName(), OnnxTensors.decode(t, file, baseDir, "initializer '" + t.getName() + "'"));
        }
        List<ValueInfoProto> dataInputs = g.getInputList().stream().filter(v -> !consts.containsKey(v.getName())).toList();
        if (dataInputs.size() != 1) {
            throw error("graph.input", "expected exactly one non-initializer input (the image), got " + dataInputs.size() + ": "
                    + dataInputs.stream().map(ValueInfoProto::getName).toList());
        }
        ValueInfoProto in = dataInputs.get(0);
        Shape inputShape = inputShape(in);
        shapes.put(in.getName(), inputShape);
        if (g.getOutputCount() != 1) throw error("graph.output", "expected exactly one output, got " + g.getOutputCount());
        String output = g.getOutput(0).getName();

        for (NodeProto n : g.getNodeList()) for (String t : n.getInputList()) onnxUses.merge(t, 1, Integer::sum);
        for (NodeProto n : g.getNodeList()) {
            for (String t : n.getOutputList()) producers.put(t, n);
            for (String t : n.getInputList()) consumers.computeIfAbsent(t, k -> new ArrayList<>()).add(n);
        }
        onnxUses.merge(output, 1, Integer::sum);

        for (int i = 0; i < g.getNodeCount(); i++) convertNode(g.getNode(i), i);
        if (!problems.isEmpty()) {
            throw error("graph.node", problems.size() + " node(s) cannot be imported: " + String.join("; ", problems));
        }
        if (consts.containsKey(output)) throw error("graph.output", "output '" + output + "' is a constant (it does not depend on the input)");
        if (!shapes.containsKey(output)) throw error("graph.output", "output '" + output + "' is not produced by any node");

        fuse(output);
        Graph graph;
        try {
            Shape item = Shape.of(Arrays.copyOfRange(inputShape.dims(), 1, inputShape.rank()));
            graph = new Graph(in.getName(), item, nodes, output);
        } catch (IllegalArgumentException e) {
            throw error("graph", e.getMessage());
        }
        Map<String, String> src = new LinkedHashMap<>(source);
        src.put("format", "onnx");
        src.put("opset", Integer.toString(opset));
        src.put("irVersion", Long.toString(m.getIrVersion()));
        String producer = (m.getProducerName() + " " + m.getProducerVersion()).trim();
        if (!producer.isEmpty()) src.put("producer", producer);
        if (options.foldBatchNorm()) src.put("foldedBatchNorm", "true");
        return ModelChecks.check(file, new Model(graph, options.preprocessing(), options.labels(), src));
    }

    private Shape inputShape(ValueInfoProto in) throws ModelFormatException {
        List<TensorShapeProto.Dimension> dims = in.getType().getTensorType().getShape().getDimList();
        if (options.inputShape() != null) {
            int[] item = options.inputShape().dims();
            int[] d = new int[item.length + 1];
            d[0] = 1;
            System.arraycopy(item, 0, d, 1, item.length);
            return Shape.of(d);
        }
        if (dims.isEmpty()) throw error("graph.input '" + in.getName() + "'.shape", "missing; give the input shape (e.g. --input 3x224x224)");
        int[] d = new int[dims.size()];
        for (int i = 0; i < d.length; i++) {
            TensorShapeProto.Dimension dim = dims.get(i);
            long v = dim.hasDimValue() ? dim.getDimValue() : 0;
            if (v <= 0) {
                if (i == 0) { d[i] = 1; continue; }
                throw error("graph.input '" + in.getName() + "'.shape[" + i + "]", "symbolic or unknown dimension '" + dim.getDimParam() + "'; give the input shape (e.g. --input 3x224x224)");
            }
            if (v > 1 << 20) throw error("graph.input '" + in.getName() + "'.shape[" + i + "]", "dimension " + v + " is implausibly large (limit 2^20)");
            d[i] = (int) v;
        }
        if (Shape.product(d) > Shape.MAX_ELEMENTS) throw error("graph.input '" + in.getName() + "'.shape", "too many elements");
        return Shape.of(d);
    }

    // ---- per node --------------------------------------------------------------------------

    private String nodeName(NodeProto n, int index) {
        String base = !n.getName().isEmpty() ? n.getName() : n.getOutputCount() > 0 && !n.getOutput(0).isEmpty() ? n.getOutput(0) : n.getOpType() + "_" + index;
        String name = base;
        for (int k = 2; !usedNames.add(name); k++) name = base + "#" + k;
        return name;
    }

    private void convertNode(NodeProto n, int index) throws ModelFormatException {
        if (absorbed.contains(n)) return;
        String label = (n.getName().isEmpty() ? "#" + index : "'" + n.getName() + "'") + " (" + n.getOpType() + ")";
        boolean domainOk = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
        if (!domainOk || !SUPPORTED.contains(n.getOpType())) {
            problems.add("node " + label + ": op " + (domainOk ? "" : n.getDomain() + ".") + n.getOpType() + " is not supported");
            poisoned.addAll(n.getOutputList());
            return;
        }
        for (String t : n.getInputList()) {
            if (poisoned.contains(t)) {
                poisoned.addAll(n.getOutputList());
                return;
            }
            if (!t.isEmpty() && !consts.containsKey(t) && !shapes.containsKey(t)) {
                problems.add("node " + label + ": input '" + t + "' is not defined before it (graph must be topologically sorted)");
                poisoned.addAll(n.getOutputList());
                return;
            }
        }
        if (n.getOutputCount() < 1 || n.getOutput(0).isEmpty()) {
            problems.add("node " + label + ": has no output");
            return;
        }
        for (String o : n.getOutputList()) {
            if (!o.isEmpty() && (consts.containsKey(o) || shapes.containsKey(o))) {
                problems.add("node " + label + ": output '" + o + "' is produced twice");
                poisoned.addAll(n.getOutputList());
                return;
            }
        }
        try {
            boolean allConst = n.getInputList().stream().allMatch(t -> t.isEmpty() || consts.containsKey(t));
            if (allConst && fold(n)) return;
            convert(n, nodeName(n, index));
        } catch (Unsupported | IllegalArgumentException e) {
            problems.add("node " + label + ": " + e.getMessage());
            poisoned.addAll(n.getOutputList());
        } catch (ModelFormatException e) {
            problems.add("node " + label + ": " + e.getMessage());
            poisoned.addAll(n.getOutputList());
        }
    }

    /** Emits a Candela node and records its output shape. */
    private void emit(String name, Op op, List<String> inputs, String output) {
        List<Shape> in = new ArrayList<>();
        for (String t : inputs) in.add(shapes.get(t));
        Shape out = op.outputShape(in);
        nodes.add(new Node(name, op, inputs, output));
        shapes.put(output, out);
    }

    private void convert(NodeProto n, String name) throws ModelFormatException {
        String x = n.getInput(0);
        String y = n.getOutput(0);
        switch (n.getOpType()) {
            case "Conv" -> emit(name, conv(n), List.of(data(n, 0)), y);
            case "ConvTranspose" -> emit(name, convTranspose(n), List.of(data(n, 0)), y);
            case "BatchNormalization" -> {
                if (attrInt(n, "training_mode", 0) != 0) throw new Unsupported("training_mode=1 is not supported (inference only)");
                if (opset < 9 && attrInt(n, "spatial", 1) == 0) throw new Unsupported("spatial=0 (per-activation statistics) is not supported");
                if (opset < 7 && attrInt(n, "is_test", 0) == 0) throw new Unsupported("is_test=0 (training mode) is not supported");
                requireUnusedExtraOutputs(n);
                Shape s = shape(data(n, 0));
                if (s.rank() < 2) throw new Unsupported("input must have a channel axis, got " + s);
                emit(name, new BatchNorm2d(vector(n, 1, s.dim(1)), vector(n, 2, s.dim(1)), vector(n, 3, s.dim(1)), vector(n, 4, s.dim(1)),
                        attrFloat(n, "epsilon", 1e-5f)), List.of(x), y);
            }
            case "Relu" -> emit(name, new Relu(), List.of(data(n, 0)), y);
            case "LeakyRelu" -> emit(name, new LeakyRelu(attrFloat(n, "alpha", 0.01f)), List.of(data(n, 0)), y);
            case "Clip" -> {
                float lo = -Float.MAX_VALUE, hi = Float.MAX_VALUE;
                if (opset < 11) {
                    lo = attrFloat(n, "min", lo);
                    hi = attrFloat(n, "max", hi);
                } else {
                    if (n.getInputCount() > 1 && !n.getInput(1).isEmpty()) lo = scalar(n, 1);
                    if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) hi = scalar(n, 2);
                }
                emit(name, new Clip(lo, hi), List.of(data(n, 0)), y);
            }
            case "MaxPool" -> {
                requireUnusedExtraOutputs(n);
                Shape s = rank4(data(n, 0), "MaxPool");
                int[] k = kernel(n, s);
                int[] st = pairs(n, "strides", 1);
                int[] dil = pairs(n, "dilations", 1);
                emit(name, new MaxPool2d(k, st, pads(n, s, k, st, dil), dil, attrInt(n, "ceil_mode", 0) != 0), List.of(x), y);
            }
            case "AveragePool" -> {
                Shape s = rank4(data(n, 0), "AveragePool");
                int[] k = kernel(n, s);
                int[] st = pairs(n, "strides", 1);
                int[] dil = pairs(n, "dilations", 1);
                if (dil[0] != 1 || dil[1] != 1) throw new Unsupported("dilated AveragePool is not supported");
                emit(name, new AvgPool2d(k, st, pads(n, s, k, st, dil), attrInt(n, "ceil_mode", 0) != 0, attrInt(n, "count_include_pad", 0) != 0), List.of(x), y);
            }
            case "GlobalAveragePool" -> {
                rank4(data(n, 0), "GlobalAveragePool");
                emit(name, new GlobalAvgPool(), List.of(x), y);
            }
            case "Flatten" -> {
                Shape s = shape(data(n, 0));
                int axis = axis(attrInt(n, "axis", 1), s.rank() + 1 > 1 ? s.rank() : 1, "axis", true);
                if (axis == 0) throw new Unsupported("Flatten with axis 0 merges the batch axis");
                // ONNX Flatten gives [prod(d[0:axis]), prod(d[axis:])]: batch-preserving only if d[1:axis] are all 1.
                for (int i = 1; i < axis; i++) if (s.dim(i) != 1) throw new Unsupported("Flatten with axis " + axis + " merges the batch axis with dimension " + i + " of " + s);
                emit(name, new Flatten(), List.of(x), y);
            }
            case "Reshape" -> {
                Shape s = shape(data(n, 0));
                long[] target = constant(n, 1).asLongs();
                int[] d = reshapeTarget(s, target, attrInt(n, "allowzero", 0) != 0);
                if (d.length == 0 || d[0] != s.dim(0)) throw new Unsupported("Reshape of " + s + " to " + Arrays.toString(d) + " changes the batch axis");
                emit(name, new Reshape(itemShapeOf(d)), List.of(x), y);
            }
            case "Unsqueeze", "Squeeze" -> {
                Shape s = shape(data(n, 0));
                int[] d = n.getOpType().equals("Unsqueeze") ? unsqueeze(s.dims(), axes(n)) : squeeze(s.dims(), axes(n));
                if (d.length == 0 || d[0] != s.dim(0)) throw new Unsupported(n.getOpType() + " would move the batch axis");
                emit(name, new Reshape(itemShapeOf(d)), List.of(x), y);
            }
            case "Gemm" -> emit(name, gemm(n), List.of(data(n, 0)), y);
            case "MatMul" -> {
                Shape s = shape(data(n, 0));
                OnnxConst b = constant(n, 1);
                if (s.rank() < 2 || b.rank() != 2) throw new Unsupported("MatMul is supported as [N,...,K] x constant [K,M] only, got " + s + " x " + Arrays.toString(b.dims()));
                if (b.dims()[0] != s.dim(-1)) throw new Unsupported("MatMul inner dimensions differ: " + s + " x " + Arrays.toString(b.dims()));
                int k = b.dims()[0], mOut = b.dims()[1];
                float[] bf = b.asFloats(), w = new float[mOut * k];
                for (int i = 0; i < k; i++) for (int j = 0; j < mOut; j++) w[j * k + i] = bf[i * mOut + j];
                emit(name, new Linear(Tensor.of(w, mOut, k), Tensor.zeros(mOut)), List.of(x), y);
            }
            case "Add", "Sub", "Mul", "Div" -> arithmetic(n, name);
            case "Sum" -> {
                List<String> ins = new ArrayList<>();
                for (int i = 0; i < n.getInputCount(); i++) ins.add(data(n, i));
                emit(name, ins.size() == 1 ? new Identity() : new Add(), ins, y);
            }
            case "Concat" -> {
                List<String> ins = new ArrayList<>();
                for (int i = 0; i < n.getInputCount(); i++) ins.add(data(n, i));
                int axis = axis(attrInt(n, "axis", 1), shape(ins.get(0)).rank(), "axis", false);
                if (axis == 0) throw new Unsupported("Concat along the batch axis is not supported");
                emit(name, new Concat(axis), ins, y);
            }
            case "Dropout" -> {
                requireUnusedExtraOutputs(n);
                if (n.getInputCount() > 2 && !n.getInput(2).isEmpty() && constant(n, 2).get(0) != 0) throw new Unsupported("training_mode=true is not supported");
                emit(name, new Identity(), List.of(data(n, 0)), y);
            }
            case "Identity" -> emit(name, new Identity(), List.of(data(n, 0)), y);
            case "Pad" -> {
                // PyTorch exports of DenseNet put an all-zero Pad before each transition pool: an identity.
                String mode = attrString(n, "mode", "constant");
                int[] pads = opset < 11 ? attrInts(n, "pads", null) : null;
                if (opset >= 11) {
                    OnnxConst c = constant(n, 1);
                    pads = new int[c.size()];
                    for (int i = 0; i < pads.length; i++) pads[i] = (int) c.get(i);
                }
                if (pads == null) throw new Unsupported("Pad without pads");
                if (n.getInputCount() > 3 && !n.getInput(3).isEmpty()) throw new Unsupported("Pad with axes is not supported");
                boolean zero = true;
                for (int p : pads) zero &= p == 0;
                if (zero) {
                    emit(name, new Identity(), List.of(data(n, 0)), y);
                    return;
                }
                if (!mode.equals("constant")) throw new Unsupported("Pad mode " + mode + " is not supported (constant only)");
                Shape s = shape(data(n, 0));
                if (s.rank() != 4 || pads.length != 8) throw new Unsupported("Pad is supported on rank-4 tensors, got " + s);
                if (pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0) throw new Unsupported("Pad of the batch or channel axis " + Arrays.toString(pads) + " is not supported");
                for (int p : pads) if (p < 0) throw new Unsupported("negative Pad (cropping) " + Arrays.toString(pads) + " is not supported");
                float value = opset < 11 ? attrFloat(n, "value", 0f) : n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? scalar(n, 2) : 0f;
                emit(name, new Pad2d(new int[]{pads[2], pads[3], pads[6], pads[7]}, value), List.of(data(n, 0)), y);
            }
            case "Softmax" -> {
                Shape s = shape(data(n, 0));
                boolean old = opset < 13;
                int axis = axis(attrInt(n, "axis", old ? 1 : -1), s.rank(), "axis", false);
                if (axis == 0) throw new Unsupported("Softmax over the batch axis (axis 0) is not supported");
                emit(name, new Softmax(axis, old), List.of(x), y);
            }
            case "LRN" -> {
                rank4(data(n, 0), "LRN");
                emit(name, new Lrn((int) attrLong(n, "size", -1), attrFloat(n, "alpha", 1e-4f), attrFloat(n, "beta", 0.75f), attrFloat(n, "bias", 1f)), List.of(x), y);
            }
            case "Sigmoid" -> emit(name, new Pointwise(Pointwise.Fn.SIGMOID), List.of(data(n, 0)), y);
            case "HardSigmoid" -> emit(name, new Pointwise(Pointwise.Fn.HARD_SIGMOID, attrFloat(n, "alpha", 0.2f), attrFloat(n, "beta", 0.5f)), List.of(data(n, 0)), y);
            case "HardSwish" -> emit(name, new Pointwise(Pointwise.Fn.HARD_SWISH), List.of(data(n, 0)), y);
            case "Shape" -> {
                // Shapes are static once the input size is fixed: the shape is a constant (batch 1; nodes
                // that use it keep the batch axis, so the folded value does not fix the batch).
                int[] d = shape(data(n, 0)).dims();
                long[] l = new long[d.length];
                for (int i = 0; i < d.length; i++) l[i] = d[i];
                consts.put(y, OnnxConst.ofLongs(new int[]{d.length}, l));
            }
            case "Resize", "Upsample" -> emit(name, resize(n), List.of(data(n, 0)), y);
            case "Erf" -> emit(name, new Pointwise(Pointwise.Fn.ERF), List.of(data(n, 0)), y);
            case "Reciprocal" -> emit(name, new Pointwise(Pointwise.Fn.RECIPROCAL), List.of(data(n, 0)), y);
            case "Pow", "Sqrt" -> throw new Unsupported(n.getOpType() + " of an activation is supported only inside a layer-norm chain (ReduceMean, Sub, Pow 2, ReduceMean, Add eps, Sqrt, Div)");
            case "LayerNormalization" -> {
                requireUnusedExtraOutputs(n);
                Shape s = shape(data(n, 0));
                if (axis(attrInt(n, "axis", -1), s.rank(), "axis", false) != s.rank() - 1) throw new Unsupported("LayerNormalization is supported over the last axis only");
                int c = s.dim(-1);
                Tensor beta = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? vector(n, 2, c) : Tensor.zeros(c);
                emit(name, new LayerNorm(vector(n, 1, c), beta, attrFloat(n, "epsilon", 1e-5f)), List.of(x), y);
            }
            case "ReduceMean" -> {
                Shape s = shape(data(n, 0));
                long[] ax = axes(n);
                java.util.Set<Integer> set = new java.util.TreeSet<>();
                for (long a : ax) set.add(axis(a, s.rank(), "axes", false));
                if (set.equals(java.util.Set.of(s.rank() - 1)) && layerNormChain(n, name)) return;
                if (ax.length == 0) {
                    if (attrInt(n, "noop_with_empty_axes", 0) != 0) {
                        emit(name, new Identity(), List.of(x), y);
                        return;
                    }
                    for (int i = 0; i < s.rank(); i++) set.add(i);
                }
                if (s.rank() != 4 || !set.equals(java.util.Set.of(2, 3))) {
                    reduceMean(name, x, s, set, attrInt(n, "keepdims", 1) != 0, y);
                } else if (attrInt(n, "keepdims", 1) != 0) {
                    emit(name, new GlobalAvgPool(), List.of(x), y);
                } else {
                    emit(name, new GlobalAvgPool(), List.of(x), y + "#pooled");
                    emit(name + "#squeeze", new Reshape(new int[]{s.dim(1)}), List.of(y + "#pooled"), y);
                }
            }
            case "Slice" -> {
                Shape s = shape(data(n, 0));
                long[] starts = constant(n, 1).asLongs(), ends = constant(n, 2).asLongs();
                long[] axes = n.getInputCount() > 3 && !n.getInput(3).isEmpty() ? constant(n, 3).asLongs() : null;
                long[] steps = n.getInputCount() > 4 && !n.getInput(4).isEmpty() ? constant(n, 4).asLongs() : null;
                if (starts.length != ends.length || (axes != null && axes.length != starts.length)) throw new Unsupported("Slice starts/ends/axes lengths differ");
                String in = data(n, 0);
                List<int[]> cuts = new ArrayList<>();
                for (int i = 0; i < starts.length; i++) {
                    int a = axes == null ? i : axis(axes[i], s.rank(), "axes", false);
                    if (steps != null && steps[i] != 1) throw new Unsupported("Slice with step " + steps[i] + " is not supported (step 1 only)");
                    int dim = s.dim(a);
                    long b = starts[i] < 0 ? starts[i] + dim : starts[i], e = ends[i] < 0 ? ends[i] + dim : ends[i];
                    b = Math.max(0, Math.min(dim, b));
                    e = Math.max(0, Math.min(dim, e));
                    if (b == 0 && e == dim) continue;
                    if (a == 0) throw new Unsupported("Slice along the batch axis is not supported");
                    if (e <= b) throw new Unsupported("Slice " + starts[i] + ".." + ends[i] + " on axis " + a + " of " + s + " is empty");
                    cuts.add(new int[]{a, (int) b, (int) e});
                }
                if (cuts.isEmpty()) { emit(name, new Identity(), List.of(in), y); return; }
                for (int i = 0; i < cuts.size(); i++) {
                    boolean last = i == cuts.size() - 1;
                    String out = last ? y : y + "#" + i;
                    emit(i == 0 ? name : name + "#" + i, new Slice(cuts.get(i)[0], cuts.get(i)[1], cuts.get(i)[2]), List.of(in), out);
                    in = out;
                }
            }
            case "Transpose" -> {
                Shape s = shape(data(n, 0));
                int[] perm = attrInts(n, "perm", null);
                if (perm == null) {
                    perm = new int[s.rank()];
                    for (int i = 0; i < perm.length; i++) perm[i] = perm.length - 1 - i;
                }
                if (perm.length != s.rank()) throw new Unsupported("perm " + Arrays.toString(perm) + " does not match input rank " + s.rank());
                if (perm[0] != 0) throw new Unsupported("Transpose moving the batch axis (perm " + Arrays.toString(perm) + ") is not supported");
                emit(name, new Transpose(perm), List.of(x), y);
            }
            default -> throw new Unsupported("op " + n.getOpType() + " needs constant inputs here");
        }
    }

    private Op conv(NodeProto n) throws ModelFormatException {
        Shape s = shape(data(n, 0));
        OnnxConst w = constant(n, 1);
        if (w.rank() != 4 || s.rank() != 4) throw new Unsupported("only 2-D convolution is supported (input " + s + ", weight rank " + w.rank() + ")");
        int[] k = {w.dims()[2], w.dims()[3]};
        int[] ks = attrInts(n, "kernel_shape", null);
        if (ks != null && !Arrays.equals(ks, k)) throw new Unsupported("kernel_shape " + Arrays.toString(ks) + " differs from the weight's " + Arrays.toString(k));
        int[] st = pairs(n, "strides", 1);
        int[] dil = pairs(n, "dilations", 1);
        int groups = (int) attrLong(n, "group", 1);
        Tensor bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? vector(n, 2, w.dims()[0]) : Tensor.zeros(w.dims()[0]);
        return new Conv2d(w.tensor(), bias, st, pads(n, s, k, st, dil), dil, groups);
    }

    /** ONNX ConvTranspose (2-D): pads from {@code pads}, {@code output_shape} or {@code auto_pad}, as the operator spec gives them. */
    private Op convTranspose(NodeProto n) throws ModelFormatException {
        Shape s = shape(data(n, 0));
        OnnxConst w = constant(n, 1);
        if (w.rank() != 4 || s.rank() != 4) throw new Unsupported("only 2-D transposed convolution is supported (input " + s + ", weight rank " + w.rank() + ")");
        long group = attrLong(n, "group", 1);
        if (group < 1 || group > w.dims()[0]) throw new Unsupported("ConvTranspose group " + group + " must be from 1 to the input channels " + w.dims()[0]);
        int groups = (int) group;
        int[] k = {w.dims()[2], w.dims()[3]};
        int[] ks = attrInts(n, "kernel_shape", null);
        if (ks != null && !Arrays.equals(ks, k)) throw new Unsupported("kernel_shape " + Arrays.toString(ks) + " differs from the weight's " + Arrays.toString(k));
        int[] st = pairs(n, "strides", 1), dil = pairs(n, "dilations", 1), op = pairs(n, "output_padding", 0);
        for (int i = 0; i < 2; i++) {
            if (op[i] < 0 || op[i] >= st[i]) throw new Unsupported("output_padding " + Arrays.toString(op) + " must be from 0 to below the strides " + Arrays.toString(st));
        }
        String auto = attrString(n, "auto_pad", "NOTSET");
        int[] out = attrInts(n, "output_shape", null);
        if (out != null && out.length != 2 && out.length != 4) throw new Unsupported("ConvTranspose output_shape " + Arrays.toString(out) + " must give the 2 spatial sizes (or all 4 dimensions)");
        int[] pads = new int[4];
        if (out != null || auto.startsWith("SAME")) {
            for (int i = 0; i < 2; i++) {
                long full = ConvTranspose2d.outSize(s.dim(2 + i), k[i], st[i], dil[i], op[i], 0, 0);
                long want = out != null ? out[out.length - 2 + i] : (long) s.dim(2 + i) * st[i];
                long total = full - want;
                if (total < -st[i] || total > Integer.MAX_VALUE) throw new Unsupported("ConvTranspose output_shape " + Arrays.toString(out) + " does not fit input " + s);
                // the spec's Python: half = total // 2 (floor); a negative end pad is extra output padding
                int half = (int) Math.floorDiv(total, 2L), rest = (int) total - half;
                pads[i] = auto.equals("SAME_UPPER") ? half : rest;
                pads[i + 2] = auto.equals("SAME_UPPER") ? rest : half;
                if (pads[i + 2] < 0) {
                    op[i] -= pads[i + 2];
                    pads[i + 2] = 0;
                }
                if (pads[i] < 0 || op[i] >= st[i]) throw new Unsupported("ConvTranspose output_shape " + Arrays.toString(out) + " needs padding this op cannot express for input " + s);
            }
        } else if (auto.equals("NOTSET")) {
            int[] p = attrInts(n, "pads", null);
            if (p != null && p.length != 4) throw new Unsupported("pads " + Arrays.toString(p) + ": only 2-D is supported");
            if (p != null) pads = p;
        } else if (!auto.equals("VALID")) {
            throw new Unsupported("auto_pad " + auto + " is not supported");
        }
        int outC = w.dims()[1] * groups;
        Tensor bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? vector(n, 2, outC) : Tensor.zeros(outC);
        return new ConvTranspose2d(w.tensor(), bias, st, pads, dil, op, groups);
    }

    private Op gemm(NodeProto n) throws ModelFormatException {
        Shape s = shape(data(n, 0));
        if (s.rank() != 2) throw new Unsupported("Gemm input must be [N, K], got " + s);
        if (attrInt(n, "transA", 0) != 0) throw new Unsupported("transA=1 on the activation is not supported");
        OnnxConst b = constant(n, 1);
        if (b.rank() != 2) throw new Unsupported("Gemm B must be a constant matrix, got dims " + Arrays.toString(b.dims()));
        boolean transB = attrInt(n, "transB", 0) != 0;
        float alpha = attrFloat(n, "alpha", 1f), beta = attrFloat(n, "beta", 1f);
        int out = transB ? b.dims()[0] : b.dims()[1], k = transB ? b.dims()[1] : b.dims()[0];
        float[] bf = b.asFloats(), w = new float[out * k];
        for (int o = 0; o < out; o++)
            for (int i = 0; i < k; i++) {
                float v = transB ? bf[o * k + i] : bf[i * out + o];
                w[o * k + i] = alpha == 1f ? v : alpha * v;
            }
        float[] bias = new float[out];
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
            OnnxConst c = constant(n, 2);
            float[] cf = c.asFloats();
            int[] cd = c.dims();
            boolean scalar = cf.length == 1;
            boolean row = cf.length == out && (cd.length == 1 || (cd.length == 2 && cd[0] == 1));
            if (!scalar && !row) throw new Unsupported("Gemm bias C of dims " + Arrays.toString(cd) + " varies across the batch; only [" + out + "], [1," + out + "] or a scalar are supported");
            for (int o = 0; o < out; o++) bias[o] = beta == 1f ? cf[scalar ? 0 : o] : beta * cf[scalar ? 0 : o];
        }
        return new Linear(Tensor.of(w, out, k), Tensor.of(bias, out));
    }

    /** Add/Sub/Mul/Div: two activations (Add only, equal shapes) or an activation and a per-channel constant. */
    private void arithmetic(NodeProto n, String name) throws ModelFormatException {
        String op = n.getOpType();
        String a = n.getInput(0), b = n.getInput(1), y = n.getOutput(0);
        boolean ca = consts.containsKey(a), cb = consts.containsKey(b);
        if (!ca && !cb) {
            if (op.equals("Mul")) {
                emit(name, new Mul(), List.of(a, b), y);
                return;
            }
            if (op.equals("Div") && broadcasts(shape(a), shape(b))) {
                // a / b = a * (1 / b): the reciprocal is a smooth activation, the product a gate (Mul's rules)
                emit(name + "#reciprocal", new Pointwise(Pointwise.Fn.RECIPROCAL), List.of(b), y + "#reciprocal");
                emit(name, new Mul(1), List.of(a, y + "#reciprocal"), y);
                return;
            }
            if (op.equals("Sub") && broadcasts(shape(a), shape(b))) {
                // a - b = a + (-1) b: the negation is a per-channel affine, so every rule of Add applies
                int ch = shape(b).dim(1);
                float[] minus = new float[ch];
                Arrays.fill(minus, -1f);
                emit(name + "#negate", new ChannelAffine(Tensor.of(minus, ch), Tensor.of(new float[ch], ch)), List.of(b), y + "#negated");
                emit(name, new Add(), List.of(a, y + "#negated"), y);
                return;
            }
            if (!op.equals("Add") && !op.equals("Sub")) throw new Unsupported(op + " of two activations is not supported");
            if (!broadcasts(shape(a), shape(b))) throw new Unsupported(op + " of shapes " + shape(a) + " and " + shape(b) + " does not broadcast with equal ranks and batch");
            emit(name, new Add(), List.of(a, b), y);
            return;
        }
        String x = ca ? b : a;
        OnnxConst c = consts.get(ca ? a : b);
        Shape s = shape(x);
        if (opset < 7 && attrInt(n, "broadcast", 0) != 0 && c.rank() > 0) {
            // Legacy broadcasting: B's dims line up with A's starting at 'axis' (default: the trailing dims).
            if (ca) throw new Unsupported("legacy broadcast with the constant as first operand is not supported");
            int axis = axis(attrInt(n, "axis", s.rank() - c.rank()), s.rank(), "axis", false);
            if (axis + c.rank() > s.rank()) throw new Unsupported("legacy broadcast of " + Arrays.toString(c.dims()) + " at axis " + axis + " does not fit " + s);
            int[] d = new int[s.rank()];
            Arrays.fill(d, 1);
            System.arraycopy(c.dims(), 0, d, axis, c.rank());
            c = c.reshape(d);
        }
        if (op.equals("Add") && s.rank() > 2 && lastAxisBias(x, c, s, name, y)) return;
        float[] v = perChannel(c, s);
        if (v == null) {
            elementAffine(op, ca, c, s, x, name, y);
            return;
        }
        int ch = v.length;
        float[] scale = new float[ch], shift = new float[ch];
        for (int i = 0; i < ch; i++) {
            switch (op) {
                case "Add" -> { scale[i] = 1; shift[i] = v[i]; }
                case "Mul" -> { scale[i] = v[i]; shift[i] = 0; }
                case "Sub" -> { scale[i] = ca ? -1 : 1; shift[i] = ca ? v[i] : -v[i]; }
                default -> {
                    if (ca) throw new Unsupported("Div of a constant by an activation is not supported");
                    scale[i] = 1 / v[i];
                    shift[i] = 0;
                }
            }
        }
        emit(name, new ChannelAffine(Tensor.of(scale, ch), Tensor.of(shift, ch)), List.of(x), y);
    }

    /**
     * MatMul + bias on the last axis of a rank > 2 activation (ConvNeXt's channels-last Linear): the bias
     * goes into the Linear just emitted for {@code x}, which then writes {@code y}. False when that does not apply.
     */
    private boolean lastAxisBias(String x, OnnxConst c, Shape s, String name, String y) {
        if (nodes.isEmpty()) return false;
        Node last = nodes.get(nodes.size() - 1);
        if (!last.output().equals(x) || !(last.op() instanceof Linear lin) || onnxUses.getOrDefault(x, 0) != 1) return false;
        int out = lin.outFeatures();
        if (c.size() != out && c.size() != 1) return false;
        for (int i = 0; i < c.rank() - 1; i++) if (c.dims()[i] != 1) return false;
        if (c.rank() > 0 && c.dims()[c.rank() - 1] != c.size()) return false;
        float[] bias = lin.bias().data().clone(), cv = c.asFloats();
        for (int i = 0; i < out; i++) bias[i] += cv[c.size() == 1 ? 0 : i];
        nodes.set(nodes.size() - 1, new Node(last.name(), new Linear(lin.weight(), Tensor.of(bias, out)), last.inputs(), y));
        shapes.put(y, s);
        return true;
    }

    /**
     * PyTorch's exported layer norm over the last axis: m = ReduceMean(x), d = Sub(x, m), Pow(d, 2),
     * v = ReduceMean(.), Add(v, eps), Sqrt, q = Div(d, .), then optionally Mul(q, gamma) and Add(., beta).
     * Matched from the first ReduceMean {@code n}; every intermediate must feed only the chain. On a match
     * one {@link LayerNorm} is emitted (named after the chain's last node) and the other nodes are absorbed.
     */
    private boolean layerNormChain(NodeProto n, String name) throws ModelFormatException {
        String x = n.getInput(0);
        int c = shape(x).dim(-1);
        NodeProto sub = only(n.getOutput(0), "Sub");
        if (sub == null || !sub.getInput(0).equals(x) || !sub.getInput(1).equals(n.getOutput(0))) return false;
        List<NodeProto> uses = consumers.getOrDefault(sub.getOutput(0), List.of());
        if (uses.size() != 2) return false;
        NodeProto pow = uses.stream().filter(u -> u.getOpType().equals("Pow")).findFirst().orElse(null);
        NodeProto div = uses.stream().filter(u -> u.getOpType().equals("Div")).findFirst().orElse(null);
        if (pow == null || div == null || !pow.getInput(0).equals(sub.getOutput(0)) || !div.getInput(0).equals(sub.getOutput(0))) return false;
        OnnxConst two = lookahead(pow.getInput(1));
        if (two == null || two.size() != 1 || two.get(0) != 2) return false;
        NodeProto mean2 = only(pow.getOutput(0), "ReduceMean");
        if (mean2 == null) return false;
        long[] ax2 = axes(mean2);
        if (ax2.length != 1 || axis(ax2[0], shape(x).rank(), "axes", false) != shape(x).rank() - 1 || attrInt(mean2, "keepdims", 1) == 0 || attrInt(n, "keepdims", 1) == 0) return false;
        NodeProto add = only(mean2.getOutput(0), "Add");
        if (add == null || !add.getInput(0).equals(mean2.getOutput(0))) return false;
        OnnxConst eps = lookahead(add.getInput(1));
        if (eps == null || eps.size() != 1) return false;
        NodeProto sqrt = only(add.getOutput(0), "Sqrt");
        if (sqrt == null || !div.getInput(1).equals(sqrt.getOutput(0)) || only(sqrt.getOutput(0), "Div") != div) return false;
        List<NodeProto> chain = new ArrayList<>(List.of(sub, pow, mean2, add, sqrt, div));
        float[] gamma = new float[c], beta = new float[c];
        Arrays.fill(gamma, 1f);
        String out = div.getOutput(0);
        NodeProto mul = only(out, "Mul");
        if (mul != null) {
            OnnxConst gc = lookahead(mul.getInput(mul.getInput(0).equals(out) ? 1 : 0));
            if (gc != null && (gc.size() == c || gc.size() == 1)) {
                for (int i = 0; i < c; i++) gamma[i] = gc.asFloats()[gc.size() == 1 ? 0 : i];
                chain.add(mul);
                out = mul.getOutput(0);
                NodeProto addB = only(out, "Add");
                if (addB != null) {
                    OnnxConst bc = lookahead(addB.getInput(addB.getInput(0).equals(out) ? 1 : 0));
                    if (bc != null && (bc.size() == c || bc.size() == 1)) {
                        for (int i = 0; i < c; i++) beta[i] = bc.asFloats()[bc.size() == 1 ? 0 : i];
                        chain.add(addB);
                        out = addB.getOutput(0);
                    }
                }
            }
        }
        NodeProto lastNode = chain.get(chain.size() - 1);
        String lnName = lastNode.getName().isEmpty() ? name : nodeName(lastNode, -1);
        emit(lnName, new LayerNorm(Tensor.of(gamma, c), Tensor.of(beta, c), (float) eps.get(0)), List.of(x), out);
        absorbed.addAll(chain);
        return true;
    }

    /** The single consumer of {@code t} if it has exactly one and of the given op type, else null. */
    private NodeProto only(String t, String opType) {
        List<NodeProto> u = consumers.getOrDefault(t, List.of());
        if (u.size() != 1 || !u.get(0).getOpType().equals(opType) || onnxUses.getOrDefault(t, 0) != 1) return null;
        return u.get(0);
    }

    /** A constant known now or produced by a later Constant node (evaluated ahead), else null. */
    private OnnxConst lookahead(String t) throws ModelFormatException {
        OnnxConst c = consts.get(t);
        if (c != null) return c;
        NodeProto p = producers.get(t);
        if (p != null && p.getOpType().equals("Constant")) return constantNode(p);
        return null;
    }

    /** NumPy broadcasting as Add and Mul take it: equal ranks, the same batch, each other axis equal or 1 on one side. */
    private static boolean broadcasts(Shape a, Shape b) {
        if (a.rank() != b.rank() || a.dim(0) != b.dim(0)) return false;
        for (int i = 1; i < a.rank(); i++) if (a.dim(i) != b.dim(i) && a.dim(i) != 1 && b.dim(i) != 1) return false;
        return true;
    }

    /** Add/Sub/Mul/Div by a constant that broadcasts to one item of {@code x} but is not per-channel. */
    private void elementAffine(String op, boolean constantFirst, OnnxConst c, Shape s, String x, String name, String y) {
        reserve(3L * s.itemSize(), op + " by a broadcast constant"); // the expanded constant, scale and shift
        float[] v = perItem(c, s);
        if (v == null) throw new Unsupported(op + " by a constant of dims " + Arrays.toString(c.dims()) + " does not broadcast to one item of input " + s + " (it must not vary along the batch axis)");
        float[] scale = new float[v.length], shift = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            switch (op) {
                case "Add" -> { scale[i] = 1; shift[i] = v[i]; }
                case "Mul" -> scale[i] = v[i];
                case "Sub" -> { scale[i] = constantFirst ? -1 : 1; shift[i] = constantFirst ? v[i] : -v[i]; }
                default -> {
                    if (constantFirst) throw new Unsupported("Div of a constant by an activation is not supported");
                    scale[i] = 1 / v[i];
                }
            }
        }
        int[] item = Arrays.copyOfRange(s.dims(), 1, s.rank());
        emit(name, new dev.candela.graph.ElementAffine(Tensor.of(scale, item), Tensor.of(shift, item)), List.of(x), y);
    }

    /** The constant broadcast (NumPy rules) to one item of shape {@code s}; null when it does not fit or varies along the batch. */
    static float[] perItem(OnnxConst c, Shape s) {
        int r = s.rank(), off = r - c.rank();
        if (off < 0 || r < 2) return null;
        int[] padded = new int[r], item = s.dims().clone();
        for (int i = 0; i < r; i++) {
            int d = i >= off ? c.dims()[i - off] : 1;
            if (d != 1 && (d != s.dim(i) || i == 0)) return null;
            padded[i] = d;
        }
        item[0] = 1;
        // the same NumPy index map Mul and Add use for a broadcast operand
        int[] src = Mul.sourceIndex(Shape.of(padded), Shape.of(item));
        float[] f = c.asFloats(), out = new float[src.length];
        for (int j = 0; j < out.length; j++) out[j] = f[src[j]];
        return out;
    }

    /** The constant as one value per channel (axis 1) of {@code s}, or null when it varies along another axis. */
    private static float[] perChannel(OnnxConst c, Shape s) {
        if (s.rank() < 2 || c.rank() > s.rank()) return null;
        int r = s.rank(), ch = s.dim(1);
        int[] p = new int[r];
        Arrays.fill(p, 1);
        System.arraycopy(c.dims(), 0, p, r - c.rank(), c.rank());
        for (int i = 0; i < r; i++) if (i != 1 && p[i] != 1) return null;
        if (p[1] != 1 && p[1] != ch) return null;
        float[] f = c.asFloats(), v = new float[ch];
        for (int i = 0; i < ch; i++) v[i] = f[p[1] == 1 ? 0 : i];
        return v;
    }

    private void requireUnusedExtraOutputs(NodeProto n) {
        for (int i = 1; i < n.getOutputCount(); i++) {
            String o = n.getOutput(i);
            if (!o.isEmpty() && onnxUses.containsKey(o)) throw new Unsupported("output " + i + " ('" + o + "') is used, only the first output is supported");
        }
    }

    // ---- constant folding ----------------------------------------------------------------

    /** Folds a node whose inputs are all constants; false when the op is not foldable here. */
    private boolean fold(NodeProto n) throws ModelFormatException {
        String y = n.getOutput(0);
        OnnxConst r;
        switch (n.getOpType()) {
            case "Constant" -> r = constantNode(n);
            case "ConstantOfShape" -> {
                long[] d = constant(n, 0).asLongs();
                int[] dims = new int[d.length];
                long count = 1;
                for (int i = 0; i < d.length; i++) {
                    if (d[i] < 0 || d[i] > Integer.MAX_VALUE) throw new Unsupported("ConstantOfShape dimension " + d[i] + " out of range");
                    dims[i] = (int) d[i];
                    count = d[i] == 0 ? 0 : count * d[i];
                    if (count > OnnxConst.MAX_ELEMENTS) throw new Unsupported("ConstantOfShape of " + Arrays.toString(d) + " exceeds " + OnnxConst.MAX_ELEMENTS + " elements");
                }
                reserve(count, "ConstantOfShape");
                AttributeProto v = attr(n, "value");
                OnnxConst fill = v == null ? OnnxConst.ofFloats(new int[]{1}, new float[]{0}) : OnnxTensors.decode(v.getT(), file, baseDir, "node '" + n.getName() + "'.value");
                if (fill.size() != 1) throw new Unsupported("ConstantOfShape value must hold one element");
                if (fill.isFloat()) {
                    float[] f = new float[(int) count];
                    Arrays.fill(f, fill.floats()[0]);
                    r = OnnxConst.ofFloats(dims, f);
                } else {
                    long[] l = new long[(int) count];
                    Arrays.fill(l, fill.longs()[0]);
                    r = OnnxConst.ofLongs(dims, l);
                }
            }
            case "Unsqueeze" -> {
                OnnxConst c = constant(n, 0);
                r = c.reshape(unsqueeze(c.dims(), axes(n)));
            }
            case "Squeeze" -> {
                OnnxConst c = constant(n, 0);
                r = c.reshape(squeeze(c.dims(), axes(n)));
            }
            case "Reshape" -> {
                OnnxConst c = constant(n, 0);
                int[] d = reshapeTarget(Shape.of(c.dims()), constant(n, 1).asLongs(), attrInt(n, "allowzero", 0) != 0);
                r = c.reshape(d);
            }
            case "Identity", "Dropout" -> r = constant(n, 0);
            case "Transpose" -> r = transpose(constant(n, 0), attrInts(n, "perm", null));
            case "Add", "Sub", "Mul", "Div" -> r = broadcast(n.getOpType(), constant(n, 0), constant(n, 1));
            case "Slice" -> r = slice1d(n);
            case "Gather" -> r = gather(constant(n, 0), constant(n, 1), attrInt(n, "axis", 0));
            case "Concat" -> {
                List<OnnxConst> parts = new ArrayList<>();
                for (int i = 0; i < n.getInputCount(); i++) parts.add(constant(n, i));
                r = concat1d(parts);
            }
            default -> { return false; }
        }
        consts.put(y, r);
        return true;
    }

    private OnnxConst constantNode(NodeProto n) throws ModelFormatException {
        for (AttributeProto a : n.getAttributeList()) {
            switch (a.getName()) {
                case "value": return OnnxTensors.decode(a.getT(), file, baseDir, "node '" + n.getName() + "'.value");
                case "value_float": return OnnxConst.ofFloats(new int[0], new float[]{a.getF()});
                case "value_floats": {
                    float[] f = new float[a.getFloatsCount()];
                    for (int i = 0; i < f.length; i++) f[i] = a.getFloats(i);
                    return OnnxConst.ofFloats(new int[]{f.length}, f);
                }
                case "value_int": return OnnxConst.ofLongs(new int[0], new long[]{a.getI()});
                case "value_ints": {
                    long[] l = new long[a.getIntsCount()];
                    for (int i = 0; i < l.length; i++) l[i] = a.getInts(i);
                    return OnnxConst.ofLongs(new int[]{l.length}, l);
                }
                default: break;
            }
        }
        throw new Unsupported("Constant without a supported value attribute (value, value_float(s), value_int(s))");
    }

    private void reserve(long elements, String what) {
        constantBytes += 4 * Math.min(elements, Long.MAX_VALUE / 16);
        if (constantBytes > constantBudget) {
            throw new Unsupported(what + ": constants would need " + constantBytes + " bytes, more than the import budget of " + constantBudget + " (half the heap)");
        }
    }

    /** NumPy-broadcast elementwise arithmetic on constants. */
    private OnnxConst broadcast(String op, OnnxConst a, OnnxConst b) {
        int r = Math.max(a.rank(), b.rank());
        int[] da = pad(a.dims(), r), db = pad(b.dims(), r), d = new int[r];
        for (int i = 0; i < r; i++) {
            if (da[i] != db[i] && da[i] != 1 && db[i] != 1) throw new Unsupported("cannot broadcast " + Arrays.toString(a.dims()) + " with " + Arrays.toString(b.dims()));
            d[i] = da[i] == 1 ? db[i] : da[i];
        }
        long count = Shape.product(d);
        if (count > OnnxConst.MAX_ELEMENTS) throw new Unsupported("folded constant too large");
        reserve(count, op);
        int n = (int) count;
        boolean floats = a.isFloat() || b.isFloat();
        float[] f = floats ? new float[n] : null;
        long[] l = floats ? null : new long[n];
        int[] idx = new int[r];
        for (int k = 0; k < n; k++) {
            int ia = 0, ib = 0;
            for (int i = 0; i < r; i++) {
                ia = ia * da[i] + (da[i] == 1 ? 0 : idx[i]);
                ib = ib * db[i] + (db[i] == 1 ? 0 : idx[i]);
            }
            if (floats) {
                float x = (float) a.get(ia), y = (float) b.get(ib);
                f[k] = switch (op) { case "Add" -> x + y; case "Sub" -> x - y; case "Mul" -> x * y; default -> x / y; };
            } else {
                long x = a.longs()[ia], y = b.longs()[ib];
                if (op.equals("Div") && y == 0) throw new Unsupported("integer division by zero in a constant");
                l[k] = switch (op) { case "Add" -> x + y; case "Sub" -> x - y; case "Mul" -> x * y; default -> x / y; };
            }
            for (int i = r - 1; i >= 0; i--) {
                if (++idx[i] < d[i]) break;
                idx[i] = 0;
            }
        }
        return floats ? OnnxConst.ofFloats(d, f) : OnnxConst.ofLongs(d, l);
    }

    /** ONNX Resize (opset 10+: X, roi, scales, sizes) or Upsample (X, scales) of an NCHW tensor's spatial axes. */
    private Op resize(NodeProto n) throws ModelFormatException {
        Shape s = rank4(data(n, 0), n.getOpType());
        String mode = attrString(n, "mode", "nearest");
        Resize2d.Mode m = switch (mode) {
            case "nearest" -> Resize2d.Mode.NEAREST;
            case "linear", "bilinear" -> Resize2d.Mode.LINEAR;
            default -> throw new Unsupported("Resize mode " + mode + " is not supported (nearest, linear)");
        };
        boolean upsample = n.getOpType().equals("Upsample") || opset < 11;
        String ct = upsample ? "asymmetric" : attrString(n, "coordinate_transformation_mode", "half_pixel");
        Resize2d.Coordinates c = switch (ct) {
            case "half_pixel" -> Resize2d.Coordinates.HALF_PIXEL;
            case "pytorch_half_pixel" -> Resize2d.Coordinates.PYTORCH_HALF_PIXEL;
            case "align_corners" -> Resize2d.Coordinates.ALIGN_CORNERS;
            case "asymmetric" -> Resize2d.Coordinates.ASYMMETRIC;
            default -> throw new Unsupported("Resize coordinate_transformation_mode " + ct + " is not supported");
        };
        String nm = upsample ? "floor" : attrString(n, "nearest_mode", "round_prefer_floor");
        Resize2d.Nearest near = switch (nm) {
            case "round_prefer_floor" -> Resize2d.Nearest.ROUND_PREFER_FLOOR;
            case "round_prefer_ceil" -> Resize2d.Nearest.ROUND_PREFER_CEIL;
            case "floor" -> Resize2d.Nearest.FLOOR;
            case "ceil" -> Resize2d.Nearest.CEIL;
            default -> throw new Unsupported("Resize nearest_mode " + nm + " is not supported");
        };
        if (!upsample && attrInt(n, "exclude_outside", 0) != 0) throw new Unsupported("Resize with exclude_outside is not supported");
        int oh, ow;
        float sh = 0, sw = 0;
        int sizesAt = upsample ? -1 : 3, scalesAt = upsample ? (opset < 9 ? -1 : 1) : 2;
        if (sizesAt > 0 && n.getInputCount() > sizesAt && !n.getInput(sizesAt).isEmpty()) {
            long[] sz = constant(n, sizesAt).asLongs();
            if (sz.length != 4) throw new Unsupported("Resize sizes must have 4 entries, got " + Arrays.toString(sz));
            if (sz[1] != s.dim(1)) throw new Unsupported("Resize of the channel axis is not supported");
            oh = (int) Math.min(Integer.MAX_VALUE, sz[2]);
            ow = (int) Math.min(Integer.MAX_VALUE, sz[3]);
        } else {
            float[] sc;
            if (scalesAt > 0 && n.getInputCount() > scalesAt && !n.getInput(scalesAt).isEmpty()) sc = constant(n, scalesAt).asFloats();
            else if (attr(n, "scales") != null) {
                AttributeProto a = attr(n, "scales");
                sc = new float[a.getFloatsCount()];
                for (int i = 0; i < sc.length; i++) sc[i] = a.getFloats(i);
            } else throw new Unsupported("Resize needs scales or sizes");
            if (sc.length != 4 || sc[0] != 1 || sc[1] != 1) throw new Unsupported("Resize scales must be [1, 1, sh, sw], got " + Arrays.toString(sc));
            oh = (int) Math.floor(s.dim(2) * (double) sc[2]);
            ow = (int) Math.floor(s.dim(3) * (double) sc[3]);
            sh = sc[2];
            sw = sc[3];
        }
        return new Resize2d(oh, ow, m, c, near, sh, sw);
    }

    /** Slice of a 1-D constant (shape arithmetic: the first two entries of a Shape). */
    private OnnxConst slice1d(NodeProto n) throws ModelFormatException {
        OnnxConst c = constant(n, 0);
        if (c.rank() != 1) throw new Unsupported("Slice of constants is supported on 1-D tensors only");
        long[] st = constant(n, 1).asLongs(), en = constant(n, 2).asLongs();
        if (st.length != 1 || en.length != 1) throw new Unsupported("Slice of a 1-D constant takes one start and one end");
        if (n.getInputCount() > 4 && !n.getInput(4).isEmpty() && constant(n, 4).asLongs()[0] != 1) throw new Unsupported("Slice of constants with a step is not supported");
        int len = c.size();
        long b = st[0] < 0 ? st[0] + len : st[0], e = en[0] < 0 ? en[0] + len : en[0];
        int from = (int) Math.max(0, Math.min(len, b)), to = (int) Math.max(from, Math.min(len, e));
        int[] d = {to - from};
        return c.isFloat() ? OnnxConst.ofFloats(d, Arrays.copyOfRange(c.floats(), from, to)) : OnnxConst.ofLongs(d, Arrays.copyOfRange(c.longs(), from, to));
    }

    /** Gather along axis 0 of a 1-D constant (shape arithmetic: which dimension of a Shape). */
    private static OnnxConst gather(OnnxConst data, OnnxConst idx, int axis) {
        if (data.rank() != 1 || axis != 0) throw new Unsupported("Gather of constants is supported on 1-D data along axis 0, got dims " + Arrays.toString(data.dims()));
        long[] ix = idx.asLongs();
        int n = data.size();
        float[] f = data.isFloat() ? new float[ix.length] : null;
        long[] l = data.isFloat() ? null : new long[ix.length];
        for (int i = 0; i < ix.length; i++) {
            long k = ix[i] < 0 ? ix[i] + n : ix[i];
            if (k < 0 || k >= n) throw new Unsupported("Gather index " + ix[i] + " out of range " + n);
            if (f != null) f[i] = data.floats()[(int) k]; else l[i] = data.longs()[(int) k];
        }
        return f != null ? OnnxConst.ofFloats(idx.dims(), f) : OnnxConst.ofLongs(idx.dims(), l);
    }

    /** Concat of 1-D (or scalar) integer constants, as shape arithmetic builds Reshape targets. */
    private static OnnxConst concat1d(List<OnnxConst> parts) {
        List<Long> out = new ArrayList<>();
        for (OnnxConst c : parts) {
            if (c.rank() > 1 || c.isFloat()) throw new Unsupported("Concat of constants is supported for 1-D integer tensors only");
            for (long v : c.longs()) out.add(v);
        }
        long[] l = out.stream().mapToLong(Long::longValue).toArray();
        return OnnxConst.ofLongs(new int[]{l.length}, l);
    }

    private static OnnxConst transpose(OnnxConst c, int[] perm) {
        int r = c.rank();
        if (perm == null) {
            perm = new int[r];
            for (int i = 0; i < r; i++) perm[i] = r - 1 - i;
        }
        if (perm.length != r) throw new Unsupported("perm " + Arrays.toString(perm) + " does not match rank " + r);
        int[] d = c.dims(), od = new int[r], stride = new int[r];
        boolean[] seen = new boolean[r];
        for (int i = r - 1, s = 1; i >= 0; s *= d[i], i--) stride[i] = s;
        for (int i = 0; i < r; i++) {
            if (perm[i] < 0 || perm[i] >= r || seen[perm[i]]) throw new Unsupported("perm " + Arrays.toString(perm) + " is not a permutation");
            seen[perm[i]] = true;
            od[i] = d[perm[i]];
        }
        int n = c.size();
        float[] f = c.isFloat() ? new float[n] : null;
        long[] l = c.isFloat() ? null : new long[n];
        int[] idx = new int[r];
        for (int k = 0; k < n; k++) {
            int src = 0;
            for (int i = 0; i < r; i++) src += idx[i] * stride[perm[i]];
            if (f != null) f[k] = c.floats()[src]; else l[k] = c.longs()[src];
            for (int i = r - 1; i >= 0; i--) {
                if (++idx[i] < od[i]) break;
                idx[i] = 0;
            }
        }
        return f != null ? OnnxConst.ofFloats(od, f) : OnnxConst.ofLongs(od, l);
    }

    private static int[] pad(int[] d, int r) {
        int[] p = new int[r];
        Arrays.fill(p, 1);
        System.arraycopy(d, 0, p, r - d.length, d.length);
        return p;
    }

    private static int[] unsqueeze(int[] dims, long[] axes) {
        int r = dims.length + axes.length;
        boolean[] ins = new boolean[r];
        for (long a : axes) {
            int ax = (int) (a < 0 ? a + r : a);
            if (ax < 0 || ax >= r || ins[ax]) throw new Unsupported("Unsqueeze axes " + Arrays.toString(axes) + " invalid for rank " + dims.length);
            ins[ax] = true;
        }
        int[] out = new int[r];
        for (int i = 0, j = 0; i < r; i++) out[i] = ins[i] ? 1 : dims[j++];
        return out;
    }

    private static int[] squeeze(int[] dims, long[] axes) {
        boolean[] drop = new boolean[dims.length];
        if (axes.length == 0) {
            for (int i = 0; i < dims.length; i++) drop[i] = dims[i] == 1;
        } else {
            for (long a : axes) {
                int ax = (int) (a < 0 ? a + dims.length : a);
                if (ax < 0 || ax >= dims.length || dims[ax] != 1) throw new Unsupported("Squeeze axis " + a + " invalid for dims " + Arrays.toString(dims));
                drop[ax] = true;
            }
        }
        return java.util.stream.IntStream.range(0, dims.length).filter(i -> !drop[i]).map(i -> dims[i]).toArray();
    }

    /**
     * ReduceMean over any axes but the batch, from existing ops so that every method's rule applies: the
     * reduced axes are moved last (Transpose), merged into one (Reshape), averaged by a Linear whose K
     * weights are 1/K, and the result takes ONNX's output shape (Reshape; keepdims leaves 1s).
     */
    private void reduceMean(String name, String x, Shape s, java.util.Set<Integer> axes, boolean keep, String y) {
        if (axes.contains(0)) throw new Unsupported("ReduceMean over the batch axis is not supported (axes " + axes + " of " + s + ")");
        long reduced = 1;
        for (int i : axes) reduced *= s.dim(i);
        reserve(reduced, "ReduceMean"); // its averaging weights
        int r = s.rank(), p = 0, k = 1;
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) if (!axes.contains(i)) perm[p++] = i;
        for (int i : new java.util.TreeSet<>(axes)) {
            perm[p++] = i;
            k *= s.dim(i);
        }
        String cur = x;
        boolean moved = false;
        for (int i = 0; i < r; i++) moved |= perm[i] != i;
        if (moved) {
            emit(name + "#transpose", new Transpose(perm), List.of(cur), y + "#transposed");
            cur = y + "#transposed";
        }
        int kept = r - axes.size();
        int[] rows = new int[kept];
        for (int i = 1; i < kept; i++) rows[i - 1] = s.dim(perm[i]);
        rows[kept - 1] = k;
        emit(name + "#rows", new Reshape(rows), List.of(cur), y + "#rows");
        float[] w = new float[k];
        Arrays.fill(w, 1f / k);
        emit(name, new Linear(Tensor.of(w, 1, k), Tensor.of(new float[1], 1)), List.of(y + "#rows"), y + "#mean");
        int[] out = new int[keep ? r - 1 : kept - 1];
        for (int i = 1, o = 0; i < r; i++) {
            if (!axes.contains(i)) out[o++] = s.dim(i);
            else if (keep) out[o++] = 1;
        }
        emit(name + "#shape", new Reshape(out), List.of(y + "#mean"), y);
    }

    /** Axes from the attribute (opset < 13) or the second input (opset >= 13). */
    private long[] axes(NodeProto n) throws ModelFormatException {
        if (n.getInputCount() > 1 && !n.getInput(1).isEmpty()) return constant(n, 1).asLongs();
        AttributeProto a = attr(n, "axes");
        if (a == null) return new long[0];
        long[] l = new long[a.getIntsCount()];
        for (int i = 0; i < l.length; i++) l[i] = a.getInts(i);
        return l;
    }

    /** ONNX Reshape target: 0 copies the input dimension (unless allowzero), -1 is inferred. */
    private static int[] reshapeTarget(Shape in, long[] target, boolean allowZero) {
        int[] d = new int[target.length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < d.length; i++) {
            long t = target[i];
            if (t == 0 && !allowZero) {
                if (i >= in.rank()) throw new Unsupported("Reshape copies dimension " + i + " that input " + in + " does not have");
                t = in.dim(i);
            }
            if (t == -1) {
                if (infer >= 0) throw new Unsupported("Reshape target " + Arrays.toString(target) + " has two -1");
                infer = i;
                continue;
            }
            if (t < 0 || t > Integer.MAX_VALUE) throw new Unsupported("Reshape target " + Arrays.toString(target) + " has an invalid dimension");
            d[i] = (int) t;
            known = Math.multiplyExact(known, t == 0 ? 1 : t);
        }
        long total = Shape.product(in.dims());
        if (infer >= 0) {
            if (known == 0 || total % known != 0) throw new Unsupported("Reshape target " + Arrays.toString(target) + " does not fit input " + in);
            d[infer] = (int) (total / known);
        }
        if (Shape.product(d) != total) throw new Unsupported("Reshape target " + Arrays.toString(target) + " does not fit input " + in);
        return d;
    }

    private int[] itemShapeOf(int[] d) {
        return Arrays.copyOfRange(d, 1, d.length);
    }

    // ---- geometry ------------------------------------------------------------------------

    private int[] kernel(NodeProto n, Shape s) {
        int[] k = attrInts(n, "kernel_shape", null);
        if (k == null || k.length != 2) throw new Unsupported("only 2-D pooling is supported (kernel_shape " + Arrays.toString(k) + ")");
        return k;
    }

    private int[] pairs(NodeProto n, String name, int dflt) {
        int[] v = attrInts(n, name, null);
        if (v == null) return new int[]{dflt, dflt};
        if (v.length != 2) throw new Unsupported(name + " " + Arrays.toString(v) + ": only 2-D is supported");
        return v;
    }

    /** Pads {top, left, bottom, right} from {@code pads} or {@code auto_pad}. */
    private int[] pads(NodeProto n, Shape s, int[] k, int[] st, int[] dil) {
        String auto = attrString(n, "auto_pad", "NOTSET");
        switch (auto) {
            case "NOTSET" -> {
                int[] p = attrInts(n, "pads", null);
                if (p == null) return new int[4];
                if (p.length != 4) throw new Unsupported("pads " + Arrays.toString(p) + ": only 2-D is supported");
                return p;
            }
            case "VALID" -> { return new int[4]; }
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] p = new int[4];
                for (int i = 0; i < 2; i++) {
                    int in = s.dim(2 + i);
                    int out = (in + st[i] - 1) / st[i];
                    int total = Math.max(0, (out - 1) * st[i] + (k[i] - 1) * dil[i] + 1 - in);
                    int small = total / 2, big = total - small;
                    p[i] = auto.equals("SAME_UPPER") ? small : big;
                    p[i + 2] = auto.equals("SAME_UPPER") ? big : small;
                }
                return p;
            }
            default -> throw new Unsupported("auto_pad " + auto + " is not supported");
        }
    }

    private static int axis(long a, int rank, String what, boolean inclusiveEnd) {
        long r = a < 0 ? a + rank : a;
        if (r < 0 || r > rank || (!inclusiveEnd && r == rank)) throw new Unsupported(what + " " + a + " out of range for rank " + rank);
        return (int) r;
    }

    // ---- inputs and attributes -----------------------------------------------------------

    private String data(NodeProto n, int i) {
        if (i >= n.getInputCount() || n.getInput(i).isEmpty()) throw new Unsupported("input " + i + " is missing");
        String t = n.getInput(i);
        if (consts.containsKey(t)) throw new Unsupported("input " + i + " ('" + t + "') is a constant where an activation is expected");
        return t;
    }

    private Shape shape(String t) { return shapes.get(t); }

    private Shape rank4(String t, String op) {
        Shape s = shapes.get(t);
        if (s.rank() != 4) throw new Unsupported(op + " supports 4-D NCHW input only, got " + s);
        return s;
    }

    private OnnxConst constant(NodeProto n, int i) {
        if (i >= n.getInputCount() || n.getInput(i).isEmpty()) throw new Unsupported("input " + i + " is missing");
        OnnxConst c = consts.get(n.getInput(i));
        if (c == null) throw new Unsupported("input " + i + " ('" + n.getInput(i) + "') must be a constant (initializer or foldable), it depends on the model input");
        return c;
    }

    private Tensor vector(NodeProto n, int i, int length) {
        OnnxConst c = constant(n, i);
        if (c.size() != length) throw new Unsupported("input " + i + " ('" + n.getInput(i) + "') must have " + length + " elements, has " + c.size());
        return Tensor.of(c.asFloats(), length);
    }

    private float scalar(NodeProto n, int i) {
        OnnxConst c = constant(n, i);
        if (c.size() != 1) throw new Unsupported("input " + i + " must be a scalar");
        return (float) c.get(0);
    }

    private static AttributeProto attr(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) if (a.getName().equals(name)) return a;
        return null;
    }

    private static long attrLong(NodeProto n, String name, long dflt) {
        AttributeProto a = attr(n, name);
        if (a == null) {
            if (dflt == -1 && name.equals("size")) throw new Unsupported("required attribute '" + name + "' is missing");
            return dflt;
        }
        return a.getI();
    }

    private static int attrInt(NodeProto n, String name, int dflt) {
        long v = attrLong(n, name, dflt);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw new Unsupported("attribute " + name + " = " + v + " out of range");
        return (int) v;
    }

    private static float attrFloat(NodeProto n, String name, float dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getF();
    }

    private static String attrString(NodeProto n, String name, String dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getS().toStringUtf8();
    }

    private static int[] attrInts(NodeProto n, String name, int[] dflt) {
        AttributeProto a = attr(n, name);
        if (a == null) return dflt;
        int[] v = new int[a.getIntsCount()];
        for (int i = 0; i < v.length; i++) {
            long x = a.getInts(i);
            if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) throw new Unsupported("attribute " + name + " value " + x + " out of range");
            v[i] = (int) x;
        }
        return v;
    }

    // ---- fusion ---------------------------------------------------------------------------

    /**
     * Merges chains the importer produced piecewise: ChannelAffine into a preceding ChannelAffine,
     * a pure shift into a preceding Linear's bias (MatMul + Add), and (optionally) BatchNorm into the
     * preceding Conv. A producer is only merged when its output has no other use.
     */
    private void fuse(String graphOutput) {
        fuseSwish(graphOutput);
        fuseGelu(graphOutput);
        boolean changed = true;
        while (changed) {
            changed = false;
            Map<String, Integer> uses = new HashMap<>();
            Map<String, Integer> producerIndex = new HashMap<>();
            for (int i = 0; i < nodes.size(); i++) {
                for (String t : nodes.get(i).inputs()) uses.merge(t, 1, Integer::sum);
                producerIndex.put(nodes.get(i).output(), i);
            }
            uses.merge(graphOutput, 1, Integer::sum);
            for (int j = 0; j < nodes.size() && !changed; j++) {
                Node b = nodes.get(j);
                if (b.inputs().size() != 1) continue;
                String t = b.inputs().get(0);
                Integer ai = producerIndex.get(t);
                if (ai == null || uses.getOrDefault(t, 0) != 1) continue;
                Node a = nodes.get(ai);
                Op merged = merge(a.op(), b.op());
                if (merged == null) continue;
                nodes.set(ai, new Node(a.name(), merged, a.inputs(), b.output()));
                nodes.remove(j);
                changed = true;
            }
        }
    }

    /**
     * x * Sigmoid(x) -> SiLU and x * HardSigmoid(x) -> HardSwish (PyTorch exports both as two nodes),
     * when the gate's output feeds only the product. The fused node keeps the Mul's name and output.
     */
    private void fuseSwish(String graphOutput) {
        Map<String, Integer> uses = new HashMap<>();
        Map<String, Node> producer = new HashMap<>();
        for (Node n : nodes) {
            for (String t : n.inputs()) uses.merge(t, 1, Integer::sum);
            producer.put(n.output(), n);
        }
        uses.merge(graphOutput, 1, Integer::sum);
        List<Node> out = new ArrayList<>();
        Set<Node> drop = new HashSet<>();
        Map<Node, Node> replace = new HashMap<>();
        for (Node m : nodes) {
            if (!(m.op() instanceof Mul) || m.inputs().size() != 2) continue;
            for (int side = 0; side < 2; side++) {
                String x = m.inputs().get(side), g = m.inputs().get(1 - side);
                Node gate = producer.get(g);
                if (gate == null || uses.getOrDefault(g, 0) != 1 || !gate.inputs().equals(List.of(x))) continue;
                if (!(gate.op() instanceof Pointwise p)) continue;
                Pointwise fused = switch (p.fn()) {
                    case SIGMOID -> new Pointwise(Pointwise.Fn.SILU);
                    case HARD_SIGMOID -> new Pointwise(Pointwise.Fn.HARD_SWISH, p.alpha(), p.beta());
                    default -> null;
                };
                if (fused == null) continue;
                drop.add(gate);
                replace.put(m, new Node(m.name(), fused, List.of(x), m.output()));
                break;
            }
        }
        for (Node n : nodes) if (!drop.contains(n)) out.add(replace.getOrDefault(n, n));
        nodes.clear();
        nodes.addAll(out);
    }

    /**
     * PyTorch's exact GELU, exported as Div(x, sqrt 2) -> Erf -> Add 1 -> Mul(x, .) -> Mul 0.5 (imported as
     * ChannelAffine, Pointwise ERF, ChannelAffine, Mul, ChannelAffine), becomes one Pointwise GELU named
     * after the last node, when every intermediate feeds only the chain.
     */
    private void fuseGelu(String graphOutput) {
        Map<String, Integer> uses = new HashMap<>();
        Map<String, Node> producer = new HashMap<>();
        for (Node n : nodes) {
            for (String t : n.inputs()) uses.merge(t, 1, Integer::sum);
            producer.put(n.output(), n);
        }
        uses.merge(graphOutput, 1, Integer::sum);
        Set<Node> drop = new HashSet<>();
        Map<Node, Node> replace = new HashMap<>();
        for (Node half : nodes) {
            if (!(half.op() instanceof ChannelAffine h) || !constantAffine(h, 0.5f, 0f)) continue;
            Node mul = single(producer, uses, half.inputs().get(0));
            if (mul == null || !(mul.op() instanceof Mul)) continue;
            for (int side = 0; side < 2; side++) {
                String x = mul.inputs().get(side);
                Node plus = single(producer, uses, mul.inputs().get(1 - side));
                if (plus == null || !(plus.op() instanceof ChannelAffine p1) || !constantAffine(p1, 1f, 1f)) continue;
                Node erf = single(producer, uses, plus.inputs().get(0));
                if (erf == null || !(erf.op() instanceof Pointwise pe) || pe.fn() != Pointwise.Fn.ERF) continue;
                Node div = single(producer, uses, erf.inputs().get(0));
                if (div == null || !(div.op() instanceof ChannelAffine d) || !constantAffine(d, (float) (1 / Math.sqrt(2)), 0f) || !div.inputs().get(0).equals(x)) continue;
                drop.addAll(List.of(mul, plus, erf, div));
                replace.put(half, new Node(half.name(), new Pointwise(Pointwise.Fn.GELU), List.of(x), half.output()));
                break;
            }
        }
        if (replace.isEmpty()) return;
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) if (!drop.contains(n)) out.add(replace.getOrDefault(n, n));
        nodes.clear();
        nodes.addAll(out);
    }

    private static Node single(Map<String, Node> producer, Map<String, Integer> uses, String t) {
        return uses.getOrDefault(t, 0) == 1 ? producer.get(t) : null;
    }

    /** Every channel scales by {@code scale} and shifts by {@code shift} (within float rounding). */
    private static boolean constantAffine(ChannelAffine a, float scale, float shift) {
        for (int i = 0; i < a.channels(); i++) {
            if (Math.abs(a.scale().data()[i] - scale) > 1e-6f * Math.abs(scale) + 1e-7f || Math.abs(a.shift().data()[i] - shift) > 1e-7f) return false;
        }
        return true;
    }

    private record Chain(Op first, Op second) {}

    /** The single op equivalent to {@code a} followed by {@code b}, or null when they do not merge. */
    private Op merge(Op a, Op b) {
        return switch (new Chain(a, b)) {
            case Chain(ChannelAffine first, ChannelAffine second) -> {
                int c = first.channels();
                float[] s = new float[c], h = new float[c];
                for (int i = 0; i < c; i++) {
                    float s2 = second.scale().data()[i];
                    s[i] = first.scale().data()[i] * s2;
                    h[i] = first.shift().data()[i] * s2 + second.shift().data()[i];
                }
                yield new ChannelAffine(Tensor.of(s, c), Tensor.of(h, c));
            }
            case Chain(Linear lin, ChannelAffine aff) when aff.channels() == lin.outFeatures() && allOnes(aff.scale()) -> {
                float[] bias = lin.bias().data().clone();
                for (int i = 0; i < bias.length; i++) bias[i] += aff.shift().data()[i];
                yield new Linear(lin.weight(), Tensor.of(bias, bias.length));
            }
            case Chain(Conv2d conv, BatchNorm2d bn) when options.foldBatchNorm() && bn.channels() == conv.outChannels() -> {
                float[] scale = bn.scale(), shift = bn.shift();
                float[] w = conv.weight().data().clone(), bias = new float[conv.outChannels()];
                int per = w.length / conv.outChannels();
                for (int o = 0; o < conv.outChannels(); o++) {
                    for (int i = 0; i < per; i++) w[o * per + i] *= scale[o];
                    bias[o] = (float) ((double) conv.bias().data()[o] * scale[o] + shift[o]);
                }
                yield new Conv2d(new Tensor(conv.weight().shape(), w), Tensor.of(bias, bias.length), conv.strides(), conv.pads(), conv.dilations(), conv.groups());
            }
            default -> null;
        };
    }

    private static boolean allOnes(Tensor t) {
        for (float v : t.data()) if (v != 1f) return false;
        return true;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
