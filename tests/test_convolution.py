"""The teaching loop and the vectorized convolution against SciPy as an independent oracle."""

import numpy as np
import pytest
from scipy import ndimage, signal

from convviz import KERNELS, convolve2d, correlate2d, output_size
from convviz.downloads import load_download

SHAPES = [((9, 9), (3, 3)), ((17, 23), (3, 3)), ((31, 20), (5, 5)), ((12, 40), (2, 7)), ((6, 6), (6, 6))]


@pytest.fixture(scope="module")
def teaching_loop():
    return load_download("cnn_visualization").convolve2d


@pytest.mark.parametrize(("image_shape", "kernel_shape"), SHAPES)
def test_teaching_loop_matches_scipy(teaching_loop, image_shape, kernel_shape):
    rng = np.random.default_rng(sum(image_shape + kernel_shape))
    image, kernel = rng.normal(size=image_shape), rng.normal(size=kernel_shape)
    expected = signal.correlate2d(image, kernel, mode="valid")
    np.testing.assert_allclose(teaching_loop(image, kernel), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("image_shape", "kernel_shape"), SHAPES + [((64, 70), (7, 7)), ((40, 40), (9, 11))])
@pytest.mark.parametrize("method", ["auto", "taps", "fft"])
def test_vectorized_matches_scipy(image_shape, kernel_shape, method):
    rng = np.random.default_rng(7 + sum(image_shape + kernel_shape))
    image, kernel = rng.normal(size=image_shape), rng.normal(size=kernel_shape)
    expected = signal.correlate2d(image, kernel, mode="valid")
    np.testing.assert_allclose(correlate2d(image, kernel, method=method), expected, rtol=1e-9, atol=1e-9)


def test_vectorized_equals_teaching_loop_on_every_named_kernel(teaching_loop):
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, size=(20, 24)).astype(np.float64)
    for name, kernel in KERNELS.items():
        np.testing.assert_allclose(correlate2d(image, kernel), teaching_loop(image, kernel), err_msg=name)


def test_uint8_image_gives_the_same_result_as_float(teaching_loop):
    rng = np.random.default_rng(11)
    pixels = rng.integers(0, 256, size=(32, 32), dtype=np.uint8)
    kernel = KERNELS["sobel_x"]
    as_float = correlate2d(pixels.astype(np.float64), kernel)
    np.testing.assert_array_equal(correlate2d(pixels, kernel), as_float)
    np.testing.assert_array_equal(teaching_loop(pixels, kernel), as_float)
    # uint8 arithmetic would have wrapped around: the response really has negative values.
    assert as_float.min() < 0


def test_integer_kernel_and_image():
    image = np.arange(30).reshape(5, 6)
    kernel = np.array([[1, -1], [2, 0]])
    np.testing.assert_array_equal(correlate2d(image, kernel), signal.correlate2d(image, kernel, "valid"))


def test_convolve2d_flips_the_kernel_like_scipy():
    rng = np.random.default_rng(5)
    image, kernel = rng.normal(size=(15, 15)), KERNELS["sobel_x"]
    np.testing.assert_allclose(convolve2d(image, kernel), signal.convolve2d(image, kernel, mode="valid"))
    # Sobel X is antisymmetric: flipping it changes the sign of the response.
    np.testing.assert_allclose(convolve2d(image, kernel), -correlate2d(image, kernel))


@pytest.mark.parametrize("pad_mode,scipy_mode", [("constant", "constant"), ("edge", "nearest")])
def test_same_padding_matches_scipy_ndimage(pad_mode, scipy_mode):
    rng = np.random.default_rng(9)
    image, kernel = rng.normal(size=(13, 17)), rng.normal(size=(3, 3))
    expected = ndimage.correlate(image, kernel, mode=scipy_mode, cval=0.0)
    result = correlate2d(image, kernel, padding="same", pad_mode=pad_mode)
    assert result.shape == image.shape
    np.testing.assert_allclose(result, expected, atol=1e-12)


@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", [0, 1, 2])
def test_stride_and_padding_subsample_the_full_result(stride, padding):
    rng = np.random.default_rng(stride * 10 + padding)
    image, kernel = rng.normal(size=(14, 11)), rng.normal(size=(3, 3))
    padded = np.pad(image, padding)
    expected = signal.correlate2d(padded, kernel, mode="valid")[::stride, ::stride]
    result = correlate2d(image, kernel, padding=padding, stride=stride)
    assert result.shape == (output_size(14, 3, padding, stride), output_size(11, 3, padding, stride))
    np.testing.assert_allclose(result, expected, atol=1e-12)


def test_output_size_formula():
    assert output_size(256, 3) == 254
    assert output_size(28, 3, padding=1) == 28
    assert output_size(28, 2, stride=2) == 14
    assert output_size(5, 3) == 3
    assert output_size(7, 3, stride=2) == 3
    with pytest.raises(ValueError, match="does not fit"):
        output_size(2, 3)
    with pytest.raises(ValueError, match="stride"):
        output_size(8, 3, stride=0)


@pytest.mark.parametrize(
    ("image", "kernel", "message"),
    [
        (np.zeros(10), np.ones((3, 3)), "image must be 2-D"),
        (np.zeros((4, 4, 3)), np.ones((3, 3)), "image must be 2-D"),
        (np.zeros((8, 8)), np.ones(3), "kernel must be 2-D"),
        (np.zeros((2, 8)), np.ones((3, 3)), "kernel is larger than the image: 3 rows"),
        (np.zeros((8, 2)), np.ones((3, 3)), "kernel is larger than the image: 3 columns"),
        (np.zeros((0, 5)), np.ones((3, 3)), "image is empty"),
        (np.zeros((5, 5)), np.ones((0, 3)), "kernel is empty"),
        (np.array([["a", "b"], ["c", "d"]]), np.ones((1, 1)), "image must hold numbers"),
        (np.zeros((5, 5), dtype=object), np.ones((3, 3)), "image must hold numbers"),
        (np.zeros((5, 5)), np.array([[1.0, np.nan], [0.0, 1.0]]), "kernel contains NaN"),
        (np.zeros((5, 5)), np.array([[1.0, np.inf], [0.0, 1.0]]), "kernel contains NaN or infinity"),
    ],
)
def test_bad_input_raises_value_error_naming_the_problem(image, kernel, message):
    with pytest.raises(ValueError, match=message):
        correlate2d(image, kernel)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"padding": "full"}, "padding must be"),
        ({"padding": -1}, "padding must be"),
        ({"stride": 0}, "stride must be"),
        ({"stride": 1.5}, "stride must be"),
        ({"method": "magic"}, "method must be"),
    ],
)
def test_bad_options_raise_value_error(options, message):
    with pytest.raises(ValueError, match=message):
        correlate2d(np.zeros((6, 6)), np.ones((3, 3)), **options)


def test_input_arrays_are_not_modified():
    image = np.arange(36, dtype=np.float64).reshape(6, 6)
    kernel = KERNELS["sharpen"].copy()
    before = image.copy(), kernel.copy()
    correlate2d(image, kernel, padding="same")
    np.testing.assert_array_equal(image, before[0])
    np.testing.assert_array_equal(kernel, before[1])
