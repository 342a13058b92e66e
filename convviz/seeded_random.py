"""The one random-number generator of training, written so that JavaScript gives the same numbers.

xoshiro128** (Blackman and Vigna, https://prng.di.unimi.it/xoshiro128starstar.c):
128 bits of state in four 32-bit words, one 32-bit output per step. The state is
filled from a 32-bit seed by four steps of SplitMix32 (a Weyl sequence in steps
of 0x9E3779B9, each value mixed by MurmurHash3's 32-bit finaliser), so seed 0 is
as good as any other. Every operation is on 32-bit unsigned integers, which
JavaScript computes exactly (``Math.imul``, ``>>>``); ``docs/_static/explorer/random.js``
holds the same generator as ``ConvCore.SeededRandom`` and the tests compare the two.

What the generator gives, defined by exact arithmetic only:

* :meth:`SeededRandom.uniform`: the next output divided by 2³² (a float64 in [0, 1),
  exact);
* :meth:`SeededRandom.below`: ``floor(output · n / 2³²)``, a whole number in [0, n)
  (n up to 2²¹, so the product is exact in a float64 too);
* :meth:`SeededRandom.permutation`: Fisher-Yates from the last place down, each place
  swapped with ``below(i + 1)``;
* :meth:`SeededRandom.normals`: standard normal numbers by the Box–Muller transform of
  pairs of uniforms (u, v): ``sqrt(−2 ln(1 − u)) · cos(2π v)``, then the same radius times
  ``sin(2π v)``. ``1 − u`` lies in (0, 1], so the logarithm is finite even for u = 0. The
  logarithm, cosine and sine are the only inexact steps: JavaScript's may differ from
  Python's in the last bit (they are not required to be correctly rounded), nothing more.
"""

import math

MASK = 0xFFFFFFFF
#: 2π, as math.pi and JavaScript's Math.PI give it, doubled (exact).
TWO_PI = 2.0 * math.pi
#: The largest n that :meth:`SeededRandom.below` takes (output · n stays below 2⁵³).
MAX_BELOW = 1 << 21


def _rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & MASK


def _splitmix32(state):
    """(next state, output) of one SplitMix32 step."""
    state = (state + 0x9E3779B9) & MASK
    z = state
    z = ((z ^ (z >> 16)) * 0x85EBCA6B) & MASK
    z = ((z ^ (z >> 13)) * 0xC2B2AE35) & MASK
    return state, z ^ (z >> 16)


class SeededRandom:
    """xoshiro128** seeded by SplitMix32 from a whole number 0 ≤ seed < 2³²."""

    def __init__(self, seed):
        if isinstance(seed, bool) or not hasattr(seed, "__index__"):
            raise ValueError(f"seed must be a whole number from 0 to 2**32 - 1, got {seed!r}")
        seed = int(seed)
        if not 0 <= seed <= MASK:
            raise ValueError(f"seed must be a whole number from 0 to 2**32 - 1, got {seed}")
        words = []
        for _ in range(4):
            seed, word = _splitmix32(seed)
            words.append(word)
        self.state = words

    def next_uint32(self):
        """The next 32-bit output."""
        return self.outputs(1)[0]

    def uniform(self):
        """A float64 in [0, 1): the next output / 2³²."""
        return self.next_uint32() / 4294967296.0

    def uniforms(self, count):
        """A list of count floats from :meth:`uniform`, in order."""
        return [output / 4294967296.0 for output in self.outputs(count)]

    def outputs(self, count):
        """A list of the next count 32-bit outputs (one step of xoshiro128** each)."""
        s0, s1, s2, s3 = self.state
        outputs = []
        for _ in range(count):
            outputs.append((_rotl((s1 * 5) & MASK, 7) * 9) & MASK)
            t = (s1 << 9) & MASK
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= t
            s3 = _rotl(s3, 11)
        self.state = [s0, s1, s2, s3]
        return outputs

    def below(self, n):
        """A whole number in [0, n): floor(output · n / 2³²)."""
        if isinstance(n, bool) or not hasattr(n, "__index__") or not 1 <= int(n) <= MAX_BELOW:
            raise ValueError(f"n must be a whole number from 1 to {MAX_BELOW}, got {n!r}")
        return (self.next_uint32() * int(n)) >> 32

    def permutation(self, n):
        """0, ..., n - 1 in the order of a Fisher-Yates shuffle, as a list."""
        if isinstance(n, bool) or not hasattr(n, "__index__") or not 0 <= int(n) <= MAX_BELOW:
            raise ValueError(f"n must be a whole number from 0 to {MAX_BELOW}, got {n!r}")
        order = list(range(n))
        for i, output in zip(range(n - 1, 0, -1), self.outputs(max(n - 1, 0))):
            j = (output * (i + 1)) >> 32  # below(i + 1)
            order[i], order[j] = order[j], order[i]
        return order

    def normals(self, count):
        """A list of count standard normal floats: Box–Muller on the next pairs of uniforms.

        Each pair (u, v) gives r · cos(2π v) and then r · sin(2π v), r = sqrt(−2 ln(1 − u));
        an odd count drops the last sine (its pair's two uniforms are used all the same).
        """
        if isinstance(count, bool) or not hasattr(count, "__index__") or int(count) < 0:
            raise ValueError(f"count must be a whole number >= 0, got {count!r}")
        count = int(count)
        uniforms = self.uniforms(2 * ((count + 1) // 2))
        out = []
        for u, v in zip(uniforms[::2], uniforms[1::2]):
            radius = math.sqrt(-2.0 * math.log(1.0 - u))
            angle = TWO_PI * v
            out.append(radius * math.cos(angle))
            out.append(radius * math.sin(angle))
        return out[:count]
