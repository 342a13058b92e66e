"""The pieces of a convolutional layer, vectorized, with their backward passes.

Arrays are channels-last, as in the exercise: one image is (H, W, C), a batch
is (N, H, W, C), and K filters of size k×k are stored as (K, k, k, C_in).
Forward functions accept one image or a batch; the ``*_backward`` functions
used for training work on batches.
"""

import numpy as np

from convviz.convolution import (
    check_array_size,
    check_padded_size,
    check_whole_number,
    output_size,
    padding_widths,
)


def relu(x):
    """max(0, x), element by element."""
    return np.maximum(finite_numbers(x, "x"), 0.0)


def padding_amount(kernel_size, padding):
    """Pixels added on each side for 'valid', 'same' (odd kernels only) or a whole number."""
    kernel_size = check_whole_number(kernel_size, "kernel_size", 1)
    if isinstance(padding, str) and padding == "same" and kernel_size % 2 == 0:
        raise ValueError(f"'same' padding needs an odd kernel size, got {kernel_size}")
    ((before, _),) = padding_widths((kernel_size,), padding)
    return before


def _as_batch(x, what, single_allowed=True):
    """(batch as float64, True if x was one image); ValueError naming what is wrong with x."""
    x = finite_numbers(x, what)
    if x.ndim != 4 and not (single_allowed and x.ndim == 3):
        shapes = "(H, W, C) or (N, H, W, C)" if single_allowed else "(N, H, W, C)"
        raise ValueError(f"{what} must be {shapes}, got shape {x.shape}")
    single = x.ndim == 3
    batch = x[None] if single else x
    for size, axis in zip(batch.shape, ("images", "rows", "columns", "channels")):
        if size == 0:
            raise ValueError(f"{what} has no {axis} (shape {x.shape})")
    return batch, single


def finite_numbers(values, what):
    """values as finite float64 numbers; ValueError naming what if they are not numbers or not finite."""
    values = np.asarray(values)
    if values.dtype.kind not in "biuf":
        raise ValueError(f"{what} must hold numbers, got dtype {values.dtype}")
    values = values.astype(np.float64, copy=False)
    if not np.isfinite(values).all():
        raise ValueError(f"{what} contains NaN or infinity")
    return values


