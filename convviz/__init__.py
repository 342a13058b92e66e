"""Shared code of the course module 9.2.2: convolution, kernels, test patterns, figures.

The figure scripts in ``scripts/`` and the tests import from here, so every
figure and every number on the pages comes from one implementation.
"""

from convviz.convolution import correlate2d, output_size
from convviz.kernels import KERNELS, LABELS
from convviz.patterns import checkerboard, shapes_pattern, small_example

__all__ = [
    "KERNELS",
    "checkerboard",
    "correlate2d",
    "LABELS",
    "output_size",
    "shapes_pattern",
    "small_example",
]
