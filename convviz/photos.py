"""Real photographs that ship with scikit-image (public domain or CC0), loaded offline."""

import numpy as np


def camera(size=256):
    """The 'cameraman' photograph (public domain) as float64 grayscale 0-255, size×size."""
    from skimage import data, transform

    photo = data.camera().astype(np.float64)
    if photo.shape != (size, size):
        photo = transform.resize(photo, (size, size), anti_aliasing=True, preserve_range=True)
    return photo


def chelsea(size=256):
    """Chelsea the cat (public domain) as float64 RGB 0-255, size×size×3."""
    from skimage import data, transform

    photo = data.chelsea().astype(np.float64)
    side = min(photo.shape[:2])
    top, left = (photo.shape[0] - side) // 2, (photo.shape[1] - side) // 2
    photo = photo[top : top + side, left : left + side]
    return transform.resize(photo, (size, size), anti_aliasing=True, preserve_range=True)
