"""Checks of attribution maps: the model-randomisation sanity check, deletion and insertion curves.

* The cascading model-randomisation test (Adebayo et al. 2018): re-initialise
  the layers from the top (dense, then conv2, then conv1) and compare each
  method's map with the trained network's by rank correlation. A map that
  stays the same when the weights it should explain are gone does not explain them.
* Deletion and insertion curves (Petsiuk et al. 2018): remove the pixels a map
  ranks highest, in steps, and watch the class's probability fall; or start
  from a black image and put them back, and watch it rise.

The maps are those of :data:`METHODS`, for the logit of the true class.
"""

import numpy as np

from convviz.attribution import (
    check_images,
    check_labels,
    check_params,
    input_gradients,
    network_logits,
    occlusion_maps,
)
from convviz.attribution_methods import (
    grad_cam_maps,
    gradients_times_inputs,
    integrated_gradient_maps,
    occlusion_pixel_scores,
    smoothgrads,
    upsample,
)
from convviz.convolution import check_whole_number
from convviz.tiny_cnn import PARAMETER_LAYERS, softmax


def _saliency(params, images, labels):
    return np.abs(input_gradients(params, images, labels))


def _smoothgrad(params, images, labels):
    return np.abs(smoothgrads(params, images, labels))


def _grad_cam(params, images, labels):
    return upsample(grad_cam_maps(params, images, labels))


def _occlusion(params, images, labels):
    return occlusion_pixel_scores(occlusion_maps(params, images, labels))


#: Each method's 28×28 pixel scores (larger: more important) of a batch of digits (N, 28, 28) for
#: their classes (N,), by the name the page uses.
METHODS = {
    "gradient": _saliency,
    "gradient × input": gradients_times_inputs,
    "SmoothGrad": _smoothgrad,
    "integrated gradients": integrated_gradient_maps,
    "Grad-CAM": _grad_cam,
    "occlusion": _occlusion,
}

#: The cascade of the sanity check: each stage's name and the layers it re-initialises, from the top.
CASCADE = (
    ("trained", ()),
    ("dense", ("dense",)),
    ("dense, conv2", ("dense", "conv2")),
    ("all layers", ("dense", "conv2", "conv1")),
)


def average_ranks(values):
    """Ranks 0 … n−1 of the values of a 1-D array, tied values sharing the mean of their ranks."""
    return _row_ranks(np.asarray(values, dtype=np.float64).reshape(1, -1))[0]


