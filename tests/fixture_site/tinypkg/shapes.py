"""Shapes as gray arrays."""

import numpy as np

SIDE = 12


def square(side):
    """A white square with a black border one pixel wide."""
    image = np.zeros((side, side))
    image[1:-1, 1:-1] = 1.0
    return image


def disc(side):
    """A white disc on black."""
    y, x = np.mgrid[:side, :side] - (side - 1) / 2
    return (x**2 + y**2 <= (side / 2) ** 2).astype(float)
