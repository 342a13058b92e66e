"""The part 2 additions against independent computations: the worked example, im2col, average
pooling, receptive fields, the channels-first layout and equivariance with a stride."""

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage, signal

from convviz.equivariance import best_copy_error, copy_error, shift_columns
from convviz.layers import avgpool2d, conv2d, conv2d_as_matmul, global_avgpool, im2col, maxpool2d, relu
from convviz.layouts import (
    dense_to_channels_first,
    dense_to_channels_last,
    filters_to_channels_first,
    filters_to_channels_last,
    images_to_channels_first,
    images_to_channels_last,
    tiny_cnn_to_channels_first,
)
from convviz.receptive_field import (
    TINY_CNN_LAYERS,
    changed_units,
    input_box,
    pixels_reaching,
    receptive_fields,
)
from convviz.tiny_cnn import IMAGE_SIZE, as_input, forward_layers, trained_network
from convviz.worked_examples import (
    POOLING_EXAMPLE,
    conv_step,
    grid_lines,
    list_table,
    multichannel_example,
    number,
    side_by_side,
)

FAST = settings(max_examples=60, deadline=None, derandomize=True, database=None)


def loop_conv(x, weights, bias, stride, pad):
    """Multi-channel cross-correlation written as plain loops over every index."""
    x = np.pad(np.asarray(x, dtype=float), ((pad, pad), (pad, pad), (0, 0)))
    n_filters, k, _, channels = weights.shape
    out_h, out_w = (x.shape[0] - k) // stride + 1, (x.shape[1] - k) // stride + 1
    out = np.zeros((out_h, out_w, n_filters))
    for i in range(out_h):
        for j in range(out_w):
            for f in range(n_filters):
                total = bias[f]
                for u in range(k):
                    for v in range(k):
                        for c in range(channels):
                            total += x[i * stride + u, j * stride + v, c] * weights[f, u, v, c]
                out[i, j, f] = total
    return out


def scipy_conv(x, weights, bias, stride, pad):
    """scipy.signal.correlate per channel, summed, subsampled by the stride, plus the bias."""
    padded = np.pad(np.asarray(x, dtype=float), ((pad, pad), (pad, pad), (0, 0)))
    maps = [
        sum(signal.correlate(padded[..., c], weights[f, ..., c], mode="valid") for c in range(x.shape[2]))
        + bias[f]
        for f in range(len(weights))
    ]
    return np.stack(maps, axis=-1)[::stride, ::stride]


# -- The three-channel worked example ------------------------------------------------------


def test_worked_example_is_small_whole_numbers_with_two_nonzero_biases():
    x, weights, bias = multichannel_example()
    assert x.shape == (5, 5, 3) and weights.shape == (2, 3, 3, 3) and bias.shape == (2,)
    for values in (x, weights, bias):
        assert np.array_equal(values, np.round(values))
    assert np.all(bias != 0) and bias[0] != bias[1]


def test_worked_example_output_equals_loops_and_scipy():
    x, weights, bias = multichannel_example()
    out = conv2d(x, weights, bias, stride=2, padding=1)
    assert out.shape == (3, 3, 2)
    np.testing.assert_array_equal(out, loop_conv(x, weights, bias, 2, 1))
    np.testing.assert_array_equal(out, scipy_conv(x, weights, bias, 2, 1))


@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", [0, 1, 2])
def test_every_step_adds_up_to_the_output_value(stride, padding):
    x, weights, bias = multichannel_example()
    out = loop_conv(x, weights, bias, stride, padding)
    for (i, j, f), expected in np.ndenumerate(out):
        step = conv_step(x, weights, bias, i, j, f, stride=stride, padding=padding)
        assert step["result"] == expected
        window = np.zeros((3, 3, 3))
        for u in range(3):
            for v in range(3):
                r, c = i * stride - padding + u, j * stride - padding + v
                if 0 <= r < 5 and 0 <= c < 5:
                    window[u, v] = x[r, c]
        np.testing.assert_array_equal(step["window"], window)
        assert (step["top"], step["left"]) == (i * stride - padding, j * stride - padding)
        np.testing.assert_array_equal(
            step["channel_sums"], [np.sum(window[..., c] * weights[f, ..., c]) for c in range(3)]
        )
        assert step["total"] + step["bias"] == step["result"] and step["bias"] == bias[f]


