"""Which input pixels a unit of a layer can see: the receptive field, layer by layer.

The standard recurrence, one axis, for a layer with kernel k, stride s and
padding p on top of a layer whose units see ``size`` pixels, ``jump`` pixels
apart, the first unit's field starting at input pixel ``first``::

    size  <- size + (k - 1) · jump
    first <- first - p · jump
    jump  <- jump · s

A unit i of the layer then sees input pixels ``first + i·jump`` to
``first + i·jump + size - 1`` (negative ones and those past the edge lie in the padding).
:func:`changed_units` is the experiment that checks it: change one pixel and see which units move.
"""

import numpy as np

from convviz.tiny_cnn import IMAGE_SIZE, forward_layers

#: The exercise 4 network, as (name, kernel, stride, padding) per layer; the dense layer reads all
#: of pool2's 7×7 map, like a 7×7 filter without padding.
TINY_CNN_LAYERS = (
    ("conv1", 3, 1, 1),
    ("pool1", 2, 2, 0),
    ("conv2", 3, 1, 1),
    ("pool2", 2, 2, 0),
    ("dense", 7, 1, 0),
)


def receptive_fields(layers=TINY_CNN_LAYERS):
    """{name: (size, jump, first)} after every layer, in order, from the recurrence above."""
    size, jump, first = 1, 1, 0
    fields = {}
    for name, kernel, stride, padding in layers:
        for value, what, minimum in ((kernel, "kernel", 1), (stride, "stride", 1), (padding, "padding", 0)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
                raise ValueError(f"{what} of layer {name!r} must be a whole number >= {minimum}: {value!r}")
        size, first, jump = size + (kernel - 1) * jump, first - padding * jump, jump * stride
        fields[name] = (size, jump, first)
    return fields


def input_box(field, row, col, image_size=IMAGE_SIZE):
    """(top, bottom, left, right) of unit (row, col)'s field inside the image; bottom and right exclusive."""
    size, jump, first = field

    def span(i):
        start = first + i * jump
        return max(start, 0), min(start + size, image_size)

    (top, bottom), (left, right) = span(row), span(col)
    return top, bottom, left, right


def changed_units(params, image, row, col, delta=1.0):
    """{layer: (H, W) bool}: the units (any channel) whose value changes when input pixel (row, col) of
    image (28, 28, 1) is raised by delta, for conv1, pool1, conv2 and pool2 of the exercise 4 network."""
    image = np.asarray(image, dtype=np.float64)
    if image.shape != (IMAGE_SIZE, IMAGE_SIZE, 1):
        raise ValueError(f"image must be ({IMAGE_SIZE}, {IMAGE_SIZE}, 1), got shape {image.shape}")
    changed = image.copy()
    changed[row, col, 0] += delta
    before, after = (forward_layers(params, x[None]) for x in (image, changed))
    return {
        name: np.abs(after[name][0] - before[name][0]).max(axis=-1) > 0
        for name in ("conv1", "pool1", "conv2", "pool2")
    }


def pixels_reaching(params, image, layer, row, col, delta=1.0):
    """(28, 28) bool: the input pixels whose rise by delta changes unit (row, col) of layer (any channel).

    Every pixel is changed in its own copy of image (28, 28, 1), all copies in one batch.
    """
    image = np.asarray(image, dtype=np.float64)
    if image.shape != (IMAGE_SIZE, IMAGE_SIZE, 1):
        raise ValueError(f"image must be ({IMAGE_SIZE}, {IMAGE_SIZE}, 1), got shape {image.shape}")
    if layer not in ("conv1", "pool1", "conv2", "pool2"):
        raise ValueError(f"layer must be conv1, pool1, conv2 or pool2, got {layer!r}")
    copies = np.repeat(image[None], IMAGE_SIZE * IMAGE_SIZE, axis=0)
    pixels = np.arange(IMAGE_SIZE * IMAGE_SIZE)
    copies[pixels, pixels // IMAGE_SIZE, pixels % IMAGE_SIZE, 0] += delta
    before = forward_layers(params, image[None])[layer][0, row, col]
    after = forward_layers(params, copies)[layer][:, row, col]
    return (np.abs(after - before).max(axis=-1) > 0).reshape(IMAGE_SIZE, IMAGE_SIZE)
