"""convviz.drawing: strokes -> scaled and centred -> bitmap -> block counts -> 28×28.

Against direct loops, PIL, exact rational arithmetic and scikit-learn's digits
(whose normalisation the scaling copies, measured here too).
"""

import math
from fractions import Fraction

import numpy as np
import pytest
from PIL import Image

from convviz import drawing
from convviz.tiny_cnn import enlarge as training_enlarge


def distance_to_segment(px, py, a, b):
    """Distance from a point to a segment by cases (ends or perpendicular), written independently."""
    ax, ay = a
    bx, by = b
    if (ax, ay) == (bx, by):
        return math.hypot(px - ax, py - ay)
    if (px - ax) * (bx - ax) + (py - ay) * (by - ay) <= 0:
        return math.hypot(px - ax, py - ay)
    if (px - bx) * (ax - bx) + (py - by) * (ay - by) <= 0:
        return math.hypot(px - bx, py - by)
    cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax)
    return abs(cross) / math.hypot(bx - ax, by - ay)


def loop_rasterize(strokes, pen_width):
    """(bitmap, distances) by a loop over every pixel and every segment."""
    size = drawing.BITMAP
    nearest = np.full((size, size), np.inf)
    for row in range(size):
        for col in range(size):
            px, py = (col + 0.5) * 28 / 32, (row + 0.5) * 28 / 32
            for stroke in strokes:
                pairs = (
                    [(stroke[0], stroke[0])] if len(stroke) == 1 else zip(stroke, stroke[1:], strict=False)
                )
                for a, b in pairs:
                    nearest[row, col] = min(nearest[row, col], distance_to_segment(px, py, a, b))
    return nearest <= pen_width / 2, nearest


def random_strokes(rng, count=3):
    return [rng.uniform(-2, 30, size=(rng.integers(1, 8), 2)).tolist() for _ in range(count)]


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("pen_width", [1.0, drawing.PEN_WIDTH, 4.0])
def test_rasterize_matches_a_loop_over_pixels_and_segments(seed, pen_width):
    strokes = random_strokes(np.random.default_rng(seed))
    expected, nearest = loop_rasterize(strokes, pen_width)
    got = drawing.rasterize(strokes, pen_width)
    on_the_edge = np.abs(nearest - pen_width / 2) < 1e-9
    assert got.shape == (32, 32) and got.dtype == bool
    np.testing.assert_array_equal(got[~on_the_edge], expected[~on_the_edge])
    assert got.any() == expected.any()


def test_a_dot_is_a_round_blob_centred_where_it_was_drawn():
    bitmap = drawing.rasterize([[(14.0, 14.0)]], 8.0)
    rows, cols = np.nonzero(bitmap)
    assert rows.mean() == pytest.approx(15.5) and cols.mean() == pytest.approx(15.5)
    np.testing.assert_array_equal(bitmap, bitmap.T)
    np.testing.assert_array_equal(bitmap, bitmap[::-1, ::-1])