@pytest.mark.parametrize(
    ("row", "col", "filt"), [(3, 0, 0), (0, -1, 0), (0, 0, 2), (1.0, 0, 0), (True, 0, 0)]
)
def test_conv_step_names_the_index_out_of_range(row, col, filt):
    x, weights, bias = multichannel_example()
    name = (
        "row"
        if (row, col, filt) in ((3, 0, 0), (1.0, 0, 0), (True, 0, 0))
        else "col"
        if col == -1
        else "filt"
    )
    with pytest.raises(ValueError, match=name):
        conv_step(x, weights, bias, row, col, filt, stride=2, padding=1)


def test_text_helpers_align_numbers_and_write_minus_signs():
    assert grid_lines([[1, -10], [0.5, -0.0]]) == ["   1 −10", " 0.5   0"]
    assert number(-3) == "−3" and number(-0.0) == "0" and number(2.5) == "2.5"
    lines = side_by_side([np.ones((2, 2)), np.zeros((1, 1))], ["a", "b"])
    assert lines == ["a      b", " 1 1    0", " 1 1"]
    table = list_table("T", ["x", "y"], [["1", "2"]])
    assert table.splitlines()[3:] == ["   * - x", "     - y", "   * - 1", "     - 2"]


# -- im2col: the layer as one matrix product -----------------------------------------------


@FAST
@given(
    st.integers(1, 3),
    st.integers(1, 9),
    st.integers(1, 9),
    st.integers(1, 4),
    st.integers(1, 4),
    st.sampled_from([1, 3, 5]),
    st.integers(1, 3),
    st.integers(0, 2),
    st.integers(0, 2**32 - 1),
)
def test_matrix_product_equals_conv2d_and_scipy(n, h, w, channels, filters, k, stride, pad, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, h, w, channels))
    weights, bias = rng.normal(size=(filters, k, k, channels)), rng.normal(size=filters)
    if k > min(h, w) + 2 * pad:
        return
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out, matrix = conv2d_as_matmul(padded, weights, bias, stride)
    out_h, out_w = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    assert out.shape == (n, out_h, out_w, filters)
    assert matrix.shape == (n * out_h * out_w, k * k * channels)
    np.testing.assert_allclose(out, conv2d(x, weights, bias, stride=stride, padding=pad), atol=1e-12)
    for image in range(n):
        np.testing.assert_allclose(out[image], scipy_conv(x[image], weights, bias, stride, pad), atol=1e-10)


def test_window_matrix_rows_are_the_windows_in_reading_order():
    x, weights, bias = multichannel_example()
    padded = np.pad(x, ((1, 1), (1, 1), (0, 0)))[None]
    _, matrix = conv2d_as_matmul(padded, weights, bias, 2)
    windows = im2col(padded, 3, 2)
    assert windows.shape == (1, 3, 3, 3, 3, 3)
    for row, (i, j) in enumerate(np.ndindex(3, 3)):
        np.testing.assert_array_equal(matrix[row], padded[0, 2 * i : 2 * i + 3, 2 * j : 2 * j + 3].ravel())


# -- Average pooling and global average pooling --------------------------------------------


@FAST
@given(
    st.integers(1, 2),
    st.integers(1, 9),
    st.integers(1, 9),
    st.integers(1, 3),
    st.integers(1, 4),
    st.integers(1, 3),
    st.integers(0, 2**32 - 1),
)
def test_avgpool2d_is_the_mean_of_every_window(n, h, w, channels, size, stride, seed):
    if size > min(h, w):
        return
    x = np.random.default_rng(seed).normal(size=(n, h, w, channels))
    out = avgpool2d(x, size, stride)
    out_h, out_w = (h - size) // stride + 1, (w - size) // stride + 1
    assert out.shape == (n, out_h, out_w, channels)
    for image, i, j, c in np.ndindex(out.shape):
        window = x[image, i * stride : i * stride + size, j * stride : j * stride + size, c]
        assert out[image, i, j, c] == pytest.approx(np.mean(window), abs=1e-12)


