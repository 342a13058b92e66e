"""The teaching loop and the vectorized convolution against SciPy as an independent oracle."""

import numpy as np
import pytest
from scipy import ndimage, signal

from convviz import KERNELS, convolution, correlate2d, output_size
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


@pytest.mark.parametrize("method", ["taps", "fft"])
@pytest.mark.parametrize("kernel_shape", [(3, 3), (2, 5), (7, 7), (8, 6)])
def test_impulse_response_is_the_kernel_turned_half_way_round(method, kernel_shape):
    """Cross-correlation does not flip: a single bright pixel comes out as the kernel rotated by 180°.

    Every weight is different, so a flip in one axis only (or none) would show.
    """
    kernel = np.arange(1.0, 1 + np.prod(kernel_shape)).reshape(kernel_shape)
    image = np.zeros((20, 21))
    image[10, 9] = 1.0
    result = correlate2d(image, kernel, method=method)
    rows, cols = kernel_shape
    window = result[10 - rows + 1 : 11, 9 - cols + 1 : 10]
    np.testing.assert_allclose(window, kernel[::-1, ::-1], atol=1e-12)
    assert np.abs(result).sum() == pytest.approx(kernel.sum())


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
    ("args", "expected"),
    [((1, 1), 1), ((1, 1, 0, 1), 1), ((3, 3), 1), ((1, 3, 1), 1), ((2, 1, 0, 5), 1), ((1, 1, 0, 99), 1)],
)
def test_output_size_at_its_minimums(args, expected):
    assert output_size(*args) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 1), "n must be a whole number >= 1, got 0"),
        ((5, 0), "f must be a whole number >= 1, got 0"),
        ((5, 3, -1), "padding must be a whole number >= 0, got -1"),
        ((5, 3, 0, 0), "stride must be a whole number >= 1, got 0"),
        ((5, 3, 0, True), "stride must be a whole number"),
        ((5.0, 3), "n must be a whole number"),
        ((2, 5, 1), "a kernel of size 5 does not fit an input of size 2 padded by 1"),
    ],
)
def test_output_size_rejects_values_below_its_minimums(args, message):
    with pytest.raises(ValueError, match=message):
        output_size(*args)


def test_numpy_small_integers_are_converted_before_arithmetic():
    """uint8 arithmetic would give (200 - 100 + 200) % 256 + 1 = 45."""
    assert output_size(np.uint8(200), np.uint8(100), np.uint8(100)) == (200 - 100 + 200) // 1 + 1
    assert output_size(np.int8(100), np.int8(3), np.int8(100), np.int8(1)) == 298
    image, kernel = np.random.default_rng(0).normal(size=(9, 10)), np.ones((3, 3))
    expected = signal.correlate2d(image, kernel, mode="valid")[::2, ::2]
    np.testing.assert_allclose(correlate2d(image, kernel, stride=np.int16(2)), expected)
    padded = signal.correlate2d(np.pad(image, 2), kernel, mode="valid")
    np.testing.assert_allclose(correlate2d(image, kernel, padding=np.uint8(2)), padded)


