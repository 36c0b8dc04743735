package dev.candela.explain.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** NumPy 1.24's legacy RandomState, bit for bit (values printed by numpy). */
class LegacyRandomStateTest {
    @Test
    void seedZeroMatchesNumpyBitForBit() {
        // np.random.RandomState(0).randint(0, 2**32, 3, dtype=np.uint64)
        LegacyRandomState raw = new LegacyRandomState(0);
        assertEquals(2357136044L, raw.nextUint32());
        assertEquals(2546248239L, raw.nextUint32());
        assertEquals(3071714933L, raw.nextUint32());
        // np.random.RandomState(0).standard_normal(5)
        LegacyRandomState r = new LegacyRandomState(0);
        double[] want = {1.764052345967664, 0.4001572083672233, 0.9787379841057392, 2.240893199201458, 1.8675579901499675};
        for (double w : want) assertEquals(w, r.standardNormal(), 0.0);
    }
}