def test_block_counts_match_a_loop():
    bitmap = np.random.default_rng(1).random((32, 32)) < 0.4
    expected = np.zeros((8, 8), dtype=int)
    for row in range(32):
        for col in range(32):
            expected[row // 4, col // 4] += int(bitmap[row, col])
    np.testing.assert_array_equal(drawing.block_counts(bitmap), expected)
    assert drawing.block_counts(np.ones((32, 32))).max() == 16


def loop_enlarge(counts):
    """Half-pixel-centred bilinear enlargement 8 -> 28 with the border repeated, by loops."""
    out = np.zeros((28, 28))
    gray = np.asarray(counts, dtype=float).reshape(8, 8) * 255 / 16

    def source(i):
        s = min(max((i + 0.5) * 8 / 28 - 0.5, 0.0), 7.0)
        low = int(math.floor(s))
        return low, min(low + 1, 7), s - low

    for r in range(28):
        r0, r1, tr = source(r)
        for c in range(28):
            c0, c1, tc = source(c)
            top = gray[r0, c0] * (1 - tc) + gray[r0, c1] * tc
            bottom = gray[r1, c0] * (1 - tc) + gray[r1, c1] * tc
            out[r, c] = top * (1 - tr) + bottom * tr
    return out


def scikit_learn_digits():
    from sklearn.datasets import load_digits

    return load_digits().data


def test_enlarge_matches_loops_on_the_scikit_learn_digits():
    digits = scikit_learn_digits()[:60]
    got = drawing.enlarge(digits)
    assert got.shape == (60, 28, 28) and got.dtype == np.uint8
    for image, digit in zip(got, digits, strict=True):
        exact = loop_enlarge(digit)
        assert np.abs(image - exact).max() <= 0.5 + 1e-9
        undecided = np.abs(exact - np.floor(exact) - 0.5) < 1e-9  # exactly half way: may round either side
        np.testing.assert_array_equal(image[~undecided], np.floor(exact + 0.5)[~undecided])


def test_enlarge_agrees_with_pillows_bilinear_resize():
    """Pillow's BILINEAR resize in float mode is the same interpolation, computed in float32."""
    digits = scikit_learn_digits()
    ours = drawing.enlarge(digits).astype(int)
    pillow = np.stack(
        [
            np.round(
                np.asarray(
                    Image.fromarray((d.reshape(8, 8) * (255 / 16)).astype(np.float32), mode="F").resize(
                        (28, 28), Image.Resampling.BILINEAR
                    )
                )
            )
            for d in digits
        ]
    )
    assert np.abs(ours - pillow).max() <= 1
    assert (ours == pillow).mean() > 0.999


def test_enlarge_keeps_a_constant_image_constant_and_full_ink_white():
    np.testing.assert_array_equal(drawing.enlarge(np.full((1, 64), 16)), np.full((1, 28, 28), 255))
    np.testing.assert_array_equal(drawing.enlarge(np.full((1, 8, 8), 4)), np.full((1, 28, 28), 64))


def test_the_training_digits_are_enlarged_by_the_same_function():
    digits = scikit_learn_digits()[:20]
    np.testing.assert_array_equal(training_enlarge(digits), drawing.enlarge(digits))


def test_prepare_chains_the_four_steps_and_an_empty_drawing_is_black():
    strokes = random_strokes(np.random.default_rng(5))
    for normalised, placed in ((True, drawing.normalise(strokes)), (False, strokes)):
        expected = np.floor(
            loop_enlarge(drawing.block_counts(loop_rasterize(placed, drawing.PEN_WIDTH)[0])) + 0.5
        )
        got = drawing.prepare(strokes, normalised=normalised)
        assert got.shape == (28, 28) and got.dtype == np.uint8
        assert np.abs(got.astype(int) - expected).max() <= 1
    np.testing.assert_array_equal(drawing.prepare([]), np.zeros((28, 28), dtype=np.uint8))


def test_round_to_uint8_rounds_half_up_and_clips():
    np.testing.assert_array_equal(drawing.round_to_uint8([0.5, 1.5, 2.49, -3, 300]), [1, 2, 2, 0, 255])


@pytest.mark.parametrize(
    ("strokes", "pen_width", "message"),
    [
        ([[]], 2.0, r"strokes\[0\]"),
        ([[(1.0, float("nan"))]], 2.0, r"strokes\[0\].*finite"),
        ([[(1.0, 2.0, 3.0)]], 2.0, r"strokes\[0\]"),
        ([[(1.0, 2.0)]], 0, "pen_width"),
        ([[(1.0, 2.0)]], float("inf"), "pen_width"),
        ([[(1.0, 2.0)]], "2", "pen_width"),
    ],
)
def test_bad_strokes_and_pens_name_the_argument(strokes, pen_width, message):
    with pytest.raises(ValueError, match=message):
        drawing.rasterize(strokes, pen_width)


def test_block_counts_names_a_bad_bitmap():
    with pytest.raises(ValueError, match="bitmap"):
        drawing.block_counts(np.zeros((28, 28)))


# ---------------------------------------------------------------- the data set's normalisation


def test_ink_extent_matches_loops_over_the_blocks():
    digits = scikit_learn_digits()[:200].reshape(-1, 8, 8)
    found = drawing.ink_extent(digits)
    for n, counts in enumerate(digits):
        columns = [c for c in range(8) if counts[:, c].any()]
        left, right = columns[0], columns[-1]
        edges = counts[:, left].max() / 4 + (counts[:, right].max() / 4 if right > left else 0)
        assert found["width"][n] == 4 * max(right - left - 1, 0) + edges
        assert found["box_centre"][n] == (left + right) / 2
        assert found["top"][n] == counts[0].any() and found["bottom"][n] == counts[7].any()
        mass = sum(c * counts[:, c].sum() for c in range(8)) / counts.sum()
        assert found["mass_centre"][n] == pytest.approx(mass, abs=1e-12)


def test_the_data_sets_digits_fill_the_height_and_about_20_columns_box_centred():
    """What normalise copies: every digit as tall as the bitmap, about 20 pixels wide, its box centred."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    found = drawing.ink_extent(digits.data)
    assert found["top"].all() and found["bottom"].all()
    assert 18 <= np.median(found["width"]) <= 22
    zeros = digits.target == 0
    assert (np.abs(found["width"][zeros] - 20) <= 2).mean() > 0.9  # whatever the writer's proportions
    assert found["box_centre"][zeros].std() < found["mass_centre"][zeros].std()
    assert drawing.INK_WIDTH * drawing.BITMAP / drawing.GRID == 20
    assert drawing.INK_HEIGHT == drawing.GRID


def test_drawn_digits_prepared_look_like_the_data_sets_digits():
    """The project's drawings, measured as the data set was: full height, about 20 pixels wide."""
    from convviz.drawn_digits import drawings

    found = drawings("dev")
    counts = np.stack([drawing.block_counts(drawing.rasterize(drawing.normalise(d.strokes))) for d in found])
    extent = drawing.ink_extent(counts)
    assert extent["top"].all() and extent["bottom"].all()
    wide = np.array([d.label != 1 for d in found])
    assert 18 <= np.median(extent["width"][wide]) <= 22
    assert np.abs(extent["box_centre"] - 3.5).max() <= 0.5


# ---------------------------------------------------------------- normalise


def exact_normalise(strokes, pen_width=drawing.PEN_WIDTH):
    """The scaling written with exact fractions: box scaled to the ink's target size, limits, centred."""
    points = [(Fraction(x), Fraction(y)) for stroke in strokes for x, y in stroke]
    low = [min(p[a] for p in points) for a in (0, 1)]
    high = [max(p[a] for p in points) for a in (0, 1)]
    target = [
        Fraction(drawing.INK_WIDTH) - Fraction(pen_width),
        Fraction(drawing.INK_HEIGHT) - Fraction(pen_width),
    ]
    most = Fraction(drawing.MAX_SCALE)

    def scale(a):
        size = high[a] - low[a]
        return most if size * most <= target[a] else target[a] / size

    sy = scale(1)
    sx = min(scale(0), sy)
    sy = min(sy, Fraction(drawing.MAX_STRETCH) * sx)
    middle = [(low[a] + high[a]) / 2 for a in (0, 1)]
    centre = Fraction(drawing.CENTRE)
    return [
        [
            (float(centre + (Fraction(x) - middle[0]) * sx), float(centre + (Fraction(y) - middle[1]) * sy))
            for x, y in stroke
        ]
        for stroke in strokes
    ]


ODD_DRAWINGS = {
    "a dot": [[(3.0, 4.0)]],
    "a tap that moved a little": [[(10.0, 10.0), (10.1, 10.05)]],
    "a line across the grid": [[(0.0, 14.0), (28.0, 14.2)]],
    "a line down the grid": [[(14.0, 0.0), (13.5, 28.0)]],
    "a diagonal": [[(0.0, 0.0), (28.0, 28.0)]],
    "a scribble": [np.random.default_rng(2).uniform(0, 28, (300, 2)).tolist()],
    "the grid filled": [
        [(float(x), float(y)) for y in range(0, 29, 2) for x in ((0, 28) if y % 4 else (28, 0))]
    ],
    "leaving and re-entering the grid": [[(5.0, 5.0), (-40.0, 14.0), (60.0, 20.0), (20.0, 25.0)]],
    "far outside the grid": [[(1e6, 1e6), (1e6 + 3, 1e6 + 12)], [(1e6 + 1, 1e6 + 6)]],
    "at ±1e308": [[(-1e308, -1e308), (1e308, 1e308)], [(0.0, 1e308)]],
    "a small digit in a corner": [[(1.0, 1.0), (5.0, 1.0), (2.0, 8.0)]],
}


@pytest.mark.parametrize("name", sorted(ODD_DRAWINGS))
def test_normalise_equals_exact_arithmetic_for_ordinary_and_odd_drawings(name):
    strokes = ODD_DRAWINGS[name]
    got = drawing.normalise(strokes)
    expected = exact_normalise(strokes)
    for got_stroke, expected_stroke in zip(got, expected, strict=True):
        np.testing.assert_allclose(got_stroke, expected_stroke, rtol=0, atol=1e-9)


@pytest.mark.parametrize("name", sorted(ODD_DRAWINGS))
def test_every_odd_drawing_gives_a_sensible_input(name):
    image = drawing.prepare(ODD_DRAWINGS[name])
    assert image.shape == (28, 28) and image.dtype == np.uint8 and image.any()
    rows, cols = np.nonzero(image)
    # Whatever was drawn is in the middle of the grid, never cut off by its border.
    assert abs((rows.min() + rows.max()) / 2 - 13.5) <= 2 and abs((cols.min() + cols.max()) / 2 - 13.5) <= 2


def test_a_dot_stays_a_dot_and_a_flat_line_stays_flat():
    dot = drawing.prepare([[(3.0, 4.0)]])
    assert dot.astype(bool).sum() < 28 * 28 // 4  # a blob the size of the pen, not the whole grid
    line = drawing.normalise([[(0.0, 14.0), (28.0, 14.2)]])[0]
    height = line[:, 1].max() - line[:, 1].min()
    assert height <= drawing.MAX_STRETCH * 0.2 * (drawing.INK_WIDTH - drawing.PEN_WIDTH) / 28 + 1e-12


def test_a_drawing_is_the_same_input_wherever_and_however_large_it_is_drawn():
    seven = [[(2.0, 2.0), (12.0, 2.0), (5.0, 16.0)], [(4.0, 9.0), (10.0, 9.0)]]
    moved = [[(x + 13.0, y + 9.5) for x, y in stroke] for stroke in seven]
    larger = [[(2 * x - 2, 1.5 * y + 1) for x, y in stroke] for stroke in seven]
    reference = drawing.prepare(seven)
    np.testing.assert_array_equal(drawing.prepare(moved), reference)
    assert np.abs(drawing.prepare(larger).astype(int) - reference).max() <= 1


# ---------------------------------------------------------------- far away and bad arguments


def exact_clip(a, b, low, high):
    """The part of segment a-b inside [low, high]² by exact fractions (None if it misses)."""
    a, b = [Fraction(v) for v in a], [Fraction(v) for v in b]
    low, high = Fraction(low), Fraction(high)
    enter, leave = Fraction(0), Fraction(1)
    for axis in (0, 1):
        d = b[axis] - a[axis]
        if d == 0:
            if not low <= a[axis] <= high:
                return None
            continue
        t0, t1 = (low - a[axis]) / d, (high - a[axis]) / d
        enter, leave = max(enter, min(t0, t1)), min(leave, max(t0, t1))
    if enter > leave:
        return None
    return [float(a[i] + t * (b[i] - a[i])) for t in (enter, leave) for i in (0, 1)]


@pytest.mark.parametrize("reach", [1e3, 1e8, 1e15])
def test_clip_segment_equals_exact_arithmetic(reach):
    rng = np.random.default_rng(int(math.log10(reach)))
    for _ in range(300):
        a = rng.uniform(-reach, reach, 2) * rng.choice([1, 1e-12], 2)
        b = rng.uniform(-reach, reach, 2)
        got = drawing.clip_segment(*a, *b, -3.0, 31.0)
        expected = exact_clip(a, b, -3.0, 31.0)
        if expected is None or got is None:
            # Missing by less than the rounding of the ends is fine either way.
            assert got == expected or np.allclose(got or expected, (got or expected)[:2] * 2, atol=1e-6)
            continue
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9 * max(1.0, reach / 1e6))


