"""Multi-channel convolution, pooling and ReLU against independent references."""

import itertools

import numpy as np
import pytest
from scipy import signal
from support.oracles import direct_maxpool

from convviz import output_size
from convviz.layers import (
    avgpool2d,
    conv2d,
    conv2d_as_matmul,
    conv2d_backward,
    global_avgpool,
    im2col,
    maxpool2d,
    maxpool2d_backward,
    padding_amount,
    relu,
)


def reference_conv(x, weights, bias, stride, pad):
    """Per output channel: the sum over input channels of scipy's correlate2d, plus the bias."""
    padded = np.pad(x, ((pad, pad), (pad, pad), (0, 0)))
    maps = [
        sum(signal.correlate2d(padded[..., c], weights[f, ..., c], mode="valid") for c in range(x.shape[2]))
        + bias[f]
        for f in range(len(weights))
    ]
    return np.stack(maps, axis=-1)[::stride, ::stride]


@pytest.mark.parametrize(
    ("height", "width", "channels", "filters", "k"),
    [(7, 9, 3, 4, 3), (12, 12, 1, 2, 5), (6, 11, 2, 3, 1), (28, 28, 1, 4, 3), (14, 14, 4, 8, 3)],
)
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv2d_equals_per_channel_correlate2d_plus_bias(
    height, width, channels, filters, k, stride, padding
):
    rng = np.random.default_rng(height * 100 + channels * 10 + k)
    x = rng.normal(size=(height, width, channels))
    weights, bias = rng.normal(size=(filters, k, k, channels)), rng.normal(size=filters)
    expected = reference_conv(x, weights, bias, stride, padding_amount(k, padding))
    result = conv2d(x, weights, bias, stride=stride, padding=padding)
    assert result.shape == expected.shape
    np.testing.assert_allclose(result, expected, atol=1e-10)


def test_conv2d_on_a_batch_equals_one_image_at_a_time():
    rng = np.random.default_rng(0)
    batch, weights, bias = rng.normal(size=(5, 9, 9, 2)), rng.normal(size=(3, 3, 3, 2)), rng.normal(size=3)
    together = conv2d(batch, weights, bias, stride=2)
    side = output_size(9, 3, padding=1, stride=2)
    assert together.shape == (5, side, side, 3)
    for image, result in zip(batch, together, strict=True):
        np.testing.assert_allclose(result, conv2d(image, weights, bias, stride=2))


