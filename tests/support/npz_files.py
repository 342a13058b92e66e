"""Weights files as NumPy writes them, in memory: for the Node fixtures and the browser tests."""

import io

import numpy as np


def npz_bytes(arrays, compressed=False):
    """The bytes np.savez (np.savez_compressed with compressed=True) writes for arrays (name -> array).

    np.savez pickles object arrays without being asked: the hostile files need that.
    """
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()
