"""Carrying arrays between this course's channels-last layout and PyTorch's channels-first one.

Here images are (N, H, W, C) and filters (K, k, k, C_in); PyTorch's ``conv2d``
takes images (N, C, H, W) and weights (K, C_in, k, k). The dense layer of the
tiny CNN reads pool2 flattened in (row, column, channel) order; PyTorch's
``flatten`` of a (N, C, H, W) tensor reads (channel, row, column), so the
columns of W3 have to be put in that order too.
"""

import numpy as np


def _check_ndim(array, ndim, what, layout):
    array = np.asarray(array)
    if array.ndim != ndim:
        raise ValueError(f"{what} must be {layout}, got shape {array.shape}")
    return array


def images_to_channels_first(images):
    """(N, H, W, C) -> (N, C, H, W)."""
    return _check_ndim(images, 4, "images", "(N, H, W, C)").transpose(0, 3, 1, 2)


def images_to_channels_last(images):
    """(N, C, H, W) -> (N, H, W, C)."""
    return _check_ndim(images, 4, "images", "(N, C, H, W)").transpose(0, 2, 3, 1)


def filters_to_channels_first(weights):
    """(K, k, k, C_in) -> (K, C_in, k, k), the layout of torch.nn.functional.conv2d."""
    return _check_ndim(weights, 4, "weights", "(K, k, k, C_in)").transpose(0, 3, 1, 2)


def filters_to_channels_last(weights):
    """(K, C_in, k, k) -> (K, k, k, C_in)."""
    return _check_ndim(weights, 4, "weights", "(K, C_in, k, k)").transpose(0, 2, 3, 1)


def dense_to_channels_first(weights, map_shape):
    """Dense weights (outputs, H·W·C) read in (row, col, channel) order -> read in (channel, row, col) order.

    map_shape is the (H, W, C) of the map that was flattened, (7, 7, 8) for the tiny CNN's pool2.
    """
    weights = _check_ndim(weights, 2, "weights", "(outputs, H·W·C)")
    h, w, c = map_shape
    if weights.shape[1] != h * w * c:
        raise ValueError(f"weights have {weights.shape[1]} columns, map_shape {map_shape} holds {h * w * c}")
    return weights.reshape(-1, h, w, c).transpose(0, 3, 1, 2).reshape(len(weights), -1)


def dense_to_channels_last(weights, map_shape):
    """The inverse of :func:`dense_to_channels_first`: (channel, row, col) columns -> (row, col, channel)."""
    weights = _check_ndim(weights, 2, "weights", "(outputs, C·H·W)")
    h, w, c = map_shape
    if weights.shape[1] != h * w * c:
        raise ValueError(f"weights have {weights.shape[1]} columns, map_shape {map_shape} holds {h * w * c}")
    return weights.reshape(-1, c, h, w).transpose(0, 2, 3, 1).reshape(len(weights), -1)


def tiny_cnn_to_channels_first(params, pool2_shape=(7, 7, 8)):
    """The tiny CNN's parameters in PyTorch's layout: filters (K, C_in, k, k), W3 read (channel, row, col)."""
    return {
        "W1": filters_to_channels_first(params["W1"]),
        "b1": params["b1"],
        "W2": filters_to_channels_first(params["W2"]),
        "b2": params["b2"],
        "W3": dense_to_channels_first(params["W3"], pool2_shape),
        "b3": params["b3"],
    }
