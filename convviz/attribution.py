"""Which input pixels a class score depends on: gradient saliency, occlusion, a deletion check.

The further methods (gradient × input, SmoothGrad, integrated gradients,
Grad-CAM) are in :mod:`convviz.attribution_methods`, the sanity check and the
deletion and insertion curves in :mod:`convviz.attribution_checks`.

All functions work on the exercise 4 network (``convviz.tiny_cnn``) and on
network inputs: float64 images of 28×28 with values in [0, 1]. Gradients come
from the backward passes in ``convviz.layers`` (a max-pooling window sends its
gradient to the first position that holds the maximum, in row-major order; ReLU
passes gradient where its input is > 0).
"""

import numpy as np

from convviz.convolution import check_whole_number
from convviz.layers import conv2d_backward, maxpool2d_backward
from convviz.tiny_cnn import IMAGE_SIZE, forward, init_parameters, softmax

CLASSES = 10
#: The shape of each of the network's arrays, as tiny_cnn creates them.
PARAMETER_SHAPES = {name: value.shape for name, value in init_parameters().items()}


def check_image(image, name="image"):
    """A (28, 28) float64 copy of image with values in [0, 1], or ValueError naming the argument."""
    array = check_numbers(image, name, finite=False)
    if array.shape != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(f"{name} must have shape (28, 28), got {array.shape}")
    return _in_unit_range(array, name)


def check_images(images, name="images"):
    """A float64 copy of a non-empty batch (N, 28, 28) with values in [0, 1], or ValueError naming it."""
    array = check_numbers(images, name, finite=False)
    if array.ndim != 3 or array.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(f"{name} must have shape (N, 28, 28), got {array.shape}")
    if len(array) == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    return _in_unit_range(array, name)


def _in_unit_range(array, name):
    if not np.all(np.isfinite(array)) or array.min() < 0 or array.max() > 1:
        raise ValueError(f"{name} must hold finite values in [0, 1]")
    return array


def check_numbers(values, name, finite=True):
    """A float64 copy of values, or ValueError naming the argument if they are not (finite) numbers."""
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, got dtype {array.dtype}")
    array = array.astype(np.float64)
    if finite and not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return array


def check_real(value, name):
    """value as a finite float (a Python or NumPy real number, not a bool), or ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def check_fraction(value, name, zero_allowed=False):
    """value as a float in (0, 1] (or [0, 1]), or ValueError naming the argument."""
    interval = "[0, 1]" if zero_allowed else "(0, 1]"
    try:
        value = check_real(value, name)
    except ValueError:
        raise ValueError(f"{name} must be a number in {interval}, got {value!r}") from None
    if not (0 <= value if zero_allowed else 0 < value) or value > 1:
        raise ValueError(f"{name} must be a number in {interval}, got {value!r}")
    return value


def check_label(label, name="label"):
    """label as an int class 0-9, or ValueError naming the argument."""
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not 0 <= label < CLASSES:
        raise ValueError(f"{name} must be a whole number from 0 to 9, got {label!r}")
    return int(label)


def check_labels(labels, count, name="labels"):
    """labels as an int array of count classes 0-9 (one per image), or ValueError naming the argument."""
    array = np.asarray(labels)
    if array.dtype.kind not in "iu" or array.shape != (count,):
        raise ValueError(f"{name} must be {count} whole numbers from 0 to 9, one per image, got {labels!r}")
    if count and not (array.min() >= 0 and array.max() < CLASSES):
        raise ValueError(f"{name} must be whole numbers from 0 to 9, got {labels!r}")
    return array.astype(np.int64)


def check_params(params, name="params"):
    """The network's six arrays as finite float64 of PARAMETER_SHAPES, or ValueError naming the argument."""
    if not hasattr(params, "keys"):
        raise ValueError(f"{name} must map W1, b1, W2, b2, W3, b3 to arrays, got {type(params).__name__}")
    checked = {}
    for key, shape in PARAMETER_SHAPES.items():
        if key not in params:
            raise ValueError(f"{name} has no {key}")
        value = np.asarray(params[key])
        if value.dtype.kind not in "biuf" or value.shape != shape:
            raise ValueError(f"{name}[{key!r}] must be numbers of shape {shape}, got {value.shape}")
        checked[key] = value.astype(np.float64, copy=False)
        if not np.isfinite(checked[key]).all():
            raise ValueError(f"{name}[{key!r}] contains NaN or infinity")
    return checked