BIG = np.finfo(np.float64).max


@pytest.mark.parametrize("reach", [33.0, 1e10, 1e100, 1e308, BIG])
def test_a_line_through_the_grid_inks_the_same_pixels_however_far_its_ends(reach):
    across = loop_rasterize([[(-5.0, 14.0), (33.0, 14.0)]], drawing.PEN_WIDTH)[0]
    down = loop_rasterize([[(9.0, -5.0), (9.0, 33.0)]], drawing.PEN_WIDTH)[0]
    diagonal = loop_rasterize([[(-40.0, -40.0), (68.0, 68.0)]], drawing.PEN_WIDTH)[0]
    np.testing.assert_array_equal(drawing.rasterize([[(-reach, 14.0), (reach, 14.0)]]), across)
    np.testing.assert_array_equal(drawing.rasterize([[(9.0, reach), (9.0, -reach)]]), down)
    np.testing.assert_array_equal(drawing.rasterize([[(-reach, -reach), (reach, reach)]]), diagonal)
    np.testing.assert_array_equal(
        drawing.rasterize([[(14.0, 14.0), (reach, reach)]]), drawing.rasterize([[(14.0, 14.0), (40.0, 40.0)]])
    )
    assert across.all(axis=1).sum() == across.any(axis=1).sum() > 0  # whole rows of the bitmap


