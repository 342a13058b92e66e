"""convviz.drawing: strokes -> bitmap -> block counts -> 28×28, against direct loops, PIL and scikit-learn."""

import math

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


def test_prepare_chains_the_three_steps_and_an_empty_drawing_is_black():
    strokes = random_strokes(np.random.default_rng(5))
    expected = np.floor(
        loop_enlarge(drawing.block_counts(loop_rasterize(strokes, drawing.PEN_WIDTH)[0])) + 0.5
    )
    got = drawing.prepare(strokes)
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