def _check_flag(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _check_windows(batch, k, stride, what):
    """(k, stride, H_out, W_out) for k×k windows of a batch; ValueError if they do not fit or are too many."""
    k = check_whole_number(k, "k", 1)
    stride = check_whole_number(stride, "stride", 1)
    n, h, w, c = batch.shape
    for size, name in ((h, "rows"), (w, "columns")):
        if k > size:
            raise ValueError(f"windows of size {k} do not fit {what} of {size} {name}")
    out_h, out_w = output_size(h, k, 0, stride), output_size(w, k, 0, stride)
    check_array_size((n, out_h, out_w, k, k, c), f"the windows of {what} make an array")
    return k, stride, out_h, out_w


def _finite_result(out, what):
    if not np.isfinite(out).all():
        raise ValueError(f"{what}: the result exceeds the float64 range (about 1.8e308)")
    return out


def _check_filters(x, weights, bias):
    weights = finite_numbers(weights, "weights")
    bias = finite_numbers(bias, "bias")
    if weights.ndim != 4 or weights.shape[1] != weights.shape[2]:
        raise ValueError(f"weights must be (K, k, k, C_in), got shape {weights.shape}")
    if weights.shape[0] == 0 or weights.shape[1] == 0:
        raise ValueError(f"weights hold no filters (shape {weights.shape})")
    if weights.shape[3] != x.shape[3]:
        raise ValueError(f"weights expect {weights.shape[3]} input channels, the input has {x.shape[3]}")
    if bias.shape != (weights.shape[0],):
        raise ValueError(f"bias must have shape ({weights.shape[0]},), got {bias.shape}")
    return weights, bias


def _tap_views(x, k, stride, out_h, out_w):
    """Yield (u, v, view) for every kernel tap: the input pixels that tap sees, per output position."""
    for u in range(k):
        for v in range(k):
            yield (
                u,
                v,
                x[:, u : u + (out_h - 1) * stride + 1 : stride, v : v + (out_w - 1) * stride + 1 : stride],
            )


def im2col(x, k, stride):
    """Every k×k×C window of a padded batch as one row: returns (N, H_out, W_out, k, k, C)."""
    x = _as_batch(x, "x", single_allowed=False)[0]
    k, stride, out_h, out_w = _check_windows(x, k, stride, "x")
    n, h, w, c = x.shape
    columns = np.empty((n, out_h, out_w, k, k, c))
    for u, v, view in _tap_views(x, k, stride, out_h, out_w):
        columns[:, :, :, u, v, :] = view
    return columns


def conv2d_as_matmul(padded, weights, bias, stride=1):
    """Cross-correlation of a padded batch (N, H, W, C) as one matrix product.

    Returns the output (N, H_out, W_out, K) and the window matrix it multiplied,
    (N·H_out·W_out, k·k·C): one row per output position, one filter per column of the other factor.
    """
    padded = _as_batch(padded, "padded", single_allowed=False)[0]
    weights, bias = _check_filters(padded, weights, bias)
    n_filters, k = weights.shape[0], weights.shape[1]
    windows = im2col(padded, k, stride)  # (N, H_out, W_out, k, k, C)
    rows = windows.shape[0] * windows.shape[1] * windows.shape[2]
    matrix = windows.reshape(rows, -1)  # (N·H_out·W_out, k·k·C)
    filters = weights.reshape(n_filters, -1).T  # (k·k·C, K)
    with np.errstate(over="ignore", invalid="ignore"):
        out = matrix @ filters + bias  # (N·H_out·W_out, K)
    out = _finite_result(out, "the input, weights and bias")
    return out.reshape(windows.shape[:3] + (n_filters,)), matrix


def conv2d(x, weights, bias, stride=1, padding="same", return_cache=False):
    """Multi-channel cross-correlation with bias: (H, W, C_in) -> (H_out, W_out, K).

    ``out[i, j, f] = bias[f] + sum over u, v, c of x_pad[i*stride+u, j*stride+v, c] * weights[f, u, v, c]``.
    Also takes a batch (N, H, W, C_in). Zero padding, then :func:`conv2d_as_matmul`.
    """
    batch, single = _as_batch(x, "x")
    weights, bias = _check_filters(batch, weights, bias)
    k = weights.shape[1]
    p = padding_amount(k, padding)
    stride = check_whole_number(stride, "stride", 1)
    return_cache = _check_flag(return_cache, "return_cache")
    check_padded_size(batch.shape, ((0, 0), (p, p), (p, p), (0, 0)), "x")
    for axis, name in ((1, "rows"), (2, "columns")):
        if k > batch.shape[axis] + 2 * p:
            raise ValueError(f"filters of size {k} do not fit x of {batch.shape[axis]} {name} padded by {p}")
    n, h, w, c = batch.shape
    out_h, out_w = output_size(h, k, p, stride), output_size(w, k, p, stride)
    check_array_size((n, out_h, out_w, k, k, c), "x and weights make a window array")
    padded = np.pad(batch, ((0, 0), (p, p), (p, p), (0, 0))) if p else batch
    out, matrix = conv2d_as_matmul(padded, weights, bias, stride)
    if return_cache:
        return out, (padded.shape, p, stride, matrix, weights)
    return out[0] if single else out


def conv2d_backward(grad_out, cache):
    """Gradients (dx, dweights, dbias) of conv2d for a batch, from its cache."""
    padded_shape, p, stride, matrix, weights = _unpack_cache(cache, 5, "conv2d")
    grad_out = _check_gradient(grad_out, _conv2d_output_shape(padded_shape, weights, stride))
    grad_2d = grad_out.reshape(-1, grad_out.shape[-1])
    dweights = (grad_2d.T @ matrix).reshape(weights.shape)
    dbias = grad_2d.sum(axis=0)
    return _conv2d_dx(grad_out, padded_shape, p, stride, weights), dweights, dbias


def conv2d_input_gradient(grad_out, cache):
    """dx of conv2d for a batch, from its cache: :func:`conv2d_backward` without the weights' gradients."""
    padded_shape, p, stride, _, weights = _unpack_cache(cache, 5, "conv2d")
    grad_out = _check_gradient(grad_out, _conv2d_output_shape(padded_shape, weights, stride))
    return _conv2d_dx(grad_out, padded_shape, p, stride, weights)


def _conv2d_output_shape(padded_shape, weights, stride):
    k = weights.shape[1]
    return (padded_shape[0], *(output_size(n, k, 0, stride) for n in padded_shape[1:3]), len(weights))


def _conv2d_dx(grad_out, padded_shape, p, stride, weights):
    """Each output's gradient times the filter, added back onto the window it came from; padding cut off."""
    k = weights.shape[1]
    grad_2d = grad_out.reshape(-1, grad_out.shape[-1])
    dcolumns = (grad_2d @ weights.reshape(len(weights), -1)).reshape(grad_out.shape[:3] + weights.shape[1:])
    dpadded = np.zeros(padded_shape)
    out_h, out_w = grad_out.shape[1:3]
    for u, v, view in _tap_views(dpadded, k, stride, out_h, out_w):
        view += dcolumns[:, :, :, u, v, :]
    return dpadded[:, p : padded_shape[1] - p, p : padded_shape[2] - p, :] if p else dpadded


def _unpack_cache(cache, length, layer):
    if not isinstance(cache, tuple) or len(cache) != length:
        raise ValueError(f"cache must be what {layer}(..., return_cache=True) returned with its output")
    return cache


def _check_gradient(grad_out, shape):
    grad_out = finite_numbers(grad_out, "grad_out")
    if grad_out.shape != tuple(shape):
        raise ValueError(
            f"grad_out must have the shape of the layer's output {tuple(shape)}, got {grad_out.shape}"
        )
    return grad_out


def maxpool2d(x, size=2, stride=2, return_cache=False):
    """Maximum of every size×size window, moved by stride: (H, W, C) -> (H_out, W_out, C).

    H_out = (H - size) // stride + 1; rows or columns that do not fill a whole
    window at the bottom or right are dropped (a 5×5 map pools to 2×2).
    """
    batch, single = _as_batch(x, "x")
    size, stride, out_h, out_w = _pool_size(batch, size, stride)
    return_cache = _check_flag(return_cache, "return_cache")
    views = [view for _, _, view in _tap_views(batch, size, stride, out_h, out_w)]
    out = views[0].copy()
    # winner: the first tap (row-major) that holds the window's maximum, as np.argmax would pick it.
    winner = np.zeros(out.shape, dtype=np.intp) if return_cache else None
    for tap, view in enumerate(views[1:], start=1):
        if return_cache:
            np.copyto(winner, tap, where=view > out)
        np.maximum(out, view, out=out)
    if return_cache:
        return out, (batch.shape, size, stride, winner)
    return out[0] if single else out


def maxpool2d_backward(grad_out, cache):
    """Gradient of maxpool2d: each window's gradient goes to the position that won it."""
    shape, size, stride, winner = _unpack_cache(cache, 4, "maxpool2d")
    grad_out = _check_gradient(grad_out, winner.shape)
    dx = np.zeros(shape)
    out_h, out_w = grad_out.shape[1:3]
    for tap, (_, _, view) in enumerate(_tap_views(dx, size, stride, out_h, out_w)):
        if stride >= size:  # windows apart: each position gets at most one window's gradient
            view[...] = np.where(winner == tap, grad_out, 0.0)
        else:
            np.add(view, grad_out, out=view, where=winner == tap)
    return dx


def _pool_size(batch, size, stride):
    """(size, stride, H_out, W_out) of a pooling layer; a ValueError names size or stride if wrong."""
    size = check_whole_number(size, "size", 1)
    stride = check_whole_number(stride, "stride", 1)
    n, h, w, c = batch.shape
    if size > min(h, w):
        raise ValueError(f"a pooling window of size {size} does not fit x of {h} rows and {w} columns")
    out_h, out_w = output_size(h, size, 0, stride), output_size(w, size, 0, stride)
    check_array_size((n, out_h, out_w, size, size, c), "x and size make a window array")
    return size, stride, out_h, out_w


def avgpool2d(x, size=2, stride=2):
    """Mean of every size×size window, per channel, moved by stride: (H, W, C) -> (H_out, W_out, C).

    The output size and the dropped rows and columns are those of :func:`maxpool2d`.
    """
    batch, single = _as_batch(x, "x")
    size, stride, out_h, out_w = _pool_size(batch, size, stride)
    out = sum(view for _, _, view in _tap_views(batch, size, stride, out_h, out_w)) / size**2
    return out[0] if single else out


def global_avgpool(x):
    """Mean of each channel over all rows and columns: (H, W, C) -> (C,), (N, H, W, C) -> (N, C)."""
    batch, single = _as_batch(x, "x")
    out = batch.mean(axis=(1, 2))
    return out[0] if single else out
