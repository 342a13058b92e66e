"""Fooling the exercise 4 network: the smallest change, in the 8×8 blocks it really sees, to another digit.

The network's inputs are 8×8 block counts (0-16) enlarged bilinearly to 28×28
(:func:`convviz.drawing.enlarge`), so a change is made where the data can
change: in the blocks. :func:`fool_towards` adds a change of whole counts to
the blocks, enlarged and added to the image's 0-255 values and rounded as the
digits are, and grows it one count at a time in the direction of the sign of
the gradient (the iterative fast gradient sign method of Goodfellow et al.
2015 and Kurakin et al. 2017) of the target's score minus the best other
score, until the network answers the target. After k steps no block has
changed by more than k counts.
"""

import numpy as np

from convviz.attribution import check_label, check_params, logit_gradients, network_logits
from convviz.convolution import check_whole_number
from convviz.drawing import GRAY_PER_COUNT, GRID, SMALL, interpolation_taps, round_to_uint8
from convviz.tiny_cnn import softmax


def enlarged_change(delta):
    """A change of the 8×8 block counts as the change of the 28×28 gray values (0-255 units, not rounded).

    The operations of :func:`convviz.drawing.enlarge` in the same order: rows
    first, then columns. delta may also be a batch (N, 8, 8): then (N, 28, 28).
    """
    delta = np.asarray(delta, dtype=np.float64)
    gray = delta.reshape(*delta.shape[:-2], SMALL, SMALL) if delta.ndim > 2 else delta.reshape(SMALL, SMALL)
    gray = gray * GRAY_PER_COUNT
    lower, upper, weight = interpolation_taps()
    across = gray[..., lower] * (1.0 - weight) + gray[..., upper] * weight
    return across[..., lower, :] * (1.0 - weight)[:, None] + across[..., upper, :] * weight[:, None]


def interpolation_matrix():
    """(28, 8): row i holds the weights of the 8 block values in enlarged position i."""
    lower, upper, weight = interpolation_taps()
    matrix = np.zeros((GRID, SMALL))
    matrix[np.arange(GRID), lower] += 1.0 - weight
    matrix[np.arange(GRID), upper] += weight
    return matrix


def changed_image(image, delta):
    """The uint8 28×28 image with the block change delta (8×8 counts) added, rounded as the digits are."""
    return round_to_uint8(np.asarray(image, dtype=np.float64) + enlarged_change(delta))


def block_gradient(gradient):
    """d f / d block count from d f / d pixel (pixels 0-1): Aᵀ · gradient · A · gray per count / 255.

    gradient may also be a batch (N, 28, 28): then (N, 8, 8)."""
    matrix = interpolation_matrix()
    return matrix.T @ np.asarray(gradient, dtype=np.float64) @ matrix * (GRAY_PER_COUNT / 255.0)


def check_uint8_image(image):
    """image as a (28, 28) array of whole numbers 0-255, or ValueError naming it."""
    array = np.asarray(image)
    if array.dtype.kind not in "iu" or array.shape != (GRID, GRID) or array.min() < 0 or array.max() > 255:
        raise ValueError(f"image must be 28×28 whole numbers from 0 to 255, got {array.dtype} {array.shape}")
    return array.astype(np.int64)


def fool_towards(params, image, target, max_steps=16):
    """Grow a change of the blocks one count per step until the network reads target.

    Each step adds the sign of d (score[target] − the best other score) / d
    block to every block (0 where that derivative is 0), clipped to ±16. Returns
    {"reached": bool, "steps": steps taken, "delta": 8×8 ints, "image": the
    changed uint8 28×28 image, "probabilities": the network's 10 on it}. With
    the target already the answer, no step is taken.
    """
    params = check_params(params)
    image = check_uint8_image(image)
    target = check_label(target, "target")
    max_steps = check_whole_number(max_steps, "max_steps", 0)
    found = {
        key: value[0] for key, value in _fool_all(params, image[None], np.array([target]), max_steps).items()
    }
    return {**found, "reached": bool(found["reached"]), "steps": int(found["steps"])}


def fool_all(params, images, targets, max_steps=16):
    """:func:`fool_towards` for each of images (N, 28, 28, uint8 values) and its target, all stepped
    together (each stops when the network reads its target). Returns the same keys, each an array
    over the N pairs."""
    params = check_params(params)
    images = np.asarray(images)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"images must be a non-empty batch (N, 28, 28), got shape {images.shape}")
    images = np.stack([check_uint8_image(image) for image in images])
    targets = np.asarray(targets)
    if targets.shape != (len(images),):
        raise ValueError(f"targets must hold one class per image ({len(images)}), got shape {targets.shape}")
    targets = np.array([check_label(target, "targets") for target in targets.tolist()])
    return _fool_all(params, images, targets, check_whole_number(max_steps, "max_steps", 0))


def _fool_all(params, images, targets, max_steps):
    count = len(images)
    delta = np.zeros((count, SMALL, SMALL), dtype=np.int64)
    steps = np.zeros(count, dtype=np.int64)
    changed = np.empty((count, GRID, GRID), dtype=np.uint8)
    logits = np.empty((count, 10))
    active = np.arange(count)
    while True:
        changed[active] = round_to_uint8(images[active] + enlarged_change(delta[active]))
        x = changed[active] / 255.0
        logits[active] = network_logits(params, x)
        going = (logits[active].argmax(axis=1) != targets[active]) & (steps[active] < max_steps)
        active, x = active[going], x[going]
        if len(active) == 0:
            break
        others = logits[active].copy()
        others[np.arange(len(active)), targets[active]] = -np.inf
        gradient = logit_gradients(params, x, targets[active], rivals=others.argmax(axis=1))
        step = np.sign(block_gradient(gradient)).astype(np.int64)
        delta[active] = np.clip(delta[active] + step, -16, 16)
        steps[active] += 1
    return {
        "reached": logits.argmax(axis=1) == targets,
        "steps": steps,
        "delta": delta,
        "image": changed,
        "probabilities": softmax(logits),
    }
