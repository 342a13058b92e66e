"""A digit drawn with strokes, prepared the way the training digits were.

The training digits are scikit-learn's 8×8 digits: a 32×32 black-and-white
bitmap cut into 4×4 blocks, each block replaced by its number of inked pixels
(0-16), then enlarged bilinearly to 28×28 and stored as 0-255 (see
:func:`enlarge`, which :mod:`convviz.tiny_cnn` uses for its data). A drawing
goes the same way:

strokes on the 28×28 grid -> 32×32 bitmap (:func:`rasterize`)
-> 8×8 block counts (:func:`block_counts`) -> 28×28 uint8 (:func:`enlarge`).

The network explorer's JavaScript (``docs/_static/explorer/core.js``) does the
same operations in the same order, so the two give identical pixels.
"""

import math

import numpy as np

#: Size of the drawing grid (the network's input) and of the bitmap it is inked on.
GRID = 28
BITMAP = 32
BLOCK = 4
SMALL = BITMAP // BLOCK
#: Width of the pen in grid cells: a bitmap pixel is inked when its centre lies
#: within half of this from a stroke.
PEN_WIDTH = 2.5
#: Value of a full 8×8 block count (16 inked pixels of 16) on the 0-255 scale.
GRAY_PER_COUNT = 255 / 16


def bitmap_centres():
    """Centres of the bitmap's pixels (rows and columns alike) in grid coordinates."""
    return (np.arange(BITMAP) + 0.5) * (GRID / BITMAP)


def _segment_distance2(px, py, ax, ay, bx, by):
    """Squared distance from points (px, py) to the segment from (ax, ay) to (bx, by)."""
    dx = bx - ax
    dy = by - ay
    length2 = dx * dx + dy * dy
    if length2 > 0:
        t = ((px - ax) * dx + (py - ay) * dy) / length2
        t = np.minimum(np.maximum(t, 0.0), 1.0)
    else:
        t = np.zeros_like(px)
    qx = ax + t * dx
    qy = ay + t * dy
    return (px - qx) * (px - qx) + (py - qy) * (py - qy)


def rasterize(strokes, pen_width=PEN_WIDTH):
    """Strokes -> (32, 32) bool bitmap.

    strokes is a list of strokes, each a list of (x, y) points in grid
    coordinates (x to the right, y down, the grid spanning 0 to 28). A stroke of
    one point inks a dot. A bitmap pixel is inked when its centre is within
    pen_width / 2 of a segment of a stroke.
    """
    if not isinstance(pen_width, int | float) or not math.isfinite(pen_width) or pen_width <= 0:
        raise ValueError(f"pen_width must be a positive finite number, got {pen_width!r}")
    centres = bitmap_centres()
    px, py = np.meshgrid(centres, centres)
    radius2 = (pen_width / 2) * (pen_width / 2)
    inked = np.zeros((BITMAP, BITMAP), dtype=bool)
    for number, stroke in enumerate(strokes):
        points = np.asarray(stroke, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
            raise ValueError(f"strokes[{number}] must be a non-empty list of (x, y) points")
        if not np.isfinite(points).all():
            raise ValueError(f"strokes[{number}] holds a point that is not a finite number")
        ends = points if len(points) == 1 else points[1:]
        starts = points[:1] if len(points) == 1 else points[:-1]
        for (ax, ay), (bx, by) in zip(starts, ends, strict=True):
            inked |= _segment_distance2(px, py, float(ax), float(ay), float(bx), float(by)) <= radius2
    return inked


def block_counts(bitmap):
    """(32, 32) bitmap -> (8, 8) counts of inked pixels per 4×4 block, 0-16."""
    bitmap = np.asarray(bitmap)
    if bitmap.shape != (BITMAP, BITMAP):
        raise ValueError(f"bitmap must have shape ({BITMAP}, {BITMAP}), got {bitmap.shape}")
    blocks = (bitmap != 0).reshape(SMALL, BLOCK, SMALL, BLOCK)
    return blocks.sum(axis=(1, 3)).astype(np.int64)


def interpolation_taps(size_in=SMALL, size_out=GRID):
    """For each output position: (lower source index, upper source index, weight of the upper).

    Bilinear interpolation with pixel centres aligned (output position i sits at
    (i + 0.5) · size_in / size_out − 0.5 in source pixels) and the edge pixels
    repeated beyond the border.
    """
    position = (np.arange(size_out) + 0.5) * (size_in / size_out) - 0.5
    position = np.clip(position, 0.0, size_in - 1)
    lower = np.floor(position).astype(np.int64)
    upper = np.minimum(lower + 1, size_in - 1)
    return lower, upper, position - lower


def round_to_uint8(values):
    """floor(x + 0.5), clipped to 0-255, as uint8 (the rounding the explorer uses too)."""
    return np.clip(np.floor(np.asarray(values, dtype=np.float64) + 0.5), 0, 255).astype(np.uint8)


def enlarge(counts_8x8):
    """(N, 8, 8) or (N, 64) block counts 0-16 -> (N, 28, 28) uint8 images 0-255.

    Rows first, then columns: each output value is ``low · (1 − w) + high · w``
    of its two nearest source values, in float64, then rounded half up.
    """
    counts = np.asarray(counts_8x8, dtype=np.float64).reshape(-1, SMALL, SMALL)
    gray = counts * GRAY_PER_COUNT
    lower, upper, weight = interpolation_taps()
    across = gray[:, :, lower] * (1.0 - weight) + gray[:, :, upper] * weight
    down = across[:, lower, :] * (1.0 - weight)[:, None] + across[:, upper, :] * weight[:, None]
    return round_to_uint8(down)


def prepare(strokes, pen_width=PEN_WIDTH):
    """Strokes -> the (28, 28) uint8 image the network sees, as the training digits were made."""
    return enlarge(block_counts(rasterize(strokes, pen_width)))[0]
