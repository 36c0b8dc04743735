package dev.candela.metrics;

import dev.candela.graph.Conv2d;
import dev.candela.graph.Graph;
import dev.candela.graph.Linear;
import dev.candela.graph.Model;
import dev.candela.graph.Node;
import dev.candela.graph.Op;
import dev.candela.run.Executor;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Cascading model-parameter randomisation (Adebayo et al. 2018, "Sanity checks for saliency maps").
 * The layers with weights (Conv2d and Linear) are re-initialised one more at a time from the output
 * backwards (top layers first); after each step the explanation is recomputed on the randomised
 * model and compared with the original map by Spearman rank correlation and SSIM
 * ({@link MapSimilarity}). A faithful method's maps should lose their similarity as the cascade
 * proceeds; a method whose maps stay alike does not depend on what the model learnt.
 *
 * <p>A re-initialised layer gets weights and bias drawn from {@code N(0, s^2)} where {@code s} is
 * the standard deviation of that layer's original weights (so activations keep their scale),
 * from a {@link SplittableRandom} seeded per layer by {@code seed} and the layer's position.
 * BatchNorm and other parameters are kept.
 */
public final class CascadingRandomisation {
    /** After randomising {@code layer} and every layer above it: similarity per image. */
    public record Step(String layer, double[] spearman, double[] ssim) {}

    private final long seed;

    public CascadingRandomisation(long seed) { this.seed = seed; }

    /** Names of the randomisable layers, top (closest to the output) first. */
    public static List<String> layersTopFirst(Graph g) {
        List<String> names = new ArrayList<>();
        List<Node> nodes = g.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            boolean weighted = switch (nodes.get(i).op()) {
                case Conv2d c -> true;
                case Linear l -> true;
                default -> false;
            };
            if (weighted) names.add(nodes.get(i).name());
        }
        return names;
    }

    /**
     * Runs the cascade for at most {@code maxSteps} layers (all when larger).
     *
     * @param executor executor of the original model; randomised models use its kernels
     */
    public List<Step> run(Executor executor, MapFunction method, Tensor inputs, int[] targets, int maxSteps) {
        Model model = executor.model();
        Tensor original = method.maps(executor, inputs, targets);
        int n = inputs.dim(0), h = inputs.dim(2), w = inputs.dim(3), hw = h * w;
        List<String> layers = layersTopFirst(model.graph());
        List<Step> steps = new ArrayList<>();
        Model current = model;
        for (int s = 0; s < Math.min(maxSteps, layers.size()); s++) {
            current = randomise(current, layers.get(s));
            Tensor maps = method.maps(executor.withModel(current), inputs, targets);
            double[] rho = new double[n], ssim = new double[n];
            for (int i = 0; i < n; i++) {
                float[] a = slice(original.data(), i, hw), b = slice(maps.data(), i, hw);
                rho[i] = MapSimilarity.spearman(a, b);
                ssim[i] = MapSimilarity.ssim(a, b, h, w);
            }
            steps.add(new Step(layers.get(s), rho, ssim));
        }
        return steps;
    }

    private static float[] slice(float[] d, int i, int len) {
        float[] out = new float[len];
        System.arraycopy(d, i * len, out, 0, len);
        return out;
    }

    /** The model with the weights of node {@code layer} re-initialised. */
    public Model randomise(Model model, String layer) {
        Graph g = model.graph();
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < g.nodes().size(); i++) {
            Node node = g.nodes().get(i);
            if (!node.name().equals(layer)) {
                nodes.add(node);
                continue;
            }
            SplittableRandom r = new SplittableRandom(seed * 1_000_003L + i);
            Op op = switch (node.op()) {
                case Conv2d c -> new Conv2d(noiseLike(c.weight(), r), noiseLike(c.bias(), std(c.weight()), r), c.strides(), c.pads(), c.dilations(), c.groups());
                case Linear l -> new Linear(noiseLike(l.weight(), r), noiseLike(l.bias(), std(l.weight()), r));
                default -> throw new IllegalArgumentException("layer '" + layer + "' has no weights to randomise (" + node.op().getClass().getSimpleName() + ")");
            };
            nodes.add(new Node(node.name(), op, node.inputs(), node.output()));
        }
        return new Model(new Graph(g.input(), g.inputItemShape(), nodes, g.output()), model.preprocessing(), model.labels(), model.source());
    }

    private static Tensor noiseLike(Tensor t, SplittableRandom r) { return noiseLike(t, std(t), r); }

    private static Tensor noiseLike(Tensor t, double std, SplittableRandom r) {
        float[] d = new float[t.size()];
        for (int i = 0; i < d.length; i++) d[i] = (float) (r.nextGaussian() * std);
        return new Tensor(t.shape(), d);
    }

    private static double std(Tensor t) {
        double m = t.sum() / t.size(), v = 0;
        for (float x : t.data()) v += (x - m) * (x - m);
        double s = Math.sqrt(v / t.size());
        return s > 0 ? s : 1e-2;
    }
}