def input_gradients(params, images, labels):
    """d logits[n, labels[n]] / d images[n] for a batch: images (N, 28, 28), returns (N, 28, 28)."""
    params = check_params(params)
    x = check_images(images)[..., None]
    labels = check_labels(labels, len(x))
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
    return softmax(forward(check_params(params), check_images(images)[..., None]))


def occlusion_corners(size=6, stride=2):
    """The top-left rows (and columns) of the occluding patch: range(0, 28 - size + 1, stride)."""
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 1 <= size <= IMAGE_SIZE:
        raise ValueError(f"size must be a whole number from 1 to 28, got {size!r}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a whole number of at least 1, got {stride!r}")
    return np.arange(0, IMAGE_SIZE - size + 1, stride)


#: What an occlusion map measures the drop of: the class's logit, its log-probability, its probability.
MEASURES = ("logit", "log_probability", "probability")


def class_measure(params, images, label, measure="logit"):
    """The logit, log-probability or probability of class label for each of images (N, 28, 28)."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, got {measure!r}")
    logits = forward(check_params(params), check_images(images)[..., None])
    if measure == "logit":
        return logits[:, label]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    chosen = log_probabilities[:, label]
    return chosen if measure == "log_probability" else np.exp(chosen)


def occlusion_map(params, image, label, size=6, stride=2, value=0.0, measure="logit"):
    """Drop in the logit (or log-probability, probability) of label when a size×size patch of value covers it.

    Entry [a, b] is m(image) minus m(image with image[i:i+size, j:j+size] =
    value) for i, j = corners[a], corners[b], where corners = range(0, 28 - size
    + 1, stride): 12×12 with the defaults. The default value 0 is the digits'
    background, so the patch removes ink and adds none; the default measure is
    the logit, which a saturated softmax does not flatten.
    """
    image = check_image(image)
    label = check_label(label)
    corners = occlusion_corners(size, stride)
    value = check_fraction(value, "value", zero_allowed=True)
    occluded = np.repeat(image[None], len(corners) ** 2, axis=0)
    for n, (i, j) in enumerate((i, j) for i in corners for j in corners):
        occluded[n, i : i + size, j : j + size] = value
    original = class_measure(params, image[None], label, measure)[0]
    covered = class_measure(params, occluded, label, measure)
    return (original - covered).reshape(len(corners), len(corners))


def mask_pixels(images, scores, fraction, value=0.0):
    """Copies of images (N, 28, 28) with the fraction of pixels of highest score (N, 28, 28) set to value.

    Ties are broken by pixel order (a stable sort), so the result is reproducible.
    """
    images = check_numbers(images, "images")
    if images.ndim < 2 or images.size == 0:
        raise ValueError(f"images must be a non-empty batch (N, rows, columns), got shape {images.shape}")
    scores = check_numbers(scores, "scores")
    if scores.shape != images.shape:
        raise ValueError(f"scores must have the shape of images {images.shape}, got {scores.shape}")
    fraction = check_fraction(fraction, "fraction")
    value = check_real(value, "value")
    count = round(fraction * images[0].size)
    if count == 0:
        raise ValueError(f"fraction {fraction!r} of {images[0].size} pixels masks none")
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
    params = check_params(params)
    images = check_images(images)
    labels = check_labels(labels, len(images))
    fraction = check_fraction(fraction, "fraction")
    repeats = check_whole_number(repeats, "repeats", 1)
    seed = check_whole_number(seed, "seed", 0)
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
