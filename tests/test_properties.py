"""Property-based tests of convviz against SciPy and direct definitions.

Hypothesis draws shapes, strides, paddings, dtypes and memory layouts; the
values come from a NumPy generator seeded by the drawn seed. Runs are
derandomized (the same examples every time) and keep no example database.
"""

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import signal

from convviz import correlate2d, output_size
from convviz.convolution import PAD_MODES, padding_widths
from convviz.layers import conv2d, conv2d_backward, maxpool2d, maxpool2d_backward, padding_amount

FAST = settings(max_examples=80, deadline=None, derandomize=True, database=None)

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float32", "float64"]
LAYOUTS = ["C", "F", "strided", "reversed", "transposed"]


def numbers(rng, shape, dtype):
    """Random values of dtype: small integers (negative ones where the dtype has them) or normals."""
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype.startswith("uint"):
        return rng.integers(0, 256, size=shape).astype(dtype)
    if dtype.startswith("int"):
        return rng.integers(-100, 100, size=shape).astype(dtype)
    return rng.normal(scale=10, size=shape).astype(dtype)


def laid_out(array, layout):
    """The same values in another memory layout: Fortran order, a strided or reversed view, a transpose."""
    if layout == "F":
        return np.asfortranarray(array)
    if layout == "strided":
        wide = np.zeros((array.shape[0] * 2,) + array.shape[1:] + (3,), dtype=array.dtype)
        wide[::2, ..., 1] = array
        return wide[::2, ..., 1]
    if layout == "reversed":
        return np.ascontiguousarray(array[::-1, ::-1])[::-1, ::-1]
    if layout == "transposed":
        return np.ascontiguousarray(array.T).T
    return np.ascontiguousarray(array)


