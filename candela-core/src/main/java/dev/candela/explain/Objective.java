package dev.candela.explain;

/**
 * The scalar a resolved target explains, as a function of one row of the model output (logits), and
 * its derivative with respect to that row (the seed of a backward pass).
 */
public sealed interface Objective {

    /** The score for one row of logits. */
    double score(float[] logits);

    /** d score / d logits for one row. */
    float[] seed(float[] logits);

    /** The class this objective is about, or -1 for a combination of classes. */
    int classIndex();

    /**
     * The objective as weights over the logits (one-hot for a logit), for the methods that can only explain a
     * linear function of the logits (DeepLIFT, LIFT-CAM, LRP and the pixel attributions that share their
     * seeds). This is the one place where a softmax target is refused for them.
     *
     * @param method what is asking, for the message ("LRP", "DeepLIFT")
     */
    default double[] logitWeights(int classes, String method, String description) {
        return switch (this) {
            case Logit l -> {
                double[] w = new double[classes];
                w[l.classIndex()] = 1;
                yield w;
            }
            case Weighted w -> java.util.Arrays.copyOf(w.weights(), classes);
            case Probability p -> throw new IllegalArgumentException(method + " explains logits (its conservation does not hold through a softmax); "
                    + "give a class index or weighted logits instead of '" + description + "'");
        };
    }

    /** The raw logit of one class (pytorch-grad-cam's ClassifierOutputTarget). */
    record Logit(int classIndex) implements Objective {
        public double score(float[] logits) { return logits[classIndex]; }

        public float[] seed(float[] logits) {
            float[] s = new float[logits.length];
            s[classIndex] = 1;
            return s;
        }
    }

    /** The softmax probability of one class (ClassifierOutputSoftmaxTarget). */
    record Probability(int classIndex) implements Objective {
        public double score(float[] logits) { return softmax(logits)[classIndex]; }

        /** dp_c/dz_j = p_c (1[j=c] - p_j). */
        public float[] seed(float[] logits) {
            double[] p = softmax(logits);
            float[] s = new float[logits.length];
            for (int j = 0; j < s.length; j++) s[j] = (float) (p[classIndex] * ((j == classIndex ? 1 : 0) - p[j]));
            return s;
        }
    }

    /** A weighted sum of logits, sum_j w_j z_j (weights indexed by class). */
    record Weighted(double[] weights) implements Objective {
        public double score(float[] logits) {
            double s = 0;
            for (int j = 0; j < weights.length; j++) s += weights[j] * logits[j];
            return s;
        }

        public float[] seed(float[] logits) {
            float[] s = new float[logits.length];
            for (int j = 0; j < weights.length; j++) s[j] = (float) weights[j];
            return s;
        }

        public int classIndex() { return -1; }
    }

    /**
     * Softmax in double with the max subtracted (torch.softmax of float32 logits, evaluated in double); the one
     * softmax of the methods that score by probability (ShapleyCAM's ReST, Finer-CAM, RISE, DFF).
     */
    public static double[] softmax(float[] z) {
        double m = Double.NEGATIVE_INFINITY;
        for (float v : z) m = Math.max(m, v);
        double[] p = new double[z.length];
        double sum = 0;
        for (int i = 0; i < z.length; i++) sum += (p[i] = Math.exp(z[i] - m));
        for (int i = 0; i < z.length; i++) p[i] /= sum;
        return p;
    }
}