@pytest.mark.parametrize(
    ("n", "k", "padding", "stride"),
    list(itertools.product([5, 8, 13, 28], [1, 3, 5], [0, 1, 2], [1, 2, 3])),
)
def test_output_shapes_follow_the_formula(n, k, padding, stride):
    if k > n + 2 * padding:
        pytest.skip("kernel larger than the padded input")
    x = np.zeros((n, n + 1, 1))
    out = conv2d(x, np.zeros((2, k, k, 1)), np.zeros(2), stride=stride, padding=padding)
    expected = ((n - k + 2 * padding) // stride + 1, (n + 1 - k + 2 * padding) // stride + 1, 2)
    assert out.shape == expected
    assert out.shape[0] == output_size(n, k, padding, stride)


@pytest.mark.parametrize(
    ("shape", "size", "stride"),
    [((4, 4, 1), 2, 2), ((5, 5, 2), 2, 2), ((7, 6, 3), 3, 2), ((9, 9, 1), 3, 3), ((6, 6, 2), 2, 1)],
)
def test_maxpool_matches_direct_computation(shape, size, stride):
    x = np.random.default_rng(sum(shape)).normal(size=shape)
    np.testing.assert_array_equal(maxpool2d(x, size, stride), direct_maxpool(x, size, stride))


def test_maxpool_worked_example_and_odd_size():
    example = np.array([[1, 3, 2, 1], [4, 2, 6, 4], [1, 8, 3, 7], [5, 3, 2, 1]], dtype=float)[..., None]
    np.testing.assert_array_equal(maxpool2d(example)[..., 0], [[4, 6], [8, 7]])
    assert maxpool2d(np.zeros((5, 5, 1))).shape == (2, 2, 1)


def test_relu():
    np.testing.assert_array_equal(relu(np.array([-3.0, -0.0, 0.5, 7.0])), [0.0, 0.0, 0.5, 7.0])


def numeric_gradient(f, array, index, eps=1e-6):
    bumped = array.copy()
    bumped[index] += eps
    lowered = array.copy()
    lowered[index] -= eps
    return (f(bumped) - f(lowered)) / (2 * eps)


@pytest.mark.parametrize("stride", [1, 2])
def test_conv2d_backward_matches_numeric_gradient(stride):
    rng = np.random.default_rng(stride)
    x, weights, bias = rng.normal(size=(2, 6, 7, 2)), rng.normal(size=(3, 3, 3, 2)), rng.normal(size=3)
    out, cache = conv2d(x, weights, bias, stride=stride, return_cache=True)
    upstream = rng.normal(size=out.shape)
    dx, dweights, dbias = conv2d_backward(upstream, cache)
    assert (dx.shape, dweights.shape, dbias.shape) == (x.shape, weights.shape, bias.shape)
    for index in [(0, 0, 0, 0), (1, 3, 4, 1), (0, 5, 6, 1)]:
        expected = numeric_gradient(lambda a: (conv2d(a, weights, bias, stride) * upstream).sum(), x, index)
        assert dx[index] == pytest.approx(expected, rel=1e-5, abs=1e-7)
    for index in [(0, 0, 0, 0), (2, 1, 2, 1)]:
        expected = numeric_gradient(lambda w: (conv2d(x, w, bias, stride) * upstream).sum(), weights, index)
        assert dweights[index] == pytest.approx(expected, rel=1e-5)
    np.testing.assert_allclose(dbias, upstream.sum(axis=(0, 1, 2)))


def test_maxpool_backward_routes_the_gradient_to_each_window_maximum():
    x = np.random.default_rng(4).normal(size=(2, 5, 4, 3))
    out, cache = maxpool2d(x, return_cache=True)
    upstream = np.random.default_rng(5).normal(size=out.shape)
    dx = maxpool2d_backward(upstream, cache)
    assert dx.shape == x.shape
    assert dx.sum() == pytest.approx(upstream.sum())
    assert np.all(dx[:, 4, :, :] == 0)  # the last row fills no window
    for index in [(0, 0, 0, 0), (1, 3, 2, 2), (0, 1, 3, 1)]:
        expected = numeric_gradient(lambda a: (maxpool2d(a) * upstream).sum(), x, index)
        assert dx[index] == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: conv2d(np.zeros((5, 5)), np.zeros((1, 3, 3, 1)), np.zeros(1)), "must be \\(H, W, C\\)"),
        (
            lambda: conv2d(np.zeros((5, 5, 2)), np.zeros((1, 3, 3, 1)), np.zeros(1)),
            "weights expect 1 input channels, the input has 2",
        ),
        (
            lambda: conv2d(np.zeros((5, 5, 1)), np.zeros((2, 3, 3, 1)), np.zeros(3)),
            "bias must have shape \\(2,\\), got \\(3,\\)",
        ),
        (lambda: conv2d(np.zeros((5, 5, 1)), np.zeros((1, 2, 2, 1)), np.zeros(1)), "odd kernel size"),
        (lambda: conv2d(np.zeros((5, 5, 1)), np.zeros((1, 3, 3, 1)), np.zeros(1), stride=0), "stride"),
        (lambda: maxpool2d(np.zeros((4, 4, 1)), size=0), "size must be"),
        (lambda: maxpool2d(np.array([["a"]])[..., None]), "must hold numbers"),
        (lambda: conv2d(np.zeros((5, 5, 1)), np.zeros((3, 3, 1)), np.zeros(3)), "weights must be \\(K, k, k"),
        (lambda: conv2d(np.zeros((5, 5, 1)), np.zeros((1, 3, 2, 1)), np.zeros(1)), "shape \\(1, 3, 2, 1\\)"),
        (lambda: conv2d(np.zeros((0, 5, 1)), np.zeros((1, 3, 3, 1)), np.zeros(1)), "x has no rows"),
        (lambda: conv2d(np.zeros((5, 0, 1)), np.zeros((1, 3, 3, 1)), np.zeros(1)), "x has no columns"),
        (lambda: conv2d(np.zeros((5, 5, 0)), np.zeros((1, 3, 3, 0)), np.zeros(1)), "x has no channels"),
        (lambda: conv2d(np.zeros((0, 5, 5, 1)), np.zeros((1, 3, 3, 1)), np.zeros(1)), "x has no images"),
        (lambda: conv2d(np.zeros((5, 5, 1)), np.zeros((0, 3, 3, 1)), np.zeros(0)), "weights hold no filters"),
        (lambda: conv2d(np.zeros((5, 5, 1)), np.zeros((1, 0, 0, 1)), np.zeros(1)), "weights hold no filters"),
        (lambda: conv2d(np.zeros((5, 5, 1)), np.full((1, 3, 3, 1), "a"), np.zeros(1)), "weights must hold"),
        (lambda: conv2d(np.zeros((5, 5, 1)), np.zeros((1, 3, 3, 1)), ["b"]), "bias must hold numbers"),
        (
            lambda: conv2d(np.zeros((2, 9, 1)), np.zeros((1, 5, 5, 1)), np.zeros(1), padding=1),
            "filters of size 5 do not fit x of 2 rows padded by 1",
        ),
        (
            lambda: conv2d(np.zeros((9, 2, 1)), np.zeros((1, 3, 3, 1)), np.zeros(1), padding="valid"),
            "filters of size 3 do not fit x of 2 columns padded by 0",
        ),
        (
            lambda: conv2d(np.zeros((5, 5, 1)), np.zeros((1, 3, 3, 1)), np.zeros(1), padding=10**30),
            "padding makes x",
        ),
        (
            lambda: conv2d(np.zeros((5, 5, 1)), np.zeros((1, 3, 3, 1)), np.zeros(1), padding=10**5),
            "padding makes x 1×200005×200005×1",
        ),
        (lambda: maxpool2d(np.zeros((1, 6, 1))), "a pooling window of size 2 does not fit x of 1 rows"),
        (lambda: maxpool2d(np.zeros((6, 3, 1)), size=4), "window of size 4 does not fit x of 6 rows and 3"),
        (lambda: maxpool2d(np.zeros((6, 6, 0))), "x has no channels"),
        (lambda: maxpool2d(np.zeros((4, 4, 1)), stride=0), "stride must be"),
        (lambda: padding_amount(0, "same"), "kernel_size must be"),
    ],
)
def test_bad_layer_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("stride", [1, 2, 3])
def test_maxpool_of_size_one_picks_every_stride_th_pixel(stride):
    x = np.random.default_rng(stride).normal(size=(2, 7, 8, 3))
    np.testing.assert_array_equal(maxpool2d(x, size=1, stride=stride), x[:, ::stride, ::stride, :])
    out, cache = maxpool2d(x, size=1, stride=stride, return_cache=True)
    upstream = np.random.default_rng(9).normal(size=out.shape)
    dx = maxpool2d_backward(upstream, cache)
    expected = np.zeros_like(x)
    expected[:, ::stride, ::stride, :] = upstream
    np.testing.assert_array_equal(dx, expected)


