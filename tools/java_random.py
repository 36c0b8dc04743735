"""java.util.Random in Python (the JDK's 48-bit LCG and its nextInt(bound), nextDouble and nextGaussian), so
golden scripts can replay exactly the draws Candela makes from a seed and hand them to a reference library."""
import math

_MULT = 0x5DEECE66D
_MASK = (1 << 48) - 1


def _int32(v):
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= 1 << 31 else v


class JavaRandom:
    def __init__(self, seed):
        self.seed = (seed ^ _MULT) & _MASK
        self._spare = None

    def next(self, bits):
        self.seed = (self.seed * _MULT + 0xB) & _MASK
        return _int32(self.seed >> (48 - bits))

    def next_int(self, bound):
        r = self.next(31)
        m = bound - 1
        if bound & m == 0:
            return _int32((bound * r) >> 31)
        u = r
        while True:
            r = u % bound
            if _int32(u - r + m) >= 0:
                return r
            u = self.next(31)

    def next_double(self):
        return ((self.next(26) << 27) + self.next(27)) * (1.0 / (1 << 53))

    def next_gaussian(self):
        if self._spare is not None:
            g, self._spare = self._spare, None
            return g
        while True:
            v1 = 2 * self.next_double() - 1
            v2 = 2 * self.next_double() - 1
            s = v1 * v1 + v2 * v2
            if 0 < s < 1:
                break
        mul = math.sqrt(-2 * math.log(s) / s)
        self._spare = v2 * mul
        return v1 * mul
