"""What makes a unit of the exercise 4 network respond most: real digits, and optimized inputs.

* :func:`top_activating` finds, for every second-layer filter, the held-out
  digits with the largest response anywhere in its feature map, and
  :func:`receptive_field` the input pixels that response can depend on
  (Zeiler & Fergus 2014).
* :func:`class_models` builds inputs by gradient ascent on a class score,
  with the regularization given by its arguments (Simonyan et al. 2014).
"""

import numpy as np
from scipy import ndimage

from convviz.attribution import CLASSES, input_gradients, probabilities
from convviz.tiny_cnn import IMAGE_SIZE, forward_layers


def receptive_field(row, col):
    """(top, bottom, left, right), bottom and right exclusive: the input pixels of conv2 unit (row, col).

    conv2 unit (i, j) sees pool1 rows i−1…i+1, which come from conv1 rows
    2i−2…2i+3, which see input rows 2i−3…2i+4: 8×8 pixels, cut at the border.
    """
    for name, value in (("row", row), ("col", col)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < 14:
            raise ValueError(f"{name} must be a whole number from 0 to 13, got {value!r}")

    def span(i):
        return max(2 * i - 3, 0), min(2 * i + 5, IMAGE_SIZE)

    (top, bottom), (left, right) = span(row), span(col)
    return top, bottom, left, right


def top_activating(activations, count=9):
    """The count inputs whose largest response is highest, per channel, from (N, H, W, C) activations.

    Returns (indices, rows, cols, values), each (C, count): for channel c the
    inputs in decreasing order of their maximum over positions, where that
    maximum is (first in row-major order) and its value. Ties go to the lower index.
    """
    activations = np.asarray(activations, dtype=np.float64)
    if activations.ndim != 4 or not 1 <= count <= len(activations):
        raise ValueError(f"activations must be (N, H, W, C) with N >= count, got shape {activations.shape}")
    n, h, w, c = activations.shape
    flat = activations.transpose(3, 0, 1, 2).reshape(c, n, h * w)
    where = flat.argmax(axis=2)
    best = np.take_along_axis(flat, where[..., None], axis=2)[..., 0]
    indices = np.argsort(-best, axis=1, kind="stable")[:, :count]
    chosen_where = np.take_along_axis(where, indices, axis=1)
    values = np.take_along_axis(best, indices, axis=1)
    return indices, chosen_where // w, chosen_where % w, values


def second_layer_top9(params, images):
    """top_activating of the second convolution (after ReLU) for network inputs (N, 28, 28)."""
    layers = forward_layers(params, np.asarray(images, dtype=np.float64)[..., None])
    return top_activating(layers["conv2"], 9)


def class_models(params, steps=200, rate=0.1, l2=0.0, blur_sigma=0.0, blur_every=4):
    """One input per class, grown by gradient ascent on its logit; returns (10, 28, 28) in [0, 1].

    Starting from a black image, every step adds rate × the gradient of
    logits[c] − l2 · ‖x‖², then keeps pixels in [0, 1]; with blur_sigma > 0
    every blur_every-th step also blurs the image with a Gaussian of that
    width in pixels (a penalty on fine, high-frequency patterns).
    """
    for name, value in (("steps", steps), ("blur_every", blur_every)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    for name, value in (("rate", rate), ("l2", l2), ("blur_sigma", blur_sigma)):
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    labels = np.arange(CLASSES)
    images = np.zeros((CLASSES, IMAGE_SIZE, IMAGE_SIZE))
    for step in range(1, steps + 1):
        ascent = input_gradients(params, images, labels) - 2 * l2 * images
        images = np.clip(images + rate * ascent, 0.0, 1.0)
        if blur_sigma > 0 and step % blur_every == 0:
            images = ndimage.gaussian_filter(images, sigma=(0, blur_sigma, blur_sigma))
    return images


def class_scores(params, images):
    """(logit of its own class, probability of its own class) for each of 10 class-model images."""
    layers = forward_layers(params, np.asarray(images, dtype=np.float64)[..., None])
    own = np.arange(CLASSES)
    return layers["logits"][own, own], probabilities(params, images)[own, own]