def test_numpy_small_integers_work_as_layer_arguments():
    rng = np.random.default_rng(3)
    x, weights, bias = rng.normal(size=(9, 9, 2)), rng.normal(size=(2, 3, 3, 2)), rng.normal(size=2)
    np.testing.assert_array_equal(
        conv2d(x, weights, bias, stride=np.int16(2), padding=np.uint8(1)), conv2d(x, weights, bias, 2, 1)
    )
    np.testing.assert_array_equal(maxpool2d(x, np.int8(3), np.uint8(2)), direct_maxpool(x, 3, 2))


@pytest.mark.parametrize(("k", "padding", "stride"), [(5, "valid", 2), (1, 2, 1), (3, 1, 3), (5, "same", 1)])
def test_conv2d_backward_shapes_and_values_for_other_layers(k, padding, stride):
    rng = np.random.default_rng(k + stride)
    x, weights, bias = rng.normal(size=(2, 9, 8, 3)), rng.normal(size=(2, k, k, 3)), rng.normal(size=2)
    out, cache = conv2d(x, weights, bias, stride=stride, padding=padding, return_cache=True)
    upstream = rng.normal(size=out.shape)
    dx, dweights, dbias = conv2d_backward(upstream, cache)
    assert (dx.shape, dweights.shape, dbias.shape) == (x.shape, weights.shape, bias.shape)

    def loss_x(a):
        return (conv2d(a, weights, bias, stride, padding) * upstream).sum()

    def loss_w(w):
        return (conv2d(x, w, bias, stride, padding) * upstream).sum()

    for index in [(0, 0, 0, 0), (1, 8, 7, 2), (0, 4, 3, 1), (1, 0, 7, 0)]:
        assert dx[index] == pytest.approx(numeric_gradient(loss_x, x, index), rel=1e-5, abs=1e-7)
    for index in [(0, 0, 0, 0), (1, k - 1, k - 1, 2), (0, k // 2, 0, 1)]:
        assert dweights[index] == pytest.approx(numeric_gradient(loss_w, weights, index), rel=1e-5, abs=1e-7)
    np.testing.assert_allclose(dbias, upstream.sum(axis=(0, 1, 2)))


def test_conv2d_defaults_are_stride_1_and_same_padding():
    rng = np.random.default_rng(12)
    x, weights, bias = rng.normal(size=(7, 8, 2)), rng.normal(size=(3, 3, 3, 2)), rng.normal(size=3)
    result = conv2d(x, weights, bias)
    assert result.shape == (7, 8, 3)
    np.testing.assert_allclose(result, reference_conv(x, weights, bias, 1, 1), atol=1e-12)


def test_stride_is_checked_before_padding_and_window_sizes():
    """Every argument is checked before any work: a bad stride is reported even when the rest is bad too."""
    x, weights, bias = np.zeros((5, 5, 1)), np.zeros((1, 3, 3, 1)), np.zeros(1)
    with pytest.raises(ValueError, match="stride must be a whole number >= 1, got 0"):
        conv2d(x, weights, bias, stride=0, padding=10**30)
    with pytest.raises(ValueError, match="stride must be a whole number >= 1, got 0"):
        maxpool2d(x, size=9, stride=0)


# -- Arguments that would exhaust memory or give silent NaN and infinities (issue 23, P1, P3) --


def test_the_window_array_is_counted_before_anything_is_allocated():
    """A 300×300 input and a 299×299 filter with 'same' padding: 59.9 GiB of windows, refused at once."""
    with pytest.raises(ValueError, match=r"x and weights make a window array 1×300×300×299×299×1, more than"):
        conv2d(np.ones((300, 300, 1)), np.ones((1, 299, 299, 1)), np.zeros(1))
    with pytest.raises(ValueError, match=r"window array 1×2000×2000×25×25×1"):
        conv2d(np.ones((2000, 2000, 1)), np.ones((1, 25, 25, 1)), np.zeros(1))
    with pytest.raises(ValueError, match=r"x and size make a window array 1×301×301×300×300×1"):
        maxpool2d(np.ones((600, 600, 1)), size=300, stride=1, return_cache=True)
    with pytest.raises(ValueError, match=r"x and size make a window array"):
        avgpool2d(np.ones((600, 600, 1)), size=300, stride=1)
    with pytest.raises(ValueError, match=r"the windows of x make an array 1×301×301×300×300×1"):
        im2col(np.ones((1, 600, 600, 1)), 300, 1)


def test_window_arrays_up_to_the_limit_are_allowed(monkeypatch):
    from convviz import convolution

    monkeypatch.setattr(convolution, "MAX_PADDED_VALUES", 2 * 4 * 5 * 3 * 3 * 2)
    weights, bias = np.ones((1, 3, 3, 2)), np.zeros(1)
    assert conv2d(np.ones((2, 4, 5, 2)), weights, bias).shape == (2, 4, 5, 1)
    with pytest.raises(ValueError, match="x and weights make a window array 2×4×6×3×3×2"):
        conv2d(np.ones((2, 4, 6, 2)), weights, bias)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["x", "weights", "bias"])
def test_nan_or_infinity_in_any_argument_of_conv2d_is_refused(where, bad):
    arguments = {"x": np.ones((5, 5, 1)), "weights": np.ones((2, 3, 3, 1)), "bias": np.zeros(2)}
    arguments[where].flat[1] = bad
    with pytest.raises(ValueError, match=f"^{where} contains NaN or infinity"):
        conv2d(**arguments)


def test_a_result_beyond_the_float64_range_is_refused():
    with pytest.raises(ValueError, match="weights and bias: the result exceeds the float64 range"):
        conv2d(np.full((4, 4, 1), 1e308), np.ones((1, 3, 3, 1)), np.zeros(1))
    with pytest.raises(ValueError, match="the result exceeds the float64 range"):
        conv2d(np.ones((4, 4, 1)), np.full((1, 1, 1, 1), 1e308), np.full(1, 1.7e308))
    huge = np.full((4, 4, 1), 1e308)
    assert np.isfinite(conv2d(huge, np.full((1, 1, 1, 1), 0.5), np.zeros(1))).all()


def layer_cache():
    rng = np.random.default_rng(4)
    out, cache = conv2d(
        rng.normal(size=(2, 6, 6, 1)), rng.normal(size=(3, 3, 3, 1)), np.zeros(3), return_cache=True
    )
    pooled, pool_cache = maxpool2d(out, return_cache=True)
    return out, cache, pooled, pool_cache


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: relu(np.array([1.0, np.nan])), "x contains NaN"),
        (lambda: relu(np.array(["a"])), "x must hold numbers"),
        (lambda: maxpool2d(np.full((4, 4, 1), np.nan)), "x contains NaN"),
        (lambda: maxpool2d(np.ones((4, 4, 1)), return_cache="yes"), "return_cache must be True or False"),
        (
            lambda: conv2d(np.ones((4, 4, 1)), np.ones((1, 3, 3, 1)), np.zeros(1), return_cache=1),
            "return_cache",
        ),
        (lambda: avgpool2d(np.full((4, 4, 1), np.inf)), "x contains NaN or infinity"),
        (lambda: global_avgpool(np.full((4, 4, 1), -np.inf)), "x contains NaN or infinity"),
        (lambda: im2col(np.ones((4, 4, 1)), 3, 1), r"x must be \(N, H, W, C\)"),
        (lambda: im2col(np.ones((1, 4, 4, 1)), 5, 1), "windows of size 5 do not fit x of 4 rows"),
        (lambda: im2col(np.ones((1, 4, 4, 1)), 0, 1), "k must be a whole number"),
        (lambda: im2col(np.ones((1, 4, 4, 1)), 3, 0), "stride must be a whole number"),
        (
            lambda: conv2d_as_matmul(np.ones((1, 4, 4, 2)), np.ones((1, 3, 3, 1)), np.zeros(1)),
            "weights expect 1",
        ),
        (
            lambda: conv2d_as_matmul(np.ones((1, 4, 4, 1)), np.ones((1, 3, 3, 1)), [np.nan]),
            "bias contains NaN",
        ),
        (lambda: conv2d_as_matmul(np.ones((4, 4, 1)), np.ones((1, 3, 3, 1)), np.zeros(1)), "padded must be"),
        (lambda: conv2d_backward(np.ones((2, 6, 6, 2)), layer_cache()[1]), r"grad_out must have the shape"),
        (lambda: conv2d_backward(np.full((2, 6, 6, 3), np.nan), layer_cache()[1]), "grad_out contains NaN"),
        (lambda: conv2d_backward(np.ones((2, 6, 6, 3)), layer_cache()[3]), "cache must be what conv2d"),
        (
            lambda: maxpool2d_backward(np.ones((2, 3, 3, 2)), layer_cache()[3]),
            r"grad_out must have the shape",
        ),
        (lambda: maxpool2d_backward(np.ones((2, 3, 3, 3)), None), "cache must be what maxpool2d"),
    ],
)
def test_every_layer_function_names_its_bad_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
