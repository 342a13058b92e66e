"""Turning filter responses into pixels: stretching, edge magnitude, false colour."""

import numpy as np


def to_uint8(values):
    """Stretch values linearly onto 0-255 (min-max) and return uint8; zeros if flat."""
    values = np.asarray(values, dtype=np.float64)
    low, high = values.min(), values.max()
    if high == low:
        return np.zeros(values.shape, dtype=np.uint8)
    return ((values - low) / (high - low) * 255).round().astype(np.uint8)


def clip_to_uint8(values):
    """Clip values to 0-255: the lossy display that drops every negative response."""
    return np.clip(values, 0, 255).astype(np.uint8)


def false_color(values):
    """Map values (stretched min-max) to RGB from dark blue (lowest) to yellow (highest).

    The colours of cnn_visualization.py's artistic_edges: lightness rises all the way, so the ramp
    reads for every colour vision (no red against green).
    """
    level = to_uint8(values) / 255
    rgb = np.empty(level.shape + (3,), dtype=np.uint8)
    rgb[..., 0] = np.round(255 * level)
    rgb[..., 1] = np.round(40 + 190 * level)
    rgb[..., 2] = 110
    return rgb


#: stretch's default: the brightest 1 % of the pixels are white.
STRETCH_PERCENTILE = 99.0


def stretch(values, percentile=STRETCH_PERCENTILE):
    """Map 0 .. the given percentile of values onto 0-255 (uint8), clipping above.

    For non-negative responses (an absolute value, a magnitude) where a few
    extreme pixels would otherwise leave every other edge dim.
    """
    values = np.asarray(values, dtype=np.float64)
    top = np.percentile(values, percentile)
    if top <= 0:
        return to_uint8(values)
    return (np.clip(values / top, 0, 1) * 255).round().astype(np.uint8)
