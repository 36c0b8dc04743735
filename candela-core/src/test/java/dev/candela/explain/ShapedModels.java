package dev.candela.explain;

import dev.candela.graph.BatchNorm2d;
import dev.candela.graph.Clip;
import dev.candela.graph.Conv2d;
import dev.candela.graph.GraphBuilder;
import dev.candela.graph.Model;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;

/**
 * Small seeded models shaped like the architectures FG-CAM and LRP must handle: VGG (conv-BN-ReLU,
 * max pooling), ResNet (residual Add, strided 3x3 and 1x1 downsample convs, GAP), MobileNet (strided
 * and depthwise convs, ReLU6), and an Inception-like Concat. {@code bias} false gives bias-free convs and
 * linears and no batch norm (the nets on which LRP's conserving rules conserve exactly).
 */
public final class ShapedModels {
    private ShapedModels() {}

    public enum Kind { VGG, RESNET, MOBILENET, CONCAT }

    /** The layer FG-CAM starts from in each model (the last spatial feature map). */
    public static String camLayer(Kind k) {
        return switch (k) {
            case VGG -> "pool2";
            case RESNET -> "b2.relu";
            case MOBILENET -> "pw2.relu";
            case CONCAT -> "cat";
        };
    }

    public static Model build(Kind kind, long seed, boolean bias) {
        GraphBuilder b = new GraphBuilder("input", Shape.of(3, 12, 12), seed);
        String x = switch (kind) {
            case VGG -> {
                String t = block(b, "c1", "input", 6, 3, 1, 1, 1, bias, false);
                t = block(b, "c2", t, 6, 3, 1, 1, 1, bias, false);
                t = b.maxPool("pool1", t, 2, 2);
                t = block(b, "c3", t, 8, 3, 1, 1, 1, bias, false);
                yield b.maxPool("pool2", t, 2, 2);
            }
            case RESNET -> {
                String t = block(b, "stem", "input", 6, 3, 1, 1, 1, bias, false);
                String o = block(b, "b1.c1", t, 6, 3, 1, 1, 1, bias, false);
                o = convBn(b, "b1.c2", o, 6, 3, 1, 1, 1, bias);
                t = b.relu("b1.relu", b.sum("b1.add", o, t));
                o = block(b, "b2.c1", t, 8, 3, 2, 1, 1, bias, false);
                o = convBn(b, "b2.c2", o, 8, 3, 1, 1, 1, bias);
                String sc = convBn(b, "b2.down", t, 8, 1, 2, 0, 1, bias);
                yield b.relu("b2.relu", b.sum("b2.add", o, sc));
            }
            case MOBILENET -> {
                String t = block(b, "stem", "input", 8, 3, 2, 1, 1, bias, true);
                t = block(b, "dw1", t, 8, 3, 1, 1, 8, bias, true);
                t = block(b, "pw1", t, 12, 1, 1, 0, 1, bias, true);
                t = block(b, "dw2", t, 12, 3, 2, 1, 12, bias, true);
                yield block(b, "pw2", t, 16, 1, 1, 0, 1, bias, true);
            }
            case CONCAT -> {
                String t = block(b, "stem", "input", 6, 3, 1, 1, 1, bias, false);
                t = b.maxPool("pool1", t, 2, 2);
                String p = block(b, "br1", t, 4, 1, 1, 0, 1, bias, false);
                String q = block(b, "br2", t, 5, 3, 1, 1, 1, bias, false);
                String cat = b.concat("cat0", p, q);
                yield b.avgPool("cat", b.relu("cat.relu", cat), 2, 2);
            }
        };
        String g = b.globalAvgPool("gap", x);
        String f = b.flatten("flatten", g);
        int in = b.shape(f).dim(1);
        String out = b.add("fc", new dev.candela.graph.Linear(b.randn(Math.sqrt(2.0 / in), 5, in), bias ? b.randn(0.1, 5) : Tensor.zeros(5)), f);
        return b.build(out);
    }

    static String convBn(GraphBuilder b, String name, String x, int outC, int k, int stride, int pad, int groups, boolean bias) {
        int inC = b.shape(x).dim(1);
        double std = Math.sqrt(2.0 / (inC / groups * k * k));
        Conv2d c = new Conv2d(b.randn(std, outC, inC / groups, k, k), bias ? b.randn(0.1, outC) : Tensor.zeros(outC),
                new int[]{stride, stride}, new int[]{pad, pad, pad, pad}, new int[]{1, 1}, groups);
        String t = b.add(name + ".conv", c, x);
        if (!bias) return t;
        return b.add(name + ".bn", new BatchNorm2d(b.uniform(0.5, 1.5, outC), b.randn(0.1, outC), b.randn(0.1, outC), b.uniform(0.5, 1.5, outC), 1e-5f), t);
    }

    static String block(GraphBuilder b, String name, String x, int outC, int k, int stride, int pad, int groups, boolean bias, boolean relu6) {
        String t = convBn(b, name, x, outC, k, stride, pad, groups, bias);
        return relu6 ? b.add(name + ".relu", new Clip(0f, 6f), t) : b.relu(name + ".relu", t);
    }
}