def _row_ranks(rows):
    """:func:`average_ranks` of each row of a 2-D array."""
    order = np.argsort(rows, axis=1, kind="stable")
    ordered = np.take_along_axis(rows, order, axis=1)
    places = np.arange(rows.shape[1])
    first = np.ones(rows.shape, dtype=bool)  # each run of equal values: where it starts and ends
    first[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    last = np.ones(rows.shape, dtype=bool)
    last[:, :-1] = first[:, 1:]
    starts = np.maximum.accumulate(np.where(first, places, 0), axis=1)
    ends = np.minimum.accumulate(np.where(last, places, rows.shape[1])[:, ::-1], axis=1)[:, ::-1]
    ranks = np.empty(rows.shape)
    np.put_along_axis(ranks, order, starts + (ends - starts) / 2, axis=1)
    return ranks


def rank_correlation(a, b):
    """Spearman's rank correlation of two maps of one shape (NaN if either is constant)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"b must have the shape of a {a.shape}, got {b.shape}")
    return float(rank_correlations(a[None], b[None])[0])


def rank_correlations(a, b):
    """:func:`rank_correlation` of a[n] and b[n] for each n: two batches of maps of one shape (N, …)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim < 2:
        raise ValueError(f"b must have the shape of a {a.shape} (a batch of maps), got {b.shape}")
    ra, rb = _row_ranks(a.reshape(len(a), -1)), _row_ranks(b.reshape(len(b), -1))
    ra, rb = ra - ra.mean(axis=1, keepdims=True), rb - rb.mean(axis=1, keepdims=True)
    scale = np.sqrt((ra**2).sum(axis=1) * (rb**2).sum(axis=1))
    found = np.full(len(a), np.nan)
    np.divide((ra * rb).sum(axis=1), scale, out=found, where=scale > 0)
    return found


def randomised(params, initial, layers):
    """A copy of params with the weights and biases of the named layers set back to initial's."""
    params, initial = check_params(params), check_params(initial, "initial")
    known = {layer: (w, b) for layer, w, b in PARAMETER_LAYERS}
    unknown = set(layers) - set(known)
    if unknown:
        raise ValueError(f"layers names unknown layers {sorted(unknown)}; known: {sorted(known)}")
    copy = {name: value.copy() for name, value in params.items()}
    for layer in layers:
        for name in known[layer]:
            copy[name] = initial[name].copy()
    return copy


def sanity_check(params, initial, images, labels, methods=METHODS, trained_maps=None):
    """Rank correlations of |map| between the trained network and each stage of :data:`CASCADE`.

    methods maps names to functions (params, images, labels) -> maps (N, 28, 28),
    as :data:`METHODS` does. Returns {method: array (stages, N)}, stage 0 (the
    trained network against itself) all 1, plus the key "unrelated": {method:
    array (N,)}, the rank correlation of the trained maps of digit n and digit
    n+1 (the last with the first), the level of two maps that share nothing but
    the method. trained_maps ({method: maps} for params) saves computing them again.
    """
    images = check_images(images)
    labels = check_labels(labels, len(images))
    stages = [randomised(params, initial, layers) for _, layers in CASCADE]
    out = {}
    unrelated = {}
    for name, method in methods.items():
        trained = _trained_maps(trained_maps, name, images.shape)
        if trained is None:
            trained = np.abs(method(stages[0], images, labels))
        maps = [trained] + [np.abs(method(p, images, labels)) for p in stages[1:]]
        out[name] = np.array([rank_correlations(stage, trained) for stage in maps])
        unrelated[name] = rank_correlations(trained, np.roll(trained, -1, axis=0))  # digit n with n + 1
    out["unrelated"] = unrelated
    return out


def _trained_maps(trained_maps, name, shape):
    """|trained_maps[name]| if given, checked to have the images' shape; None if not given."""
    if trained_maps is None:
        return None
    if name not in trained_maps:
        raise ValueError(f"trained_maps has no maps of {name!r}")
    maps = np.abs(np.asarray(trained_maps[name], dtype=np.float64))
    if maps.shape != shape:
        raise ValueError(f"trained_maps[{name!r}] must have the shape of images {shape}, got {maps.shape}")
    return maps


def pixel_order(scores):
    """Pixel indices of each map (N, 28, 28), highest score first; ties in pixel order."""
    flat = np.asarray(scores, dtype=np.float64).reshape(len(scores), -1)
    return np.argsort(-flat, axis=1, kind="stable")


#: The steps of the deletion and insertion curves: 784 / 28, so 28 pixels at each step.
CURVE_STEPS = 28


def deletion_insertion(params, images, labels, scores, steps=CURVE_STEPS):
    """(deletion, insertion) curves (N, steps + 1) of the true class's probability.

    Step k of deletion sets the k · 784 / steps pixels of highest score to 0 (the
    background); step k of insertion starts from a black image and puts those
    pixels back to their values. steps must divide 784.
    """
    params = check_params(params)
    images = check_images(images)
    labels = check_labels(labels, len(images))
    steps = check_whole_number(steps, "steps", 1)
    pixels = images[0].size
    if pixels % steps:
        raise ValueError(f"steps must divide {pixels}, got {steps}")
    per_step = pixels // steps
    scores = np.asarray(scores)
    if scores.shape != images.shape:
        raise ValueError(f"scores must have the shape of images {images.shape}, got {scores.shape}")
    # rank[n, p]: the place of pixel p in digit n's order; step k removes (puts back) rank < k · per_step.
    rank = np.empty((len(images), pixels), dtype=np.int64)
    np.put_along_axis(rank, pixel_order(scores), np.arange(pixels)[None], axis=1)
    chosen = rank[:, None, :] < (np.arange(steps + 1) * per_step)[None, :, None]  # (N, steps + 1, pixels)
    flat = images.reshape(len(images), 1, pixels)
    removed, inserted = np.where(chosen, 0.0, flat), np.where(chosen, flat, 0.0)
    both = np.concatenate([removed, inserted], axis=1).reshape(-1, *images.shape[1:])
    found = softmax(network_logits(params, both))[np.arange(len(both)), np.repeat(labels, 2 * (steps + 1))]
    found = found.reshape(len(images), 2, steps + 1)
    return found[:, 0], found[:, 1]


def area_under(curves):
    """The area under each curve (N, K + 1) over the fraction 0 … 1, by the trapezoid rule."""
    curves = np.asarray(curves, dtype=np.float64)
    return (curves[:, :-1] + curves[:, 1:]).sum(axis=1) / (2 * (curves.shape[1] - 1))
