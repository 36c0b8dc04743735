package dev.candela.explain.cam;

/**
 * NumPy's legacy {@code np.random.RandomState(seed)} as far as scikit-learn's NMF initialisation draws from
 * it: the MT19937 generator seeded by an integer (init_genrand), {@code random_sample}'s 53-bit doubles
 * and {@code standard_normal}'s polar Box-Muller (legacy_gauss, which keeps the second value of each pair
 * for the next call). The same seed gives the same numbers as NumPy, bit for bit. Not thread-safe.
 */
final class LegacyRandomState {
    private static final int N = 624, M = 397;
    private final int[] mt = new int[N];
    private int pos;
    private boolean hasGauss;
    private double gauss;

    /** {@code RandomState(seed)} for a seed in 0 .. 2^32-1. */
    LegacyRandomState(long seed) {
        if (seed < 0 || seed > 0xffffffffL) throw new IllegalArgumentException("seed must be between 0 and 2^32-1, got " + seed);
        mt[0] = (int) seed;
        for (int i = 1; i < N; i++) mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        pos = N;
    }

    /** The next 32 tempered bits, as an unsigned value. */
    long nextUint32() {
        if (pos >= N) twist();
        int y = mt[pos++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xffffffffL;
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
            mt[i] = mt[(i + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
        }
        pos = 0;
    }

    /** A double in [0, 1) from two draws (random_sample). */
    double nextDouble() {
        long a = nextUint32() >>> 5, b = nextUint32() >>> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /** A standard normal draw (legacy_gauss). */
    double standardNormal() {
        if (hasGauss) {
            hasGauss = false;
            return gauss;
        }
        double x1, x2, r2;
        do {
            x1 = 2.0 * nextDouble() - 1.0;
            x2 = 2.0 * nextDouble() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        double f = Math.sqrt(-2.0 * Math.log(r2) / r2);
        gauss = f * x1;
        hasGauss = true;
        return f * x2;
    }
}
