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
from convviz.tiny_cnn import IMAGE_SIZE, check_params, forward_pass, input_gradient_pass, softmax

CLASSES = 10


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


#: Images run through the network at once: small enough for the arrays of a pass to stay in the
#: processor's cache, which makes 64 images at a time several times faster than thousands.
CHUNK = 64


def _within_range(values):
    """values, or ValueError if the network's values left the float64 range (finite weights and inputs
    can still overflow; the checked layers of convviz.layers said so, and so must these passes)."""
    if not np.isfinite(values).all():
        raise ValueError("params: the network's values exceed the float64 range (about 1.8e308)")
    return values


def network_logits(params, x):
    """Logits (N, 10) of any batch x (N, 28, 28), CHUNK images at a time; no checks (internal use)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        logits = [
            forward_pass(params, x[start : start + CHUNK, :, :, None])[0] for start in range(0, len(x), CHUNK)
        ]
    return _within_range(np.concatenate(logits))


def logit_gradients(params, x, labels, rivals=None):
    """d logits[n, labels[n]] / d x[n] for any finite batch x (N, 28, 28), no checks (noisy inputs too).

    With rivals (N,), the gradient of logits[n, labels[n]] − logits[n, rivals[n]]: one backward pass
    (it is linear in the logits' gradient). CHUNK images at a time.
    """
    out = np.empty(x.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, len(x), CHUNK):
            part = slice(start, start + CHUNK)
            _, kept = forward_pass(params, x[part, :, :, None])
            seed = params["W3"][labels[part]]
            if rivals is not None:
                seed = seed - params["W3"][rivals[part]]
            out[part] = input_gradient_pass(params, kept, seed)
    return _within_range(out)


def input_gradients(params, images, labels):
    """d logits[n, labels[n]] / d images[n] for a batch: images (N, 28, 28), returns (N, 28, 28)."""
    params = check_params(params)
    images = check_images(images)
    return logit_gradients(params, images, check_labels(labels, len(images)))


def input_gradient(params, image, label):
    """d logits[label] / d image for one (28, 28) input in [0, 1]; saliency is its absolute value."""
    image = check_image(image)
    label = check_label(label)
    return input_gradients(params, image[None], [label])[0]


def probabilities(params, images):
    """Class probabilities (N, 10) for network inputs (N, 28, 28)."""
    return softmax(network_logits(check_params(params), check_images(images)))


def occlusion_corners(size=6, stride=2):
    """The top-left rows (and columns) of the occluding patch: range(0, 28 - size + 1, stride)."""
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 1 <= size <= IMAGE_SIZE:
        raise ValueError(f"size must be a whole number from 1 to 28, got {size!r}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a whole number of at least 1, got {stride!r}")
    return np.arange(0, IMAGE_SIZE - size + 1, stride)


#: What an occlusion map measures the drop of: the class's logit, its log-probability, its probability.
MEASURES = ("logit", "log_probability", "probability")


def _check_measure(measure):
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, got {measure!r}")
    return measure


def _measured(logits, labels, measure):
    """The measure of class labels[n] (or of one class for all) from logits (N, 10)."""
    rows = np.arange(len(logits))
    if measure == "logit":
        return logits[rows, labels]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    chosen = log_probabilities[rows, labels]
    return chosen if measure == "log_probability" else np.exp(chosen)


def class_measure(params, images, label, measure="logit"):
    """The logit, log-probability or probability of class label for each of images (N, 28, 28)."""
    _check_measure(measure)
    return _measured(network_logits(check_params(params), check_images(images)), label, measure)


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
    return occlusion_maps(params, image[None], [label], size, stride, value, measure)[0]


#: About how many images the occlusion of several digits runs through the network per group of digits.
OCCLUSION_GROUP = 1024


def occlusion_maps(params, images, labels, size=6, stride=2, value=0.0, measure="logit"):
    """:func:`occlusion_map` of each of images (N, 28, 28) for its class in labels: (N, a, a).

    The occluded copies of a group of digits go through the network together.
    """
    images = check_images(images)
    labels = check_labels(labels, len(images))
    corners = occlusion_corners(size, stride)
    value = check_fraction(value, "value", zero_allowed=True)
    _check_measure(measure)
    params = check_params(params)
    patches = [(i, j) for i in corners for j in corners]
    group = max(1, OCCLUSION_GROUP // (len(patches) + 1))
    maps = np.empty((len(images), len(patches)))
    for start in range(0, len(images), group):
        part = images[start : start + group]
        occluded = np.repeat(part[:, None], len(patches) + 1, axis=1)  # copy 0 stays uncovered
        for n, (i, j) in enumerate(patches, start=1):
            occluded[:, n, i : i + size, j : j + size] = value
        logits = network_logits(params, occluded.reshape(-1, IMAGE_SIZE, IMAGE_SIZE))
        found = _measured(logits, np.repeat(labels[start : start + group], len(patches) + 1), measure)
        found = found.reshape(len(part), len(patches) + 1)
        maps[start : start + group] = found[:, :1] - found[:, 1:]
    return maps.reshape(len(images), len(corners), len(corners))


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


#: The fraction of the pixels the deletion check masks.
DELETION_FRACTION = 0.1
#: An occlusion drop the probability hides: the score falls by more than HIDDEN_SCORE_DROP while
#: the probability falls by less than HIDDEN_PROBABILITY_DROP (the softmax is saturated).
HIDDEN_SCORE_DROP = 1.0
HIDDEN_PROBABILITY_DROP = 0.01


def hidden_by_softmax(score_drops, probability_drops):
    """Where covering lowers the score by more than HIDDEN_SCORE_DROP but the probability by less than
    HIDDEN_PROBABILITY_DROP: drops a map of the probability would leave blank."""
    lowered = np.asarray(score_drops) > HIDDEN_SCORE_DROP
    return lowered & (np.asarray(probability_drops) < HIDDEN_PROBABILITY_DROP)


def deletion_check(params, images, labels, fraction=DELETION_FRACTION, repeats=2, seed=0):
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
