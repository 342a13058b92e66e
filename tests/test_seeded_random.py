"""convviz.seeded_random: xoshiro128** against the reference C code, and what it promises.

The C program below is xoshiro128** and SplitMix32 as their authors publish them
(https://prng.di.unimi.it/xoshiro128starstar.c), compiled here: an independent
implementation in unsigned 32-bit arithmetic. The JavaScript twin in core.js is
compared with Python in Chromium (test_network_explorer.py).
"""

import math
import shutil
import subprocess
from collections import Counter

import numpy as np
import pytest
from scipy import stats

from convviz.seeded_random import MAX_BELOW, SeededRandom

REFERENCE_C = r"""
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
static uint32_t s[4];
static inline uint32_t rotl(const uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
uint32_t next(void) {
    const uint32_t result = rotl(s[1] * 5, 7) * 9;
    const uint32_t t = s[1] << 9;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
}
static uint32_t splitmix32(uint32_t *state) {
    uint32_t z = (*state += 0x9e3779b9u);
    z = (z ^ (z >> 16)) * 0x85ebca6bu;
    z = (z ^ (z >> 13)) * 0xc2b2ae35u;
    return z ^ (z >> 16);
}
int main(int argc, char **argv) {
    uint32_t seed = (uint32_t)strtoul(argv[1], 0, 10);
    int count = atoi(argv[2]);
    for (int i = 0; i < 4; i++) s[i] = splitmix32(&seed);
    for (int i = 0; i < count; i++) printf("%u\n", next());
    return 0;
}
"""


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler for the reference implementation")
    folder = tmp_path_factory.mktemp("xoshiro")
    (folder / "xoshiro.c").write_text(REFERENCE_C)
    subprocess.run([compiler, "-O1", "-o", str(folder / "xoshiro"), str(folder / "xoshiro.c")], check=True)

    def outputs(seed, count):
        run = subprocess.run(
            [str(folder / "xoshiro"), str(seed), str(count)], capture_output=True, check=True
        )
        return [int(line) for line in run.stdout.split()]

    return outputs


@pytest.mark.parametrize("seed", [0, 1, 2026, 2027, 0xFFFFFFFF, 123456789])
def test_outputs_equal_the_reference_c_code(reference, seed):
    random = SeededRandom(seed)
    expected = reference(seed, 3000)
    assert [random.next_uint32() for _ in range(2000)] == expected[:2000]
    assert random.outputs(1000) == expected[2000:]  # in one loop, going on from the same state


def test_uniform_and_below_are_the_outputs_scaled_exactly(reference):
    expected = reference(7, 300)
    random = SeededRandom(7)
    assert [random.uniform() for _ in range(100)] == [x / 2**32 for x in expected[:100]]
    assert random.uniforms(100) == [x / 2**32 for x in expected[100:200]]
    assert [random.below(10) for _ in range(50)] == [x * 10 // 2**32 for x in expected[200:250]]
    assert [random.below(MAX_BELOW) for _ in range(50)] == [x * MAX_BELOW // 2**32 for x in expected[250:]]


def test_permutation_is_fisher_yates_from_the_last_place(reference):
    outputs = iter(reference(11, 99))
    expected = list(range(100))
    for i in range(99, 0, -1):
        j = next(outputs) * (i + 1) // 2**32
        expected[i], expected[j] = expected[j], expected[i]
    assert SeededRandom(11).permutation(100) == expected
    assert sorted(expected) == list(range(100))


def test_uniforms_fill_the_unit_interval_evenly():
    values = SeededRandom(3).uniforms(20_000)
    assert 0 <= min(values) and max(values) < 1
    deciles = Counter(int(10 * v) for v in values)
    assert all(1_850 < deciles[d] < 2_150 for d in range(10))  # about 2,000 each (±3.4 standard deviations)


def test_the_same_seed_gives_the_same_numbers_and_another_seed_others():
    assert SeededRandom(5).uniforms(10) == SeededRandom(5).uniforms(10)
    assert SeededRandom(5).uniforms(10) != SeededRandom(6).uniforms(10)


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "3", True, None])
def test_a_bad_seed_is_named(seed):
    with pytest.raises(ValueError, match="seed"):
        SeededRandom(seed)


@pytest.mark.parametrize("n", [0, -3, MAX_BELOW + 1, 2.0, True])
def test_a_bad_range_is_named(n):
    with pytest.raises(ValueError, match="n must be"):
        SeededRandom(1).below(n)
    if n != 0:
        with pytest.raises(ValueError, match="n must be"):
            SeededRandom(1).permutation(n)


def test_permutations_of_nothing_and_of_one_draw_nothing():
    random = SeededRandom(9)
    assert random.permutation(0) == [] and random.permutation(1) == [0]
    assert random.next_uint32() == SeededRandom(9).next_uint32()


def test_normals_are_box_muller_on_the_reference_outputs(reference):
    """Each pair of outputs (a, b): sqrt(-2 ln(1 - a/2³²)) · cos(2π b/2³²), then · sin(2π b/2³²)."""
    outputs = reference(13, 102)
    expected = []
    for a, b in zip(outputs[::2], outputs[1::2]):
        radius = math.sqrt(-2 * math.log((2**32 - a) / 2**32))  # 1 - u, exact
        expected += [radius * math.cos(2 * math.pi * b / 2**32), radius * math.sin(2 * math.pi * b / 2**32)]
    random = SeededRandom(13)
    assert random.normals(101) == expected[:101]  # an odd count uses its last pair's two uniforms
    assert random.next_uint32() == reference(13, 103)[-1]
    assert SeededRandom(13).normals(0) == []


def test_normals_follow_the_standard_normal_distribution():
    values = np.array(SeededRandom(21).normals(40_000))
    assert abs(values.mean()) < 0.03 and abs(values.std() - 1) < 0.02
    assert stats.kstest(values, "norm").pvalue > 1e-3
    assert stats.kstest(values[1::2], "norm").pvalue > 1e-3  # the sines on their own too
    assert abs(np.corrcoef(values[::2], values[1::2])[0, 1]) < 0.03


def test_a_uniform_of_zero_gives_a_finite_normal():
    """u = 0 (an output of 0) would be ln 0 without the 1 - u: it gives radius 0 instead."""
    random = SeededRandom(1)
    random.uniforms = lambda count: [0.0, 0.375] * (count // 2)
    assert random.normals(3) == [0.0, 0.0, 0.0]
    random.uniforms = lambda count: [1 - 2**-32, 0.0] * (count // 2)  # the largest uniform: the farthest tail
    assert random.normals(2) == [pytest.approx(math.sqrt(2 * 32 * math.log(2)), rel=1e-12), 0.0]


@pytest.mark.parametrize("count", [-1, 2.0, True, None])
def test_a_bad_count_of_normals_is_named(count):
    with pytest.raises(ValueError, match="count must be"):
        SeededRandom(1).normals(count)
