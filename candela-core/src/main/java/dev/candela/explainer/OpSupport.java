package dev.candela.explainer;

import dev.candela.explain.lrp.Composite;
import dev.candela.graph.*;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator support table of the README (op, forward, gradient, DeepLIFT, LRP, FG-CAM), generated from
 * the code: the LRP column is what {@link Composite#ruleFor} dispatches (epsilon-plus composite), the other
 * columns come from exhaustive switches over the sealed {@link Op} set, so adding an op without deciding its
 * rules does not compile. OpSupportTest fails when the README's table differs from {@link #markdown()}.
 */
public final class OpSupport {
    private OpSupport() {}

    /** One row: the op (with the ONNX ops it comes from), then one cell per column. */
    public record Row(String op, String onnx, String forward, String gradient, String deepLift, String lrp, String fgCam) {}

    /** One instance of every op kind (Pointwise: one per function), for the table and its test. */
    public static List<Op> samples() {
        Tensor v = Tensor.zeros(1), m = Tensor.zeros(1, 1);
        List<Op> ops = new ArrayList<>(List.of(
                new Conv2d(Tensor.zeros(1, 1, 1, 1), v, new int[]{1, 1}, new int[4], new int[]{1, 1}, 1),
                new ConvTranspose2d(Tensor.zeros(1, 1, 1, 1), v, new int[]{1, 1}, new int[4], new int[]{1, 1}, new int[2], 1),
                new BatchNorm2d(Tensor.of(new float[]{1}, 1), v, v, Tensor.of(new float[]{1}, 1), 1e-5f),
                new ChannelAffine(v, v), new ElementAffine(v, v), new Relu(), new Clip(0, 6), new LeakyRelu(0.01f),
                new MaxPool2d(new int[]{2, 2}, new int[]{2, 2}, new int[4], new int[]{1, 1}, false),
                new AvgPool2d(new int[]{2, 2}, new int[]{2, 2}, new int[4], false, false), new GlobalAvgPool(),
                new Flatten(), new Reshape(new int[]{1}), new Linear(m, v), new Add(), new Concat(1), new Lrn(1, 1e-4f, 0.75f, 1f),
                new Transpose(new int[]{0, 1}), new Identity(), new Softmax(1, false)));
        for (Pointwise.Fn f : Pointwise.Fn.values()) ops.add(new Pointwise(f));
        ops.addAll(List.of(new Mul(), new Slice(1, 0, 1), new Pad2d(new int[4], 0f), new LayerNorm(v, v, 1e-6f),
                new Resize2d(1, 1, Resize2d.Mode.LINEAR, Resize2d.Coordinates.HALF_PIXEL, Resize2d.Nearest.FLOOR)));
        return ops;
    }

    public static Row row(Op op) {
        List<String> ins = op.arity() <= 1 ? List.of("x") : List.of("x", "z");
        String lrp = Composite.epsilonPlus().ruleFor(new Node("n", op, ins, "y"), false).displayName();
        if (op instanceof Mul && lrp.equals("pass")) lrp = "gate: all to the gated branch (a Div: all to the numerator)";
        if (op instanceof LayerNorm && lrp.equals("pass")) lrp = "LN-rule (Ali et al. 2022)";
        if (op instanceof Conv2d) lrp = "z-plus (composite's conv rule)";
        if (op instanceof Linear) lrp = "epsilon (composite's dense rule)";
        return new Row(name(op), onnx(op), "fast + reference", "yes", deepLift(op), lrp, fgCam(op));
    }

    static String name(Op op) {
        return op instanceof Pointwise p ? switch (p.fn()) {
            case SIGMOID -> "Sigmoid";
            case HARD_SIGMOID -> "HardSigmoid";
            case HARD_SWISH -> "HardSwish";
            case SILU -> "SiLU";
            case GELU -> "GELU";
            case ERF -> "Erf";
            case RECIPROCAL -> "Reciprocal";
        } : op.kind();
    }

    static String onnx(Op op) {
        return switch (op) {
            case Conv2d c -> "Conv";
            case ConvTranspose2d c -> "ConvTranspose";
            case BatchNorm2d b -> "BatchNormalization";
            case ChannelAffine a -> "Mul/Add/Sub/Div by a per-channel constant";
            case ElementAffine a -> "Mul/Add/Sub/Div by any other broadcastable constant";
            case Relu r -> "Relu";
            case Clip c -> "Clip";
            case LeakyRelu l -> "LeakyRelu";
            case MaxPool2d p -> "MaxPool";
            case AvgPool2d p -> "AveragePool";
            case GlobalAvgPool g -> "GlobalAveragePool, ReduceMean over H,W";
            case Flatten f -> "Flatten";
            case Reshape r -> "Reshape, Squeeze, Unsqueeze";
            case Linear l -> "Gemm, MatMul (+ Add), any leading axes; ReduceMean over other axes (Transpose, Reshape, Linear of 1/K)";
            case Add a -> "Add, Sum, with broadcasting; Sub (with a -1 ChannelAffine)";
            case Concat c -> "Concat";
            case Lrn l -> "LRN";
            case Transpose t -> "Transpose";
            case Identity i -> "Identity, Dropout, zero Pad";
            case Softmax s -> "Softmax";
            case Pointwise p -> switch (p.fn()) {
                case SILU -> "x * Sigmoid(x), fused";
                case HARD_SWISH -> "HardSwish, x * HardSigmoid(x) fused";
                case GELU -> "Div sqrt2 / Erf / Add 1 / Mul / Mul 0.5 chain, fused";
                case RECIPROCAL -> "Reciprocal; Div of two activations as Mul by the reciprocal";
                default -> name(op);
            };
            case Mul m -> "Mul of two activations (broadcasting); Div of two activations, by the reciprocal";
            case Slice s -> "Slice";
            case Pad2d p -> "Pad (constant, H/W)";
            case LayerNorm l -> "LayerNormalization, ReduceMean/Sub/Pow/Sqrt/Div chain";
            case Resize2d r -> "Resize, Upsample";
        };
    }

    static String deepLift(Op op) {
        return switch (op) {
            case Relu r -> "Rescale";
            case Clip c -> "Rescale";
            case LeakyRelu l -> "Rescale";
            case Pointwise p -> "Rescale";
            case MaxPool2d p -> "Captum's max-pool rule";
            case Softmax s -> "Captum's softmax rule";
            case Mul m -> "Shapley split of the two endpoints";
            case LayerNorm l -> "ordered product split + exact variance difference";
            case Lrn l -> "gradient (does not conserve)";
            case Conv2d c -> "linear (gradient)";
            case ConvTranspose2d c -> "linear (gradient)";
            case BatchNorm2d b -> "linear (gradient)";
            case ChannelAffine a -> "linear (gradient)";
            case ElementAffine a -> "linear (gradient)";
            case AvgPool2d p -> "linear (gradient)";
            case GlobalAvgPool g -> "linear (gradient)";
            case Linear l -> "linear (gradient)";
            case Add a -> "linear (gradient)";
            case Pad2d p -> "linear (gradient)";
            case Resize2d r -> "linear (gradient)";
            case Flatten f -> "structural";
            case Reshape r -> "structural";
            case Concat c -> "structural";
            case Transpose t -> "structural";
            case Identity i -> "structural";
            case Slice s -> "structural";
        };
    }

    static String fgCam(Op op) {
        return switch (op) {
            case Conv2d c -> "z-plus (z-box on the input conv)";
            case ConvTranspose2d c -> "z-plus";
            case Linear l -> "z-plus";
            case MaxPool2d p -> "positive share";
            case AvgPool2d p -> "positive share";
            case GlobalAvgPool g -> "positive share";
            case Add a -> "positive share";
            case Resize2d r -> "positive share";
            case BatchNorm2d b -> "identity";
            case ChannelAffine a -> "identity";
            case ElementAffine a -> "identity";
            case Relu r -> "identity";
            case Clip c -> "identity";
            case LeakyRelu l -> "identity";
            case Identity i -> "identity";
            case Lrn l -> "identity";
            case Pointwise p -> "identity";
            case Mul m -> "gate: all to the gated branch (a Div: all to the numerator)";
            case LayerNorm l -> "LN-rule, exact division";
            case Flatten f -> "structural";
            case Reshape r -> "structural";
            case Transpose t -> "structural";
            case Concat c -> "structural";
            case Slice s -> "structural";
            case Pad2d p -> "structural";
            case Softmax s -> "not raised through (choose a layer before it)";
        };
    }

    /** The README table. */
    public static String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("| Op | From ONNX | Forward | Gradient | DeepLIFT | LRP (epsilon-plus) | FG-CAM |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        for (Op op : samples()) {
            Row r = row(op);
            b.append("| ").append(String.join(" | ", r.op(), r.onnx(), r.forward(), r.gradient(), r.deepLift(), r.lrp(), r.fgCam())).append(" |\n");
        }
        return b.toString();
    }

    /** Prints the table (to paste between the README markers). */
    public static void main(String[] args) { System.out.print(markdown()); }

}
