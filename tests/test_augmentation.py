"""convviz.augmentation against SciPy's affine_transform and grey morphology, and the rational turn.

The JavaScript twin (ConvCore.distort) is compared with these functions in Chromium
(test_network_explorer.py).
"""

import math

import numpy as np
import pytest
from scipy import ndimage

from convviz.augmentation import COUNT, RANGES, distort, embolden, parameters, warp
from convviz.seeded_random import SeededRandom
from convviz.tiny_cnn import load_digit_split


@pytest.fixture(scope="module")
def digits():
    return load_digit_split()[0][:12] / 255.0


def uniforms(seed, count):
    return np.array(SeededRandom(seed).uniforms(count * COUNT)).reshape(count, COUNT)


def scipy_warp(image, p):
    """The same mapping written for scipy.ndimage.affine_transform in (row, column) index coordinates."""
    h, w = image.shape
    kx, ky, s, c, sn = p["stretch_x"], p["stretch_y"], p["slant"], p["cos"], p["sin"]
    m00, m01, m10, m11 = kx * (c + s * sn), kx * (s * c - sn), ky * sn, ky * c
    centre_row, centre_col = h / 2 - 0.5, w / 2 - 0.5
    matrix = np.array([[m11, m10], [m01, m00]])
    offset = np.array(
        [
            centre_row + p["shift_y"] - m11 * centre_row - m10 * centre_col,
            centre_col + p["shift_x"] - m01 * centre_row - m00 * centre_col,
        ]
    )
    return ndimage.affine_transform(image, matrix, offset, order=1, mode="grid-constant", cval=0.0)


def test_warp_equals_scipy_affine_transform(digits):
    u = uniforms(1, len(digits))
    p = parameters(u)
    got = warp(digits, p)
    for n, image in enumerate(digits):
        one = {name: values[n] for name, values in p.items()}
        np.testing.assert_allclose(got[n], scipy_warp(image, one), atol=1e-12)


def test_embolden_mixes_with_scipys_grey_dilation_and_erosion(digits):
    bold = np.linspace(-0.5, 0.5, len(digits))
    got = embolden(digits, bold)
    for image, b, out in zip(digits, bold, got, strict=True):
        grown = ndimage.grey_dilation(image, size=(3, 3), mode="nearest")
        shrunk = ndimage.grey_erosion(image, size=(3, 3), mode="nearest")
        target = grown if b > 0 else shrunk
        np.testing.assert_allclose(out, image + abs(b) * (target - image), atol=1e-15)
    assert (got[bold > 0] >= digits[bold > 0] - 1e-15).all() and (
        got[bold < 0] <= digits[bold < 0] + 1e-15
    ).all()


def test_the_rational_turn_is_a_rotation_by_twice_the_arctangent():
    u = uniforms(2, 50)
    p = parameters(u)
    t = -RANGES["turn"] + 2 * RANGES["turn"] * u[:, 0]
    np.testing.assert_allclose(p["cos"], np.cos(2 * np.arctan(t)), atol=1e-15)
    np.testing.assert_allclose(p["sin"], np.sin(2 * np.arctan(t)), atol=1e-15)
    np.testing.assert_allclose(p["cos"] ** 2 + p["sin"] ** 2, 1, atol=1e-15)
    largest = math.degrees(2 * math.atan(RANGES["turn"]))
    assert np.abs(np.degrees(np.arctan2(p["sin"], p["cos"]))).max() <= largest


def test_every_parameter_stays_in_its_range():
    p = parameters(uniforms(3, 2000))
    assert np.abs(p["slant"]).max() <= RANGES["slant"]
    for name in ("stretch_x", "stretch_y"):
        assert np.abs(p[name] - 1).max() <= RANGES["stretch"]
    for name in ("shift_x", "shift_y"):
        assert np.abs(p[name]).max() <= RANGES["shift"]
    assert np.abs(p["bold"]).max() <= RANGES["bold"]
    # Uniforms of 0.5 are the middle of every range: no distortion at all.
    middle = parameters(np.full((1, COUNT), 0.5))
    assert {name: float(v[0]) for name, v in middle.items()} == {
        "cos": 1.0,
        "sin": 0.0,
        "slant": 0.0,
        "stretch_x": 1.0,
        "stretch_y": 1.0,
        "shift_x": 0.0,
        "shift_y": 0.0,
        "bold": 0.0,
    }


def test_no_distortion_gives_the_image_back_exactly(digits):
    np.testing.assert_array_equal(distort(digits, np.full((len(digits), COUNT), 0.5)), digits)


def test_a_whole_pixel_shift_moves_the_image(digits):
    u = np.full((len(digits), COUNT), 0.5)
    u[:, 4] = (2.0 / RANGES["shift"] + 1) / 2  # shift_x = +2 pixels: each pixel reads two to its right
    u[:, 5] = (-1.0 / RANGES["shift"] + 1) / 2  # shift_y = -1: each pixel reads the one above
    moved = distort(digits, u)
    np.testing.assert_allclose(moved[:, 1:, :-2], digits[:, :-1, 2:], atol=1e-12)
    assert (moved[:, 0, :] == 0).all() and (moved[:, :, -2:] == 0).all()


def test_distorted_digits_stay_in_the_unit_interval(digits):
    out = distort(digits, uniforms(4, len(digits)))
    assert out.min() >= 0 and out.max() <= 1 + 1e-12
