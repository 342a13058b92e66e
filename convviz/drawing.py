"""A digit drawn with strokes, prepared the way the training digits were.

The training digits are scikit-learn's 8×8 digits: a 32×32 black-and-white
bitmap cut into 4×4 blocks, each block replaced by its number of inked pixels
(0-16), then enlarged bilinearly to 28×28 and stored as 0-255 (see
:func:`enlarge`, which :mod:`convviz.tiny_cnn` uses for its data). Before the
counting, each written digit had been scaled to a standard size and centred:
in all 1,797 digits the ink reaches the top and the bottom row, and it spans
about 20 of the 32 columns whatever the digit's own proportions, its box centred
(measured in ``tests/test_drawing.py``). A drawing goes the same way:

strokes anywhere on the 28×28 grid -> scaled and centred (:func:`normalise`)
-> 32×32 bitmap (:func:`rasterize`) -> 8×8 block counts (:func:`block_counts`)
-> 28×28 uint8 (:func:`enlarge`).

The network explorer's JavaScript (``docs/_static/explorer/core.js``) does the
same operations in the same order, so the two give identical pixels.
"""

import math
import numbers

import numpy as np

#: Size of the drawing grid (the network's input) and of the bitmap it is inked on.
GRID = 28
BITMAP = 32
BLOCK = 4
SMALL = BITMAP // BLOCK
#: Width of the pen in grid cells: a bitmap pixel is inked when its centre lies
#: within half of this from a stroke.
PEN_WIDTH = 4.5
#: Value of a full 8×8 block count (16 inked pixels of 16) on the 0-255 scale.
GRAY_PER_COUNT = 255 / 16
#: Where :func:`normalise` puts the ink, in grid cells: the full height of the bitmap
#: (32 of 32 pixels) and 20 of its 32 columns, as in the data set, around the grid's centre.
INK_HEIGHT = GRID
INK_WIDTH = 20 * GRID / BITMAP
CENTRE = GRID / 2
#: A small drawing is enlarged at most this many times (so a dot stays a dot) ...
MAX_SCALE = 4.0
#: ... and the height is stretched at most this many times more than the width
#: (a flat stroke stays flat); the width is never stretched more than the height,
#: so a narrow 1 stays narrow.
MAX_STRETCH = 3.0


def bitmap_centres():
    """Centres of the bitmap's pixels (rows and columns alike) in grid coordinates."""
    return (np.arange(BITMAP) + 0.5) * (GRID / BITMAP)


def check_pen_width(pen_width):
    """pen_width as a float; a ValueError names it unless it is a number in (0, GRID]."""
    if (
        isinstance(pen_width, bool)
        or not isinstance(pen_width, numbers.Real)
        or not math.isfinite(pen_width)
        or not 0 < pen_width <= GRID
    ):
        raise ValueError(f"pen_width must be a number greater than 0 and at most {GRID}, got {pen_width!r}")
    return float(pen_width)


def check_strokes(strokes):
    """strokes as a list of (n, 2) float64 arrays; a ValueError names what is wrong.

    strokes is a list of strokes, each a non-empty list of (x, y) points whose
    coordinates are finite real numbers (any size: far outside the grid is allowed).
    """
    if isinstance(strokes, str | bytes) or not hasattr(strokes, "__iter__"):
        raise ValueError(f"strokes must be a list of strokes, got {type(strokes).__name__}")
    checked = []
    for number, stroke in enumerate(strokes):
        where = f"strokes[{number}]"
        if isinstance(stroke, str | bytes):
            raise ValueError(f"{where} must be a non-empty list of (x, y) points, got a string")
        try:
            points = np.asarray(stroke)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{where} must be a non-empty list of (x, y) points ({error})") from None
        if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
            raise ValueError(f"{where} must be a non-empty list of (x, y) points, got shape {points.shape}")
        if points.dtype.kind not in "iuf":
            raise ValueError(f"{where} must hold real numbers, got dtype {points.dtype}")
        points = points.astype(np.float64)
        if not np.isfinite(points).all():
            raise ValueError(f"{where} holds a point that is not a finite number")
        checked.append(points)
    return checked


def _axis_scale(target_half, half):
    """How much to enlarge an extent of 2·half to 2·target_half, at most MAX_SCALE."""
    if half * MAX_SCALE <= target_half:
        return MAX_SCALE
    return target_half / half


def normalise(strokes, pen_width=PEN_WIDTH):
    """Strokes scaled and centred as the data set's digits were: a list of (n, 2) float64 arrays.

    The box around every point is scaled so that the ink (the pen's width added)
    fills INK_HEIGHT, and INK_WIDTH across (the two directions scaled separately,
    as in the data set, but the width never more than the height, the height
    at most MAX_STRETCH times more than the width, and neither more than
    MAX_SCALE times), and the box's centre moved to the grid's centre. Any
    finite coordinates work: halves are taken before subtracting, so nothing
    overflows. ``ConvCore.normalise`` does the same operations.
    """
    pen_width = check_pen_width(pen_width)
    checked = check_strokes(strokes)
    if not checked:
        return []
    every = np.concatenate(checked)
    low, high = every.min(axis=0), every.max(axis=0)
    middle = low / 2 + high / 2
    half = high / 2 - low / 2
    target_x = max(INK_WIDTH - pen_width, 0.0) / 2
    target_y = max(INK_HEIGHT - pen_width, 0.0) / 2
    scale_y = _axis_scale(target_y, float(half[1]))
    scale_x = min(_axis_scale(target_x, float(half[0])), scale_y)
    scale_y = min(scale_y, MAX_STRETCH * scale_x)
    factors = np.array([2 * scale_x, 2 * scale_y])
    return [CENTRE + (points / 2 - middle / 2) * factors for points in checked]


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