def test_avgpool_of_the_page_example_and_global_average_pooling():
    averaged = avgpool2d(POOLING_EXAMPLE[..., None])[..., 0]
    expected = [[np.mean(POOLING_EXAMPLE[r : r + 2, c : c + 2]) for c in (0, 2)] for r in (0, 2)]
    np.testing.assert_allclose(averaged, expected)
    rng = np.random.default_rng(5)
    batch = rng.normal(size=(3, 4, 6, 5))
    np.testing.assert_allclose(global_avgpool(batch), [[np.mean(m[..., c]) for c in range(5)] for m in batch])
    np.testing.assert_allclose(global_avgpool(batch[1]), batch[1].reshape(-1, 5).mean(axis=0))


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: avgpool2d(np.ones((4, 4, 1)), size=0), "size"),
        (lambda: avgpool2d(np.ones((4, 4, 1)), size=5), "size"),
        (lambda: avgpool2d(np.ones((4, 4, 1)), stride=1.5), "stride"),
        (lambda: avgpool2d(np.ones((4, 4)), 2), "x"),
        (lambda: avgpool2d(np.array([["a"]]), 2), "x"),
        (lambda: global_avgpool(np.ones(3)), "x"),
        (lambda: global_avgpool(np.ones((0, 2, 3))), "x"),
    ],
)
def test_pooling_names_the_bad_argument(call, name):
    with pytest.raises(ValueError, match=rf"^{name}\b|\b{name} "):
        call()


def test_one_by_one_convolution_mixes_channels_pixel_by_pixel():
    rng = np.random.default_rng(11)
    x, weights, bias = rng.normal(size=(4, 5, 3)), rng.normal(size=(2, 1, 1, 3)), rng.normal(size=2)
    expected = np.einsum("hwc,kc->hwk", x, weights[:, 0, 0, :]) + bias
    np.testing.assert_allclose(conv2d(x, weights, bias, padding="valid"), expected, atol=1e-12)


# -- Receptive fields ----------------------------------------------------------------------


@functools.cache
def network():
    return trained_network()


def test_recurrence_for_the_tiny_cnn_matches_the_worked_out_sizes():
    fields = receptive_fields()
    assert list(fields) == [name for name, *_ in TINY_CNN_LAYERS]
    # Worked out by hand from the layer list, one layer at a time.
    assert fields["conv1"] == (3, 1, -1)
    assert fields["pool1"] == (3 + 1, 2, -1)
    assert fields["conv2"] == (4 + 2 * 2, 2, -1 - 2)
    assert fields["pool2"] == (8 + 1 * 2, 4, -3)
    assert fields["dense"][0] >= IMAGE_SIZE


def test_conv2_box_agrees_with_part3s_receptive_field():
    from convviz.activation_maximization import receptive_field

    for row, col in [(0, 0), (7, 7), (13, 13), (2, 11)]:
        assert input_box(receptive_fields()["conv2"], row, col) == receptive_field(row, col)


@pytest.mark.parametrize("pixel", [(0, 0), (13, 14), (27, 27), (5, 22), (26, 1)])
def test_one_pixel_changes_exactly_the_units_whose_field_holds_it(pixel):
    """The oracle: change one input pixel, run the network, see which units move."""
    params = network()[0]
    rng = np.random.default_rng(sum(pixel))
    fields = receptive_fields()
    union = {}
    for image in rng.random((6, IMAGE_SIZE, IMAGE_SIZE, 1)):
        for layer, changed in changed_units(params, image, *pixel, delta=2.0).items():
            union[layer] = union.get(layer, False) | changed
    for layer, changed in union.items():
        size, jump, first = fields[layer]
        units = np.arange(changed.shape[0])
        covers = [(first + units * jump <= p) & (p < first + units * jump + size) for p in pixel]
        predicted = covers[0][:, None] & covers[1][None, :]
        np.testing.assert_array_equal(changed, predicted, err_msg=f"{layer}, pixel {pixel}")


