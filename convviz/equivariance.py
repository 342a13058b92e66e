"""Is a layer's output for a shifted input a shifted copy of its output? Measured, not assumed."""

import numpy as np


def shift_columns(image, shift):
    """The image moved shift pixels to the right (columns wrap around; compare away from the left edge)."""
    return np.roll(np.asarray(image), shift, axis=1)


def copy_error(out, out_shifted, offset, margin=2):
    """Largest |out_shifted[:, j + offset] - out[:, j]| over columns j >= margin: 0 for an exact shifted copy.

    out and out_shifted are a layer's outputs (H, W, ...) for an input and for
    the input shifted right; offset is the shift in output columns.
    """
    out, out_shifted = np.asarray(out, dtype=np.float64), np.asarray(out_shifted, dtype=np.float64)
    if out.shape != out_shifted.shape:
        raise ValueError(f"out_shifted must have the shape of out {out.shape}, got {out_shifted.shape}")
    width = out.shape[1]
    for value, name in ((offset, "offset"), (margin, "margin")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
    if margin + offset >= width:
        raise ValueError(f"offset {offset} and margin {margin} leave no column of {width} to compare")
    return float(np.abs(out_shifted[:, margin + offset :] - out[:, margin : width - offset]).max())


def best_copy_error(out, out_shifted, offsets, margin=2):
    """(offset, error): the offset among offsets whose copy_error is smallest, and that error."""
    errors = [(copy_error(out, out_shifted, offset, margin), offset) for offset in offsets]
    error, offset = min(errors)
    return offset, error
