"""Synthetic test images: nothing to download, the same pixels on every machine."""

import numpy as np


def shapes_pattern(size=256):
    """A black square image with a white rectangle and a white disc (values 0 or 255).

    At the default size the rectangle covers rows 30–89 and columns 30–109,
    and the disc of radius 40 is centred on row 60, column 190.
    """
    scale = size / 256
    image = np.zeros((size, size), dtype=np.float64)
    top, bottom, left, right = (round(v * scale) for v in (30, 90, 30, 110))
    image[top:bottom, left:right] = 255.0
    rows, cols = np.ogrid[:size, :size]
    cy, cx, radius = 60 * scale, 190 * scale, 40 * scale
    image[(rows - cy) ** 2 + (cols - cx) ** 2 <= radius**2] = 255.0
    return image


def checkerboard(size=256, square=32):
    """Alternating white (255) and black (0) squares, white in the top-left corner."""
    index = np.arange(size) // square
    return np.where((index[:, None] + index[None, :]) % 2 == 0, 255.0, 0.0)


def small_example():
    """The 8×8 input of the convolution animation: a bright square on a dark ground."""
    image = np.zeros((8, 8), dtype=np.float64)
    image[2:6, 2:6] = 9.0
    image[3:5, 3:5] = 5.0
    image[:, 0] = 1.0
    return image