def test_pixels_reaching_a_unit_stay_inside_its_box():
    params, _, _, (_, _, test_x, _) = network()
    digit = as_input(test_x[:1])[0]
    for layer, (row, col) in {"conv1": (0, 27), "pool1": (7, 7), "conv2": (13, 0), "pool2": (3, 3)}.items():
        reach = pixels_reaching(params, digit, layer, row, col)
        top, bottom, left, right = input_box(receptive_fields()[layer], row, col)
        inside = np.zeros_like(reach)
        inside[top:bottom, left:right] = True
        assert reach.any() and not (reach & ~inside).any(), layer
        # The same answer pixel by pixel, with changed_units.
        for r, c in [(top, left), (bottom - 1, right - 1), (min(bottom, 27), min(right, 27))]:
            assert changed_units(params, digit, r, c)[layer][row, col] == reach[r, c]


@pytest.mark.parametrize(
    ("layers", "name"),
    [((("a", 0, 1, 0),), "kernel"), ((("a", 3, 1.5, 0),), "stride"), ((("a", 3, 1, -1),), "padding")],
)
def test_receptive_fields_name_the_bad_argument(layers, name):
    with pytest.raises(ValueError, match=name):
        receptive_fields(layers)


# -- Channels last and channels first ------------------------------------------------------