@pytest.mark.parametrize("kernel_shape", [(1, 1), (2, 2), (4, 5), (5, 4), (2, 7), (6, 3), (1, 4), (5, 5)])
def test_same_padding_keeps_the_size_for_even_and_odd_kernels(kernel_shape):
    rng = np.random.default_rng(sum(kernel_shape))
    image, kernel = rng.normal(size=(11, 13)), rng.normal(size=kernel_shape)
    result = correlate2d(image, kernel, padding="same")
    assert result.shape == image.shape
    np.testing.assert_allclose(result, signal.correlate2d(image, kernel, mode="same"), atol=1e-12)
    rows, cols = kernel_shape
    assert convolution.padding_widths(kernel_shape, "same") == (
        ((rows - 1) // 2, rows // 2),
        ((cols - 1) // 2, cols // 2),
    )


@pytest.mark.parametrize("stride", [2, 3])
@pytest.mark.parametrize("kernel_shape", [(3, 3), (5, 2)])
def test_wide_images_fill_every_strip_of_rows(stride, kernel_shape):
    """So wide that one strip holds 8 output rows: the result needs several strips and a partial last one."""
    rng = np.random.default_rng(stride)
    image, kernel = rng.normal(size=(20 * stride + 5, 4200 * stride)), rng.normal(size=kernel_shape)
    result = correlate2d(image, kernel, stride=stride, method="taps")
    rows_per_strip = max(8, convolution._CACHE_FLOATS // result.shape[1])
    assert result.shape[0] > 2 * rows_per_strip and result.shape[0] % rows_per_strip != 0
    expected = signal.correlate2d(image, kernel, mode="valid")[::stride, ::stride]
    np.testing.assert_allclose(result, expected, atol=1e-12)


@pytest.mark.parametrize("shape", [(9, 4200), (40, 700), (6, 9000), (400, 5)])
@pytest.mark.parametrize("kernel_shape", [(3, 3), (5, 2), (1, 1), (3, 1)])
def test_stride_1_covers_every_block_of_the_long_row(shape, kernel_shape):
    """At stride 1 the output is added in blocks of the rows laid end to end: full and partial ones."""
    rng = np.random.default_rng(sum(shape))
    image, kernel = rng.normal(size=shape), rng.normal(size=kernel_shape)
    result = correlate2d(image, kernel, method="taps")
    expected = signal.correlate2d(image, kernel, mode="valid")
    assert result.shape == expected.shape
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-12)
    needed = (expected.shape[0] - 1) * shape[1] + expected.shape[1]
    if shape != (400, 5):
        assert needed > convolution._BLAS_BLOCK and needed % convolution._BLAS_BLOCK != 0


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
        ({"method": None}, "method must be"),
        ({"pad_mode": "mean"}, "one of constant, edge, reflect, symmetric, wrap, got 'mean'"),
        ({"padding": 10**30}, "padding makes the image"),
        ({"padding": 6000}, "padding makes the image 12006×12006, more than"),
        ({"padding": 10**6, "method": "magic"}, "method must be"),
        ({"padding": 10**6, "stride": 0}, "stride must be"),
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


@pytest.mark.parametrize(
    ("image", "kernel", "message"),
    [
        (np.zeros((0, 5)), np.ones((3, 3)), "image is empty"),
        (np.zeros((5, 0)), np.ones((3, 3)), "image is empty"),
        (np.zeros((5, 5)), np.ones((3, 0)), "kernel is empty"),
    ],
)
def test_empty_arrays_are_named_even_with_padding(image, kernel, message):
    with pytest.raises(ValueError, match=message):
        correlate2d(image, kernel, padding="same")


# The FFT path: used only where its rounding error is negligible for the input.


def test_a_huge_pixel_does_not_turn_the_fft_result_into_nan():
    image = np.ones((20, 20))
    image[19, 19] = 1e300
    kernel = np.ones((9, 9))
    result = correlate2d(image, kernel)
    np.testing.assert_array_equal(result, signal.correlate2d(image, kernel, mode="valid"))
    assert result[0, 0] == 81 and result[-1, -1] == 1e300
    with pytest.raises(ValueError, match="too large for method='fft'"):
        correlate2d(image, np.full((9, 9), 1e10), method="fft")


@pytest.mark.parametrize("method", ["auto", "taps", "fft"])
@pytest.mark.parametrize("stride", [1, 2])
def test_a_result_beyond_the_float64_range_is_refused(method, stride):
    """1.7e308 is a float64, three of them added are not: no silent infinity (issue 23, P3)."""
    image = np.full((12, 12), 1.7e308)
    with np.errstate(over="ignore"):
        assert np.isinf(signal.correlate2d(image, np.ones((3, 3)), mode="valid")).all()
    with pytest.raises(ValueError, match="image and kernel: the result exceeds the float64 range"):
        correlate2d(image, np.ones((3, 3)), stride=stride, method="taps" if method == "fft" else method)
    with pytest.raises(ValueError, match="image and kernel"):
        correlate2d(np.ones((12, 12)), np.full((9, 9), 1e307), stride=stride, method=method)


def test_huge_values_whose_sums_stay_in_range_are_computed():
    image = np.array([[1.7e308, -1.7e308, 1.7e308], [-1.7e308, 1.7e308, -1.7e308]])
    np.testing.assert_array_equal(correlate2d(image, np.ones((1, 2))), [[0.0, 0.0], [0.0, 0.0]])
    np.testing.assert_array_equal(correlate2d(image, [[0.5]]), image / 2)
    assert correlate2d(np.full((3, 3), 1e200), np.ones((3, 3)))[0, 0] == pytest.approx(9e200, rel=1e-15)


@pytest.mark.parametrize("length", [1, 2, 7, 64, 8191, 8192, 8193, 20000])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_infinity_anywhere_in_the_image_is_refused(length, bad):
    """The image is checked by the dot product that also gives its norm: every position must show."""
    rng = np.random.default_rng(length)
    for position in sorted({0, length // 2, length - 1, int(rng.integers(length))}):
        image = rng.normal(size=(1, length))
        image[0, position] = bad
        with pytest.raises(ValueError, match="image contains NaN or infinity"):
            correlate2d(image, np.ones((1, 1)))
        assert np.isfinite(convolution.square_sum(np.delete(image, position, axis=1), "image"))


def test_finite_values_too_large_to_square_are_not_called_infinite():
    image = np.full((4, 4), 1e200)
    assert convolution.square_sum(image, "image") == np.inf
    assert (correlate2d(image, [[1.0, -1.0]]) == 0).all()


def test_a_large_pixel_does_not_blur_the_exact_sums_of_ones():
    image = np.ones((20, 20))
    image[19, 19] = 1e12
    result = correlate2d(image, np.ones((7, 7)))
    assert (result[:-1, :-1] == 49).all()
    assert result[-1, -1] == 1e12 + 48


def random_image(rng, shape, spread):
    """Normal values scaled by powers of ten spread over +-spread decades: a wide dynamic range."""
    return rng.normal(size=shape) * 10.0 ** rng.uniform(-spread, spread, size=shape)


@pytest.mark.parametrize("seed", range(40))
def test_fft_error_stays_below_its_bound(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(8, 90, size=2))
    kernel_shape = tuple(int(min(k, s)) for k, s in zip(rng.integers(1, 14, size=2), shape))
    image, kernel = random_image(rng, shape, seed % 7), random_image(rng, kernel_shape, 2)
    error = np.abs(correlate2d(image, kernel, method="fft") - signal.correlate2d(image, kernel, "valid"))
    assert error.max() <= convolution.fft_error_bound(image, kernel)


@pytest.mark.parametrize("seed", range(40))
def test_auto_is_as_accurate_as_the_taps_where_it_uses_the_fft(seed):
    """Where auto takes the FFT, its error is within FFT_TOLERANCE of the median |pixel| times Σ|kernel|."""
    rng = np.random.default_rng(100 + seed)
    image = random_image(rng, (50, 60), seed % 8) + (seed % 3) * 100
    kernel = rng.normal(size=(9, 11))
    if seed % 4 == 0:
        image[rng.integers(50), rng.integers(60)] = 10.0 ** (seed % 16)
    expected = signal.correlate2d(image, kernel, mode="valid")
    typical = np.median(np.abs(image)) * np.abs(kernel).sum()
    local = signal.correlate2d(np.abs(image), np.abs(kernel), mode="valid")
    allowed = convolution.FFT_TOLERANCE * typical + 1e-13 * local
    assert (np.abs(correlate2d(image, kernel) - expected) <= allowed).all()
    if convolution.fft_is_accurate(image, kernel):
        assert convolution.fft_error_bound(image, kernel) <= convolution.FFT_TOLERANCE * typical


def test_auto_takes_the_fft_for_smooth_large_images():
    """The guard is no stricter than needed on ordinary images: photos and noise go through the FFT."""
    rng = np.random.default_rng(4)
    for image in (rng.random((256, 256)), rng.normal(size=(300, 200)) + 3, np.full((64, 64), 0.5)):
        assert convolution.fft_is_accurate(image, rng.normal(size=(9, 9)))


@pytest.mark.parametrize(
    ("kernel_shape", "uses_fft"), [((9, 9), True), ((5, 17), True), ((8, 10), False), ((3, 3), False)]
)
def test_auto_takes_the_fft_from_81_taps_on(monkeypatch, kernel_shape, uses_fft):
    calls = []
    real = convolution._fft
    monkeypatch.setattr(convolution, "_fft", lambda *args: calls.append(args) or real(*args))
    image = np.random.default_rng(1).normal(size=(30, 31)) + 5
    kernel = np.random.default_rng(2).normal(size=kernel_shape)
    result = correlate2d(image, kernel)
    assert bool(calls) == uses_fft
    np.testing.assert_allclose(result, signal.correlate2d(image, kernel, mode="valid"), atol=1e-10)


def test_auto_takes_the_taps_when_the_fft_bound_is_too_large(monkeypatch):
    calls = []
    monkeypatch.setattr(convolution, "_fft", lambda *args: calls.append(args))
    image = np.ones((30, 30))
    image[3, 4] = 1e9
    kernel = np.ones((9, 9))
    assert not convolution.fft_is_accurate(image, kernel)
    result = correlate2d(image, kernel)
    assert not calls
    np.testing.assert_array_equal(result, signal.correlate2d(image, kernel, mode="valid"))


def test_fft_error_bound_is_the_documented_formula():
    rng = np.random.default_rng(8)
    image, kernel = rng.normal(size=(20, 30)), rng.normal(size=(7, 9))
    length = 20 * 30  # both are already 2^a 3^b 5^c
    expected = 8 * np.finfo(float).eps * (np.log2(length) + 1) * np.sqrt((image**2).sum() * (kernel**2).sum())
    assert convolution.fft_error_bound(image, kernel) == pytest.approx(expected, rel=1e-12, abs=0)
    magnitudes = np.abs(image)
    typical = (magnitudes.mean() - magnitudes.std()) * np.abs(kernel).sum()
    assert convolution.fft_is_accurate(image, kernel) == (expected <= convolution.FFT_TOLERANCE * typical)


def test_fft_tolerance_and_size_limit_are_the_documented_values():
    assert convolution.FFT_TOLERANCE == 1e-9
    assert convolution.FFT_MIN_TAPS == 81
    assert convolution.MAX_PADDED_VALUES == 2**27


def test_fft_is_accurate_compares_bound_and_typical_response(monkeypatch):
    image, kernel = np.full((10, 10), 2.0), np.full((7, 7), -1.0)
    typical = convolution.typical_magnitude(2.0 * 100, 4.0 * 100, 100) * 49
    assert typical == pytest.approx(2.0 * 49, rel=1e-6)  # a constant image: the bound is its value
    bound = convolution.fft_error_bound(image, kernel)
    monkeypatch.setattr(convolution, "FFT_TOLERANCE", bound / typical)
    assert convolution.fft_is_accurate(image, kernel)
    monkeypatch.setattr(convolution, "FFT_TOLERANCE", bound / typical * (1 - 1e-12))
    assert not convolution.fft_is_accurate(image, kernel)


def medians_and_bounds(arrays):
    for values in arrays:
        magnitudes = np.abs(values)
        bound = convolution.typical_magnitude(
            convolution.abs_sum(values), convolution.square_sum(values, "values"), values.size
        )
        yield np.median(magnitudes), bound


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 10, 11, 100, 101, 8192, 8193, 30001])
def test_typical_magnitude_never_exceeds_the_median(n):
    rng = np.random.default_rng(n)
    arrays = [
        rng.random(n),
        rng.normal(size=n),
        rng.standard_cauchy(size=n),
        np.full(n, 3.0),
        rng.normal(size=n) * 10.0 ** rng.uniform(-150, 150, size=n),
        np.where(rng.random(n) < 0.5, 0.0, 1.0),
        np.full(n, 1e-200) * rng.random(n),  # squares underflow to zero
        np.full(n, 1e160) * rng.random(n),  # squares overflow to infinity
    ]
    for median, bound in medians_and_bounds(arrays):
        assert 0 <= bound <= median


@pytest.mark.parametrize("n", [2, 3, 10, 11, 1000, 1001])
@pytest.mark.parametrize("high", [1.0, 1.5, 10.0, 1e6])
def test_typical_magnitude_is_tight_for_the_worst_case(n, high):
    """Half (rounded up) of the values at 1, the rest higher: the bound is μ - σ, 1 for even counts."""
    low, high_count = n - n // 2, n // 2
    values = np.concatenate([np.full(low, 1.0), np.full(high_count, high)])
    [(median, bound)] = medians_and_bounds([np.random.default_rng(n).permutation(values)])
    mean = (low + high_count * high) / n
    exact = mean - np.sqrt(low * high_count) * (high - 1) / n  # μ - σ of these values
    assert bound <= median and bound <= 1.0
    assert max(exact, 0) - 1e-5 * mean <= bound <= max(exact, 0) + 1e-12 * mean
    if n % 2 == 0:
        assert exact == pytest.approx(1.0, rel=1e-12)


def test_smooth_lengths_are_the_smallest_products_of_2_3_and_5():
    smooth = sorted(2**a * 3**b * 5**c for a in range(12) for b in range(8) for c in range(6))
    for n in range(1, 1100):
        assert convolution._smooth_length(n) == next(s for s in smooth if s >= n), n


def test_padding_up_to_the_size_limit_is_allowed(monkeypatch):
    monkeypatch.setattr(convolution, "MAX_PADDED_VALUES", 12 * 14)
    image, kernel = np.ones((10, 12)), np.ones((3, 3))
    assert correlate2d(image, kernel, padding=1).shape == (10, 12)
    with pytest.raises(ValueError, match="padding makes the image 14×16, more than 168 values"):
        correlate2d(image, kernel, padding=2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: convolution.typical_magnitude(-1.0, 4.0, 4), "absolute_sum must be a number >= 0"),
        (lambda: convolution.typical_magnitude(1.0, np.nan, 4), "sum_of_squares must be a number >= 0"),
        (lambda: convolution.typical_magnitude(True, 1.0, 4), "absolute_sum"),
        (lambda: convolution.typical_magnitude(1.0, 1.0, 0), "count must be a whole number >= 1"),
        (lambda: convolution.square_sum(np.array(["a"]), "image"), "image must hold numbers"),
        (lambda: convolution.abs_sum(np.array([None]), "image"), "image must hold numbers"),
        (lambda: convolution.fft_error_bound(np.ones((3, 3)), np.ones(3)), "kernel must be 2-D"),
        (lambda: convolution.fft_is_accurate(np.full((3, 3), np.nan), np.ones((2, 2))), "image contains NaN"),
        (lambda: convolution.padding_widths((3, 0), "same"), "kernel_shape entries must be a whole number"),
    ],
)
def test_the_guard_functions_name_their_bad_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