def test_points_far_away_ink_nothing_and_never_fail():
    assert not drawing.rasterize(
        [[(1e300, 1e300)], [(-BIG, 5.0), (-BIG, 6.0)], [(40.0, -40.0), (80.0, 3.0)]]
    ).any()


@pytest.mark.parametrize("pen_width", [np.float32(3.5), np.float64(4.5), np.int64(3), 2, 28])
def test_any_real_pen_width_is_taken(pen_width):
    got = drawing.rasterize([[(14.0, 14.0)]], pen_width)
    np.testing.assert_array_equal(got, loop_rasterize([[(14.0, 14.0)]], float(pen_width))[0])


@pytest.mark.parametrize(
    "pen_width", [True, False, "2", 2 + 0j, float("nan"), -1.0, 0.0, 28.5, np.bool_(True), None, [3.5]]
)
def test_a_bad_pen_width_is_named(pen_width):
    for function in (drawing.rasterize, drawing.normalise, drawing.prepare):
        with pytest.raises(ValueError, match="pen_width"):
            function([[(1.0, 2.0)]], pen_width)


@pytest.mark.parametrize(
    ("strokes", "message"),
    [
        (None, "strokes must be a list"),
        ("12", "strokes must be a list"),
        (5, "strokes must be a list"),
        ([[("1", "2")]], r"strokes\[0\] must hold real numbers"),
        ([[(1 + 2j, 3.0)]], r"strokes\[0\] must hold real numbers"),
        ([[(True, False)]], r"strokes\[0\] must hold real numbers"),
        ([[(1.0, 2.0)], "ab"], r"strokes\[1\]"),
        ([[(1.0, 2.0)], [(1.0, 2.0), (3.0,)]], r"strokes\[1\]"),
        ([[(1.0, -float("inf"))]], r"strokes\[0\].*finite"),
    ],
)
def test_bad_strokes_are_named(strokes, message):
    for function in (drawing.rasterize, drawing.normalise, drawing.prepare):
        with pytest.raises(ValueError, match=message):
            function(strokes)
