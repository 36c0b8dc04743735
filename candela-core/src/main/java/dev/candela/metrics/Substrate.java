package dev.candela.metrics;

import dev.candela.tensor.Tensor;

/**
 * What a removed pixel is replaced with (deletion) or what the image starts from (insertion):
 * a tensor of the input's shape derived from the input.
 */
public sealed interface Substrate {
    /** All zeros (RISE deletion, TorchCAM's default baseline). */
    record Zeros() implements Substrate {}

    /**
     * The input blurred per channel with RISE's kernel: scipy {@code gaussian_filter} of a
     * {@code size x size} delta with {@code sigma} (reflect boundary, truncate 4), applied as a
     * convolution with zero padding {@code size/2}. RISE uses size 11, sigma 5 for insertion.
     */
    record GaussianBlur(int size, double sigma) implements Substrate {
        public GaussianBlur {
            if (size < 1 || size % 2 == 0) throw new IllegalArgumentException("blur kernel size must be odd and >= 1, got " + size);
            if (!(sigma > 0)) throw new IllegalArgumentException("blur sigma must be > 0, got " + sigma);
        }
    }

    /** A fixed tensor (C x H x W), the same for every input. */
    record Given(Tensor value) implements Substrate {}

    static Substrate zeros() { return new Zeros(); }

    static Substrate riseBlur() { return new GaussianBlur(11, 5); }

    /** The substrate for a batch of inputs (N x C x H x W). */
    default Tensor apply(Tensor inputs) {
        return switch (this) {
            case Zeros z -> Tensor.zeros(inputs.shape());
            case Given g -> {
                int item = inputs.shape().itemSize();
                if (g.value().size() != item) throw new IllegalArgumentException("substrate has " + g.value().shape() + ", inputs have items of " + item + " values");
                float[] out = new float[inputs.size()];
                for (int i = 0; i < inputs.dim(0); i++) System.arraycopy(g.value().data(), 0, out, i * item, item);
                yield new Tensor(inputs.shape(), out);
            }
            case GaussianBlur b -> blur(inputs, riseKernel(b.size(), b.sigma()), b.size());
        };
    }

    /**
     * RISE's {@code gkern}: the 2-D result of scipy's {@code gaussian_filter(delta, sigma)} on a
     * size x size image. The filter is separable, so this is the outer product of the 1-D filter of a
     * 1-D delta; scipy's 'reflect' mode mirrors about the edge (d c b a | a b c d | d c b a) and the
     * 1-D kernel has radius {@code round(4 sigma)}, normalised to sum 1.
     */
    static double[] riseKernel(int size, double sigma) {
        int radius = (int) (4.0 * sigma + 0.5);
        double[] w = new double[2 * radius + 1];
        double sum = 0;
        for (int t = -radius; t <= radius; t++) {
            w[t + radius] = Math.exp(-0.5 * t * t / (sigma * sigma));
            sum += w[t + radius];
        }
        for (int t = 0; t < w.length; t++) w[t] /= sum;
        int centre = size / 2;
        double[] k1 = new double[size];
        for (int i = 0; i < size; i++) {
            // scipy correlates: out[i] = sum_t w[t] * in[reflect(i + t)]
            for (int t = -radius; t <= radius; t++) {
                if (reflect(i + t, size) == centre) k1[i] += w[t + radius];
            }
        }
        double[] k = new double[size * size];
        for (int i = 0; i < size; i++) for (int j = 0; j < size; j++) k[i * size + j] = k1[i] * k1[j];
        return k;
    }

    private static int reflect(int m, int n) {
        int period = 2 * n;
        m = Math.floorMod(m, period);
        return m < n ? m : period - 1 - m;
    }

    private static Tensor blur(Tensor x, double[] k, int size) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3), r = size / 2;
        float[] kf = new float[k.length];
        for (int i = 0; i < k.length; i++) kf[i] = (float) k[i];
        float[] src = x.data(), out = new float[src.length];
        for (int plane = 0; plane < n * c; plane++) {
            int base = plane * h * w;
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    double acc = 0;
                    for (int dy = -r; dy <= r; dy++) {
                        int sy = y + dy;
                        if (sy < 0 || sy >= h) continue;
                        for (int dx = -r; dx <= r; dx++) {
                            int sx = xx + dx;
                            if (sx < 0 || sx >= w) continue;
                            acc += kf[(dy + r) * size + dx + r] * src[base + sy * w + sx];
                        }
                    }
                    out[base + y * w + xx] = (float) acc;
                }
            }
        }
        return new Tensor(x.shape(), out);
    }
}
