"""Independent computations the tests compare with: plain loops, no vectorization."""

import numpy as np


def direct_maxpool(x, size, stride):
    """Max pooling of an (H, W, C) array by four nested loops."""
    rows, cols = (x.shape[0] - size) // stride + 1, (x.shape[1] - size) // stride + 1
    out = np.empty((rows, cols, x.shape[2]))
    for i in range(rows):
        for j in range(cols):
            for c in range(x.shape[2]):
                out[i, j, c] = max(
                    x[i * stride + u, j * stride + v, c] for u in range(size) for v in range(size)
                )
    return out
