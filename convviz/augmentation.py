"""Random distortions of the training digits, computed with + − × ÷ and floor only.

Each training digit is shown to the network slightly turned, slanted, stretched
and shifted, and with its strokes a little bolder or thinner, different at
every epoch. The six numbers of one distortion come from the training's
generator (:class:`convviz.seeded_random.SeededRandom`), six uniforms per image:

========  ==========================================  =========================
uniform   parameter                                   range (:data:`RANGES`)
========  ==========================================  =========================
u0        turn: t = tan(angle / 2)                    ±``turn``
u1        slant: x moved by slant · y                 ±``slant``
u2, u3    stretch of x and of y (> 1: smaller)        1 ± ``stretch``
u4, u5    shift of x and of y, in pixels              ±``shift``
========  ==========================================  =========================

and the stroke weight ``bold`` (one more uniform, u6) mixes the image with
the 3×3 maximum (bolder) or minimum (thinner) of itself.

The turn uses the rational form cos = (1 − t²)/(1 + t²), sin = 2t/(1 + t²), so no
sine or cosine from a maths library is needed: every operation is one that
IEEE 754 defines exactly, and ``ConvCore.distort`` in the explorer's JavaScript gives
the same pixels to the last bit (tested in Chromium).

A distortion maps each output pixel back into the source image: with the
pixel's centre (x, y) measured from the image centre,
``source = M · (x, y) + centre + shift``, ``M = diag(stretch_x, stretch_y) ·
[[1, slant], [0, 1]] · [[cos, −sin], [sin, cos]]``, and the source is read with
bilinear interpolation, zero outside the image.
"""

import numpy as np

#: Half-widths of the uniform ranges (see the table above).
RANGES = {"turn": 0.2, "slant": 0.4, "stretch": 0.25, "shift": 1.5, "bold": 0.5}
#: Uniforms drawn per image, in this order: turn, slant, stretch x, stretch y, shift x, shift y, bold.
COUNT = 7


def parameters(uniforms, ranges=RANGES):
    """(N, COUNT) uniforms in [0, 1) -> dict of (N,) arrays: cos, sin, slant, stretch_x, stretch_y,
    shift_x, shift_y, bold. Each value is low + (high − low) · u with low = −range, high = +range."""
    u = np.asarray(uniforms, dtype=np.float64).reshape(-1, COUNT)

    def spread(column, half):
        return -half + (2 * half) * u[:, column]

    t = spread(0, ranges["turn"])
    denominator = 1.0 + t * t
    return {
        "cos": (1.0 - t * t) / denominator,
        "sin": (2.0 * t) / denominator,
        "slant": spread(1, ranges["slant"]),
        "stretch_x": 1.0 + spread(2, ranges["stretch"]),
        "stretch_y": 1.0 + spread(3, ranges["stretch"]),
        "shift_x": spread(4, ranges["shift"]),
        "shift_y": spread(5, ranges["shift"]),
        "bold": spread(6, ranges["bold"]),
    }


def _column(values):
    return np.asarray(values, dtype=np.float64)[:, None, None]


def warp(images, p):
    """(N, H, W) float64 images -> the same images turned, slanted, stretched and shifted by p."""
    images = np.asarray(images, dtype=np.float64)
    n, h, w = images.shape
    cos, sin, slant = _column(p["cos"]), _column(p["sin"]), _column(p["slant"])
    kx, ky = _column(p["stretch_x"]), _column(p["stretch_y"])
    m00 = kx * (cos + slant * sin)
    m01 = kx * (slant * cos - sin)
    m10 = ky * sin
    m11 = ky * cos
    x = (np.arange(w, dtype=np.float64) + 0.5 - w / 2)[None, None, :]
    y = (np.arange(h, dtype=np.float64) + 0.5 - h / 2)[None, :, None]
    offset_x = (w / 2 - 0.5) + _column(p["shift_x"])
    offset_y = (h / 2 - 0.5) + _column(p["shift_y"])
    source_x = (m00 * x + m01 * y) + offset_x
    source_y = (m10 * x + m11 * y) + offset_y
    left, top = np.floor(source_x), np.floor(source_y)
    fx, fy = source_x - left, source_y - top
    # The image inside a frame of zeros two pixels wide: a source beyond the border is clipped to
    # two pixels out, so the pixel it reads and its right and lower neighbours all lie in the frame.
    width = w + 4
    framed = np.zeros((n, h + 4, width))
    framed[:, 2:-2, 2:-2] = images
    columns = np.clip(left, -2, w).astype(np.int64) + 2
    rows = np.clip(top, -2, h).astype(np.int64) + 2
    corner = (np.arange(n)[:, None, None] * (h + 4) + rows) * width + columns
    framed = framed.ravel()
    upper = framed.take(corner) * (1.0 - fx) + framed.take(corner + 1) * fx
    lower = framed.take(corner + width) * (1.0 - fx) + framed.take(corner + width + 1) * fx
    return upper * (1.0 - fy) + lower * fy


def neighbourhood(images, pick):
    """The 3×3 maximum (pick=np.maximum) or minimum (np.minimum) of each pixel, the border repeated.

    Taken over each pixel and its left and right neighbours, then over that and the rows above
    and below: the same value as over the 3×3 block, in four operations instead of nine.
    """
    out = images.copy()
    pick(out[:, :, 1:], images[:, :, :-1], out=out[:, :, 1:])
    pick(out[:, :, :-1], images[:, :, 1:], out=out[:, :, :-1])
    rows = out.copy()
    pick(out[:, 1:], rows[:, :-1], out=out[:, 1:])
    pick(out[:, :-1], rows[:, 1:], out=out[:, :-1])
    return out


def embolden(images, bold):
    """Mix each image with its 3×3 maximum (bold > 0, bolder strokes) or minimum (bold < 0, thinner)."""
    bold = _column(bold)
    grown, shrunk = neighbourhood(images, np.maximum), neighbourhood(images, np.minimum)
    target = np.where(bold > 0, grown, shrunk)
    return images + np.abs(bold) * (target - images)


def distort(images, uniforms, ranges=RANGES):
    """(N, H, W) images in [0, 1] -> the distorted images, one distortion per row of uniforms."""
    p = parameters(uniforms, ranges)
    return embolden(warp(images, p), p["bold"])