@st.composite
def correlation_cases(draw):
    rows, cols = draw(st.integers(1, 24)), draw(st.integers(1, 24))
    kernel_shape = (draw(st.integers(1, 9)), draw(st.integers(1, 9)))
    padding = draw(st.sampled_from(["valid", "same", 0, 1, 2, 3, 5]))
    stride = draw(st.integers(1, 4))
    widths = padding_widths(kernel_shape, padding)
    assume(all(k <= n + sum(w) for k, n, w in zip(kernel_shape, (rows, cols), widths)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    image = numbers(rng, (rows, cols), draw(st.sampled_from(DTYPES)))
    kernel = numbers(rng, kernel_shape, draw(st.sampled_from(DTYPES)))
    return {
        "image": laid_out(image, draw(st.sampled_from(LAYOUTS))),
        "kernel": laid_out(kernel, draw(st.sampled_from(LAYOUTS))),
        "padding": padding,
        "stride": stride,
        "pad_mode": draw(st.sampled_from(PAD_MODES)),
        "method": draw(st.sampled_from(["auto", "taps", "fft"])),
    }


@FAST
@given(correlation_cases())
def test_correlate2d_equals_scipy_on_the_padded_image(case):
    image, kernel = case["image"].astype(np.float64), case["kernel"].astype(np.float64)
    widths = padding_widths(kernel.shape, case["padding"])
    padded = np.pad(image, widths, mode=case["pad_mode"])
    stride = case["stride"]
    expected = signal.correlate2d(padded, kernel, mode="valid")[::stride, ::stride]
    result = correlate2d(**case)
    assert result.shape == expected.shape
    assert result.shape == tuple(output_size(n, k, 0, stride) for n, k in zip(padded.shape, kernel.shape))
    scale = signal.correlate2d(np.abs(padded), np.abs(kernel), mode="valid")[::stride, ::stride]
    tolerance = 1e-12 * scale.max() if case["method"] == "fft" else 1e-12 * scale
    assert (np.abs(result - expected) <= tolerance + 1e-300).all()
    assert result.dtype == np.float64 and result.flags.writeable


@FAST
@given(correlation_cases())
def test_correlate2d_leaves_its_inputs_alone(case):
    before = case["image"].copy(), case["kernel"].copy()
    correlate2d(**case)
    np.testing.assert_array_equal(case["image"], before[0])
    np.testing.assert_array_equal(case["kernel"], before[1])


@st.composite
def layer_cases(draw):
    batch = draw(st.sampled_from([None, 1, 3]))
    height, width, channels = draw(st.integers(1, 12)), draw(st.integers(1, 12)), draw(st.integers(1, 3))
    k = draw(st.sampled_from([1, 2, 3, 4, 5]))
    padding = draw(
        st.sampled_from(["valid", "same", 0, 1, 2]) if k % 2 else st.sampled_from(["valid", 0, 1, 2])
    )
    pad = padding_amount(k, padding)
    assume(k <= min(height, width) + 2 * pad)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = (height, width, channels) if batch is None else (batch, height, width, channels)
    x = laid_out(numbers(rng, shape, draw(st.sampled_from(DTYPES))), draw(st.sampled_from(LAYOUTS)))
    filters = draw(st.integers(1, 4))
    weights = rng.normal(size=(filters, k, k, channels))
    bias = rng.normal(size=filters)
    return x, weights, bias, draw(st.integers(1, 3)), padding


def reference_conv(x, weights, bias, stride, pad):
    """One image: per output channel, the sum over input channels of SciPy's correlate2d, plus the bias."""
    padded = np.pad(x.astype(np.float64), ((pad, pad), (pad, pad), (0, 0)))
    maps = [
        sum(signal.correlate2d(padded[..., c], weights[f, ..., c], mode="valid") for c in range(x.shape[2]))
        + bias[f]
        for f in range(len(weights))
    ]
    return np.stack(maps, axis=-1)[::stride, ::stride]


@FAST
@given(layer_cases())
def test_conv2d_equals_per_channel_scipy(case):
    x, weights, bias, stride, padding = case
    pad = padding_amount(weights.shape[1], padding)
    result = conv2d(x, weights, bias, stride=stride, padding=padding)
    images = [x] if x.ndim == 3 else list(x)
    expected = np.stack([reference_conv(image, weights, bias, stride, pad) for image in images])
    assert result.shape == (expected[0].shape if x.ndim == 3 else expected.shape)
    np.testing.assert_allclose(result.reshape(expected.shape), expected, rtol=1e-10, atol=1e-9)


@FAST
@given(layer_cases())
def test_conv2d_backward_is_the_adjoint_of_the_forward_pass(case):
    """With zero bias conv2d is linear in x and in the weights: <conv(x), g> = <x, dx> = <W, dW>."""
    x, weights, bias, stride, padding = case
    batch = (x[None] if x.ndim == 3 else x).astype(np.float64)
    out, cache = conv2d(
        batch, weights, np.zeros_like(bias), stride=stride, padding=padding, return_cache=True
    )
    upstream = np.random.default_rng(len(out.ravel())).normal(size=out.shape)
    dx, dweights, dbias = conv2d_backward(upstream, cache)
    assert (dx.shape, dweights.shape, dbias.shape) == (batch.shape, weights.shape, bias.shape)
    total = (out * upstream).sum()
    size = np.abs(out).sum() * np.abs(upstream).max() + 1.0
    assert abs((batch * dx).sum() - total) <= 1e-10 * size
    assert abs((weights * dweights).sum() - total) <= 1e-10 * size
    np.testing.assert_allclose(dbias, upstream.sum(axis=(0, 1, 2)))


def direct_maxpool(x, size, stride):
    rows, cols = (x.shape[0] - size) // stride + 1, (x.shape[1] - size) // stride + 1
    out = np.empty((rows, cols, x.shape[2]))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = x[i * stride : i * stride + size, j * stride : j * stride + size].max(axis=(0, 1))
    return out


@st.composite
def pooling_cases(draw):
    height, width, channels = draw(st.integers(1, 12)), draw(st.integers(1, 12)), draw(st.integers(1, 3))
    size = draw(st.integers(1, min(height, width)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = numbers(rng, (draw(st.integers(1, 3)), height, width, channels), draw(st.sampled_from(DTYPES)))
    return laid_out(x, draw(st.sampled_from(LAYOUTS))), size, draw(st.integers(1, 4))


@FAST
@given(pooling_cases())
def test_maxpool_equals_the_direct_loop(case):
    x, size, stride = case
    result = maxpool2d(x, size, stride)
    expected = np.stack([direct_maxpool(image.astype(np.float64), size, stride) for image in x])
    np.testing.assert_array_equal(result, expected)
    np.testing.assert_array_equal(maxpool2d(x[0], size, stride), expected[0])


@FAST
@given(pooling_cases())
def test_maxpool_backward_sends_each_gradient_to_one_window_maximum(case):
    x, size, stride = case
    x = x.astype(np.float64)
    out, cache = maxpool2d(x, size, stride, return_cache=True)
    upstream = np.random.default_rng(out.size).normal(size=out.shape)
    dx = maxpool2d_backward(upstream, cache)
    assert dx.shape == x.shape
    assert np.isclose(dx.sum(), upstream.sum())
    # Each gradient lands on a pixel holding its window's maximum: sum(dx * x) = sum(upstream * out).
    assert np.isclose((dx * x).sum(), (upstream * out).sum())
    covered_rows, covered_cols = (np.array(out.shape[1:3]) - 1) * stride + size
    assert not dx[:, covered_rows:].any() and not dx[:, :, covered_cols:].any()
