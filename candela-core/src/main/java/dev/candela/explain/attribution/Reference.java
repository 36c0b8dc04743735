package dev.candela.explain.attribution;

import dev.candela.tensor.Tensor;

/** The reference (baseline) input of DeepLIFT / Integrated Gradients, built from the actual input. */
public sealed interface Reference {

    /** The reference for {@code input} (same shape). */
    Tensor of(Tensor input);

    /** Short name for manifests. */
    String describe();

    /** All zeros (Captum's default baseline). */
    record Zeros() implements Reference {
        @Override public Tensor of(Tensor input) { return Tensor.zeros(input.shape()); }
        @Override public String describe() { return "zeros"; }
    }

    /** Every value equal to {@code value} (e.g. the normalised value of a grey image). */
    record Constant(float value) implements Reference {
        @Override public Tensor of(Tensor input) { return Tensor.full(input.shape(), value); }
        @Override public String describe() { return "constant(" + value + ")"; }
    }

    /**
     * A Gaussian-blurred copy of the input: separable kernel of {@code size} taps (odd) and standard
     * deviation {@code sigma}, applied per channel; the border repeats the edge value.
     */
    record Blurred(int size, double sigma) implements Reference {
        public Blurred {
            if (size < 1 || size % 2 == 0) throw new IllegalArgumentException("blur kernel size must be odd and >= 1, got " + size);
            if (!(sigma > 0)) throw new IllegalArgumentException("blur sigma must be > 0, got " + sigma);
        }

        /** RISE's insertion substrate: 11 taps, sigma 5. */
        public static Blurred rise() { return new Blurred(11, 5); }

        @Override public Tensor of(Tensor input) {
            if (input.rank() != 4) throw new IllegalArgumentException("a blurred reference needs an NCHW input, got " + input.shape());
            int planes = input.dim(0) * input.dim(1), h = input.dim(2), w = input.dim(3), r = size / 2;
            double[] k = new double[size];
            double total = 0;
            for (int i = 0; i < size; i++) total += k[i] = Math.exp(-0.5 * (i - r) * (i - r) / (sigma * sigma));
            for (int i = 0; i < size; i++) k[i] /= total;
            float[] src = input.data(), tmp = new float[src.length], out = new float[src.length];
            for (int p = 0; p < planes; p++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) {
                        double s = 0;
                        for (int i = 0; i < size; i++) s += k[i] * src[(p * h + y) * w + Math.clamp(x + i - r, 0, w - 1)];
                        tmp[(p * h + y) * w + x] = (float) s;
                    }
            for (int p = 0; p < planes; p++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) {
                        double s = 0;
                        for (int i = 0; i < size; i++) s += k[i] * tmp[(p * h + Math.clamp(y + i - r, 0, h - 1)) * w + x];
                        out[(p * h + y) * w + x] = (float) s;
                    }
            return new Tensor(input.shape(), out);
        }

        @Override public String describe() { return "blurred(" + size + "," + sigma + ")"; }
    }

    /** A user-given tensor (batch 1, repeated for every item, or batch N). */
    record Given(Tensor value) implements Reference {
        @Override public Tensor of(Tensor input) { return PairedBatch.broadcast(value, input.dim(0), input); }
        @Override public String describe() { return "given"; }
    }
}