def nchw_conv(images, weights, bias, pad):
    """Stride-1 convolution in PyTorch's layout, written with einsum: (N, C, H, W) * (K, C, k, k)."""
    k = weights.shape[2]
    padded = np.pad(images, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    h, w = padded.shape[2] - k + 1, padded.shape[3] - k + 1
    out = np.zeros((len(images), len(weights), h, w))
    for u in range(k):
        for v in range(k):
            out += np.einsum("nchw,kc->nkhw", padded[:, :, u : u + h, v : v + w], weights[:, :, u, v])
    return out + bias[None, :, None, None]


def nchw_maxpool(maps):
    n, c, h, w = maps.shape
    return maps[:, :, : h // 2 * 2, : w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def nchw_forward(params, images):
    """The tiny CNN in PyTorch's layout and flatten order, on channels-first parameters."""
    a1 = nchw_maxpool(relu(nchw_conv(images, params["W1"], params["b1"], 1)))
    a2 = nchw_maxpool(relu(nchw_conv(a1, params["W2"], params["b2"], 1)))
    return a2.reshape(len(images), -1) @ params["W3"].T + params["b3"]


def test_layout_transposes_round_trip():
    rng = np.random.default_rng(3)
    images, weights, dense = (
        rng.normal(size=(2, 5, 6, 3)),
        rng.normal(size=(4, 3, 3, 3)),
        rng.normal(size=(10, 42)),
    )
    np.testing.assert_array_equal(images_to_channels_last(images_to_channels_first(images)), images)
    np.testing.assert_array_equal(filters_to_channels_last(filters_to_channels_first(weights)), weights)
    np.testing.assert_array_equal(
        dense_to_channels_last(dense_to_channels_first(dense, (2, 3, 7)), (2, 3, 7)), dense
    )
    assert filters_to_channels_first(weights)[1, 2, 0, 1] == weights[1, 0, 1, 2]
    # Column (row 1, col 2, channel 5) of a (2, 3, 7) map moves to (channel 5, row 1, col 2).
    assert dense_to_channels_first(dense, (2, 3, 7))[4, (5 * 2 + 1) * 3 + 2] == dense[4, (1 * 3 + 2) * 7 + 5]


def test_layout_functions_name_the_bad_argument():
    with pytest.raises(ValueError, match="weights"):
        filters_to_channels_first(np.ones((3, 3, 1)))
    with pytest.raises(ValueError, match="images"):
        images_to_channels_first(np.ones((28, 28, 1)))
    with pytest.raises(ValueError, match="map_shape"):
        dense_to_channels_first(np.ones((10, 392)), (7, 7, 4))


def test_channels_first_conv_on_transposed_filters_equals_conv2d():
    rng = np.random.default_rng(8)
    x, weights, bias = rng.normal(size=(2, 9, 7, 3)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
    expected = conv2d(x, weights, bias)
    first = nchw_conv(images_to_channels_first(x), filters_to_channels_first(weights), bias, 1)
    np.testing.assert_allclose(images_to_channels_last(first), expected, atol=1e-12)


def test_carried_over_tiny_cnn_gives_the_same_logits_channels_first():
    params, _, _, (_, _, test_x, _) = network()
    x = as_input(test_x[:50])
    logits = forward_layers(params, x)["logits"]
    carried = nchw_forward(tiny_cnn_to_channels_first(params), images_to_channels_first(x))
    np.testing.assert_allclose(carried, logits, atol=1e-9)
    forgotten = tiny_cnn_to_channels_first(params) | {"W3": params["W3"]}
    assert np.abs(nchw_forward(forgotten, images_to_channels_first(x)) - logits).max() > 1


def test_torch_agrees_with_the_carried_over_weights():
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    params, _, _, (_, _, test_x, _) = network()
    x = as_input(test_x[:50])
    first = {
        name: torch.from_numpy(np.ascontiguousarray(v))
        for name, v in tiny_cnn_to_channels_first(params).items()
    }
    images = torch.from_numpy(np.ascontiguousarray(images_to_channels_first(x)))
    conv1 = functional.conv2d(images, first["W1"], first["b1"], padding=1)
    np.testing.assert_allclose(
        images_to_channels_last(conv1.numpy()), conv2d(x, params["W1"], params["b1"]), atol=1e-9
    )
    a1 = functional.max_pool2d(torch.relu(conv1), 2)
    a2 = functional.max_pool2d(torch.relu(functional.conv2d(a1, first["W2"], first["b2"], padding=1)), 2)
    logits = torch.flatten(a2, 1) @ first["W3"].T + first["b3"]
    np.testing.assert_allclose(logits.numpy(), forward_layers(params, x)["logits"], atol=1e-9)


# -- Equivariance with a stride ------------------------------------------------------------


def test_stride_two_output_is_a_shifted_copy_for_even_shifts_only():
    rng = np.random.default_rng(21)
    image = rng.random((20, 30))
    kernel = rng.normal(size=(3, 3))

    def layer(img):  # the oracle: SciPy's correlate, valid part, every second position
        return ndimage.correlate(img, kernel, mode="constant")[1:-1, 1:-1][::2, ::2]

    out = layer(image)
    assert copy_error(out, layer(shift_columns(image, 2)), offset=1) < 1e-12
    assert copy_error(out, layer(shift_columns(image, 4)), offset=2) < 1e-12
    offset, error = best_copy_error(out, layer(shift_columns(image, 1)), offsets=(0, 1))
    assert error > 0.1
    # best_copy_error is the smaller of the two copy errors, each computed here with a loop.
    errors = []
    for d in (0, 1):
        shifted = layer(shift_columns(image, 1))
        errors.append(
            max(
                abs(shifted[i, j + d] - out[i, j])
                for i in range(out.shape[0])
                for j in range(2, out.shape[1] - d)
            )
        )
    assert error == pytest.approx(min(errors)) and offset == int(np.argmin(errors))


def test_pooling_output_is_a_shifted_copy_for_even_shifts_only():
    rng = np.random.default_rng(22)
    image = rng.random((16, 24, 1))
    out = maxpool2d(image)[..., 0]
    assert copy_error(out, maxpool2d(shift_columns(image, 2))[..., 0], offset=1) == 0
    _, error = best_copy_error(out, maxpool2d(shift_columns(image, 1))[..., 0], offsets=(0, 1))
    assert error > 0


def test_copy_error_names_the_bad_argument():
    with pytest.raises(ValueError, match="offset"):
        copy_error(np.ones((3, 4)), np.ones((3, 4)), offset=-1)
    with pytest.raises(ValueError, match="out_shifted"):
        copy_error(np.ones((3, 4)), np.ones((3, 5)), offset=0)
    with pytest.raises(ValueError, match="margin"):
        copy_error(np.ones((3, 4)), np.ones((3, 4)), offset=2, margin=2)
