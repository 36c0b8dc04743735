package dev.candela.explain.lrp;

import dev.candela.graph.BatchNorm2d;
import dev.candela.graph.Conv2d;
import dev.candela.graph.Graph;
import dev.candela.graph.Identity;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * zennit's MergeBatchNorm canonizer: a BatchNorm2d whose input is a Conv2d output read by nothing else is
 * folded into that conv (w' = w * s, b' = (b - mean) * s + beta, s = gamma / sqrt(var + eps)) and
 * replaced by an Identity node of the same name, so layer names keep resolving. The model computes the
 * same function; LRP rules then see the merged conv and pass through the identity.
 */
public final class BatchNormMerge {
    private BatchNormMerge() {}

    public static Model merge(Model model) {
        Graph g = model.graph();
        List<Node> nodes = new ArrayList<>(g.nodes());
        for (int i = 0; i < nodes.size(); i++) {
            Node bnNode = nodes.get(i);
            if (!(bnNode.op() instanceof BatchNorm2d bn)) continue;
            String in = bnNode.inputs().get(0);
            Node convNode = g.producer(in);
            if (convNode == null || !(convNode.op() instanceof Conv2d conv) || g.consumers(in).size() != 1 || in.equals(g.output())) continue;
            int oc = conv.outChannels(), per = conv.weight().size() / oc;
            double[] scale = new double[oc];
            for (int c = 0; c < oc; c++) scale[c] = bn.gamma().data()[c] / Math.sqrt((double) bn.var().data()[c] + bn.epsilon());
            float[] w = conv.weight().data().clone(), b = new float[oc];
            for (int c = 0; c < oc; c++) {
                for (int j = 0; j < per; j++) w[c * per + j] = (float) (w[c * per + j] * scale[c]);
                b[c] = (float) ((conv.bias().data()[c] - (double) bn.mean().data()[c]) * scale[c] + bn.beta().data()[c]);
            }
            Conv2d merged = new Conv2d(new Tensor(conv.weight().shape(), w), Tensor.of(b, oc), conv.strides(), conv.pads(), conv.dilations(), conv.groups());
            int ci = nodes.indexOf(convNode);
            nodes.set(ci, new Node(convNode.name(), merged, convNode.inputs(), convNode.output()));
            nodes.set(i, new Node(bnNode.name(), new Identity(), bnNode.inputs(), bnNode.output()));
        }
        Graph merged = new Graph(g.input(), g.inputItemShape(), nodes, g.output());
        return new Model(merged, model.preprocessing(), model.labels(), withNote(model.source()));
    }

    private static Map<String, String> withNote(Map<String, String> source) {
        java.util.HashMap<String, String> m = new java.util.HashMap<>(source);
        m.put("canonizer", "batch-norm merged into preceding conv");
        return m;
    }
}