def clip_segment(ax, ay, bx, by, low, high):
    """The part of the segment (ax, ay)-(bx, by) inside the square [low, high]², or None.

    Liang-Barsky clipping of c + u·h, where h is half the segment and c whichever
    of the start, the middle and the end lies nearest the square (halves are
    taken before adding, so that points as far out as ±1.8e308 give no overflow,
    and the clipped ends are as precise as c). An end inside the square is kept
    exactly; a clipped end lies on the border it was clipped at (that coordinate
    is the border's, the other one computed and kept inside the square).
    """
    hx, hy = bx / 2 - ax / 2, by / 2 - ay / 2
    middle = (low + high) / 2
    anchor = None
    for cx, cy, first, last in (
        (ax, ay, 0.0, 2.0),
        (ax / 2 + bx / 2, ay / 2 + by / 2, -1.0, 1.0),
        (bx, by, -2.0, 0.0),
    ):
        distance = max(abs(cx - middle), abs(cy - middle))
        if anchor is None or distance < anchor[0]:
            anchor = (distance, cx, cy, first, last)
    _, cx, cy, enter, leave = anchor
    enter_side = leave_side = None
    for p, q, axis, border in (
        (-hx, cx - low, 0, low),
        (hx, high - cx, 0, high),
        (-hy, cy - low, 1, low),
        (hy, high - cy, 1, high),
    ):
        if p == 0:
            if q < 0:
                return None
            continue
        ratio = q / p
        if p < 0 and ratio > enter:
            enter, enter_side = ratio, (axis, border)
        elif p > 0 and ratio < leave:
            leave, leave_side = ratio, (axis, border)
    if enter > leave:
        return None

    def point(u, side, unclipped):
        if side is None:
            return unclipped
        found = [min(max(cx + u * hx, low), high), min(max(cy + u * hy, low), high)]
        found[side[0]] = side[1]
        return found

    return (*point(enter, enter_side, (ax, ay)), *point(leave, leave_side, (bx, by)))


def rasterize(strokes, pen_width=PEN_WIDTH):
    """Strokes -> (32, 32) bool bitmap.

    strokes is a list of strokes, each a list of (x, y) points in grid
    coordinates (x to the right, y down, the grid spanning 0 to 28). A stroke of
    one point inks a dot. A bitmap pixel is inked when its centre is within
    pen_width / 2 of a segment of a stroke. Points may lie anywhere: each
    segment is first clipped to the grid widened by the pen (:func:`clip_segment`).
    """
    pen_width = check_pen_width(pen_width)
    checked = check_strokes(strokes)
    centres = bitmap_centres()
    px, py = np.meshgrid(centres, centres)
    radius2 = (pen_width / 2) * (pen_width / 2)
    margin = pen_width / 2 + 1.0
    inked = np.zeros((BITMAP, BITMAP), dtype=bool)
    for points in checked:
        ends = points if len(points) == 1 else points[1:]
        starts = points[:1] if len(points) == 1 else points[:-1]
        for (ax, ay), (bx, by) in zip(starts.tolist(), ends.tolist(), strict=True):
            clipped = clip_segment(ax, ay, bx, by, -margin, GRID + margin)
            if clipped is not None:
                inked |= _segment_distance2(px, py, *clipped) <= radius2
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


def prepare(strokes, pen_width=PEN_WIDTH, normalised=True):
    """Strokes -> the (28, 28) uint8 image the network sees, as the training digits were made.

    With normalised=False the strokes are inked where they were drawn (the explorer
    does this for strokes added to a stored test digit, which is normalised already).
    """
    if normalised:
        strokes = normalise(strokes, pen_width)
    return enlarge(block_counts(rasterize(strokes, pen_width)))[0]


def ink_extent(counts_8x8):
    """Where the ink of (N, 8, 8) block counts lies: the data set's normalisation, measured.

    Returns a dict of (N,) arrays: ``top`` and ``bottom`` (the first and the last
    row of blocks hold ink), ``width`` (the ink's width in bitmap pixels: the
    blocks between the outermost inked columns count 4 pixels each, and an
    outermost column counts its fullest block / 4, the pixel columns a stroke
    through it inks), ``box_centre`` and ``mass_centre`` (across, in blocks from 0 to 7).
    """
    counts = np.asarray(counts_8x8, dtype=np.float64).reshape(-1, SMALL, SMALL)
    columns = counts.any(axis=1)
    rows = counts.any(axis=2)
    left = columns.argmax(axis=1)
    right = SMALL - 1 - columns[:, ::-1].argmax(axis=1)
    n = np.arange(len(counts))
    fullest_left = counts[n, :, left].max(axis=1) / BLOCK
    fullest_right = counts[n, :, right].max(axis=1) / BLOCK
    width = np.where(left == right, fullest_left, BLOCK * (right - left - 1) + fullest_left + fullest_right)
    across = counts.sum(axis=1)
    return {
        "top": rows[:, 0],
        "bottom": rows[:, -1],
        "width": width,
        "box_centre": (left + right) / 2,
        "mass_centre": (across * np.arange(SMALL)).sum(axis=1) / across.sum(axis=1),
    }
