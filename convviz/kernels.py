"""The named 3×3 (and one 5×5) kernels used across the module.

Values follow the usual image-processing conventions: Sobel X measures the
change from left to right, so it answers vertical edges; Sobel Y measures
the change from top to bottom and answers horizontal edges. The blob kernel
is positive in the centre and negative around it, and its weights add up to
zero: it answers a spot brighter than its surroundings.
"""

import numpy as np

from convviz.convolution import correlate2d

_TABLE = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "sobel_x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "sobel_y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "gaussian": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16,
    "gaussian_5x5": np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256,
    "box_blur": np.ones((3, 3)) / 9,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
    "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "saddle": [[-1, 0, 1], [0, 0, 0], [1, 0, -1]],
    "high_pass": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    # Centre minus its Gaussian-weighted neighbourhood (4 × (identity − Gaussian)):
    # a difference of Gaussians, the shape of a classic blob detector.
    "blob": [[-0.25, -0.5, -0.25], [-0.5, 3, -0.5], [-0.25, -0.5, -0.25]],
}

#: Every named kernel as a read-only float64 array.
KERNELS = {}
for _name, _values in _TABLE.items():
    _array = np.array(_values, dtype=np.float64)
    _array.flags.writeable = False
    KERNELS[_name] = _array

#: What each kernel is called on the pages, in figures and in the explorer.
LABELS = {
    "identity": "Identity",
    "sobel_x": "Sobel X",
    "sobel_y": "Sobel Y",
    "gaussian": "Gaussian",
    "gaussian_5x5": "Gaussian 5×5",
    "box_blur": "Box blur",
    "sharpen": "Sharpen",
    "emboss": "Emboss",
    "laplacian": "Laplacian",
    "saddle": "Corners (saddle)",
    "high_pass": "High-pass",
    "blob": "Blob",
}


def sobel_responses(image, **options):
    """Return (gx, gy, magnitude) of the Sobel filters over image (options as for correlate2d)."""
    gx = correlate2d(image, KERNELS["sobel_x"], **options)
    gy = correlate2d(image, KERNELS["sobel_y"], **options)
    return gx, gy, np.hypot(gx, gy)
