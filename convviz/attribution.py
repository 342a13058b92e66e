"""Which input pixels a class score depends on: gradient saliency, occlusion, a deletion check.

All functions work on the exercise 4 network (``convviz.tiny_cnn``) and on
network inputs: float64 images of 28×28 with values in [0, 1]. Gradients come
from the backward passes in ``convviz.layers`` (a max-pooling window sends its
gradient to the first position that holds the maximum, in row-major order; ReLU
passes gradient where its input is > 0).
"""

import numpy as np

from convviz.layers import conv2d_backward, maxpool2d_backward
from convviz.tiny_cnn import IMAGE_SIZE, forward, softmax

CLASSES = 10


def check_image(image, name="image"):
    """A (28, 28) float64 copy of image, or ValueError naming the argument."""
    array = np.asarray(image)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, got dtype {array.dtype}")
    if array.shape != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(f"{name} must have shape (28, 28), got {array.shape}")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)) or array.min() < 0 or array.max() > 1:
        raise ValueError(f"{name} must hold finite values in [0, 1]")
    return array


def check_label(label, name="label"):
    """label as an int class 0-9, or ValueError naming the argument."""
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not 0 <= label < CLASSES:
        raise ValueError(f"{name} must be a whole number from 0 to 9, got {label!r}")
    return int(label)


def input_gradients(params, images, labels):
    """d logits[n, labels[n]] / d images[n] for a batch: images (N, 28, 28), returns (N, 28, 28)."""
    x = np.asarray(images, dtype=np.float64)[..., None]
    labels = np.asarray(labels)
    logits, (c1, z1, m1, c2, z2, m2, p2_shape, _) = forward(params, x, keep=True)
    dlogits = np.zeros_like(logits)
    dlogits[np.arange(len(x)), labels] = 1.0
    dp2 = (dlogits @ params["W3"]).reshape(p2_shape)
    da2 = maxpool2d_backward(dp2, m2) * (z2 > 0)
    dp1, _, _ = conv2d_backward(da2, c2)
    da1 = maxpool2d_backward(dp1, m1) * (z1 > 0)
    dx, _, _ = conv2d_backward(da1, c1)
    return dx[..., 0]


def input_gradient(params, image, label):
    """d logits[label] / d image for one (28, 28) input in [0, 1]; saliency is its absolute value."""
    image = check_image(image)
    label = check_label(label)
    return input_gradients(params, image[None], [label])[0]


def probabilities(params, images):
    """Class probabilities (N, 10) for network inputs (N, 28, 28)."""
    return softmax(forward(params, np.asarray(images, dtype=np.float64)[..., None]))


def occlusion_corners(size=6, stride=2):
    """The top-left rows (and columns) of the occluding patch: range(0, 28 - size + 1, stride)."""
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 1 <= size <= IMAGE_SIZE:
        raise ValueError(f"size must be a whole number from 1 to 28, got {size!r}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a whole number of at least 1, got {stride!r}")
    return np.arange(0, IMAGE_SIZE - size + 1, stride)


def occlusion_map(params, image, label, size=6, stride=2, value=0.5):
    """Drop in the probability of label when a size×size patch of value covers the image.

    Entry [a, b] is p(label | image) minus p(label | image with
    image[i:i+size, j:j+size] = value) for i, j = corners[a], corners[b], where
    corners = range(0, 28 - size + 1, stride): 12×12 with the defaults.
    """
    image = check_image(image)
    label = check_label(label)
    corners = occlusion_corners(size, stride)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not 0 <= value <= 1:
        raise ValueError(f"value must be a number in [0, 1], got {value!r}")
    occluded = np.repeat(image[None], len(corners) ** 2, axis=0)
    for n, (i, j) in enumerate((i, j) for i in corners for j in corners):
        occluded[n, i : i + size, j : j + size] = value
    original = probabilities(params, image[None])[0, label]
    covered = probabilities(params, occluded)[:, label]
    return (original - covered).reshape(len(corners), len(corners))


def mask_pixels(images, scores, fraction, value=0.0):
    """Copies of images (N, 28, 28) with the fraction of pixels of highest score (N, 28, 28) set to value.

    Ties are broken by pixel order (a stable sort), so the result is reproducible.
    """
    images = np.asarray(images, dtype=np.float64)
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != images.shape:
        raise ValueError(f"scores must have the shape of images {images.shape}, got {scores.shape}")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    count = round(fraction * images[0].size)
    flat_scores = scores.reshape(len(images), -1)
    chosen = np.argsort(-flat_scores, axis=1, kind="stable")[:, :count]
    masked = images.reshape(len(images), -1).copy()
    np.put_along_axis(masked, chosen, value, axis=1)
    return masked.reshape(images.shape)


def deletion_check(params, images, labels, fraction=0.1, repeats=2, seed=0):
    """Mean drop of the true class's probability when masking (set to 0, the background) pixels.

    Returns a dict of mean drops for three choices of the masked pixels: the
    most salient ("salient", largest |gradient| of the true class's logit),
    pixels chosen at random ("random") and pixels chosen at random among those
    of the digit's strokes, value > 0 ("random_ink"); the random ones averaged
    over repeats draws with a fixed seed.
    """
    images = np.asarray(images, dtype=np.float64)
    labels = np.asarray(labels)
    rows = np.arange(len(images))
    original = probabilities(params, images)[rows, labels]

    def drop(scores):
        masked = mask_pixels(images, scores, fraction)
        return float(np.mean(original - probabilities(params, masked)[rows, labels]))

    saliency = np.abs(input_gradients(params, images, labels))
    rng = np.random.default_rng(seed)
    random_drops, ink_drops = [], []
    for _ in range(repeats):
        noise = rng.random(images.shape)
        random_drops.append(drop(noise))
        ink_drops.append(drop(noise + (images > 0)))
    return {
        "salient": drop(saliency),
        "random": float(np.mean(random_drops)),
        "random_ink": float(np.mean(ink_drops)),
    }
