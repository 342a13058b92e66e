"""Exercise 4 solution: the forward pass of a tiny CNN, written with loops in NumPy.

Usage:
    python tiny_cnn_solution.py [--weights tiny_cnn_weights.npz]

Loads the weights the course trained on handwritten digits (download
tiny_cnn_weights.npz from the module page into this folder), classifies the
held-out test digits stored in the same file and prints the accuracy.
Needs numpy only.
"""

import argparse
import sys
import time
import zipfile
import zlib
from pathlib import Path

import numpy as np

WEIGHTS = {}


def conv2d(x, W, b, stride=1):
    """Multi-filter 2-D cross-correlation with bias and 'same' zero padding.

    x: (H, W, C_in), W: (K, k, k, C_in), b: (K,). Returns (H_out, W_out, K).
    """
    rows, cols, _ = x.shape
    n_filters, size = W.shape[0], W.shape[1]
    pad = size // 2
    x_padded = np.pad(x, ((pad, pad), (pad, pad), (0, 0)))
    out_rows = (rows - size + 2 * pad) // stride + 1
    out_cols = (cols - size + 2 * pad) // stride + 1
    out = np.zeros((out_rows, out_cols, n_filters))
    for i in range(out_rows):
        for j in range(out_cols):
            window = x_padded[i * stride : i * stride + size, j * stride : j * stride + size, :]
            # One number per filter: the sum of window * filter over rows, columns, channels.
            out[i, j, :] = np.tensordot(W, window, axes=([1, 2, 3], [0, 1, 2])) + b
    return out


def maxpool2d(x, size=2, stride=2):
    """Largest value of every size×size window, per channel. (H, W, C) -> (H_out, W_out, C)."""
    rows, cols, channels = x.shape
    out_rows = (rows - size) // stride + 1
    out_cols = (cols - size) // stride + 1
    out = np.zeros((out_rows, out_cols, channels))
    for i in range(out_rows):
        for j in range(out_cols):
            window = x[i * stride : i * stride + size, j * stride : j * stride + size, :]
            out[i, j, :] = window.max(axis=(0, 1))
    return out


def relu(x):
    return np.maximum(0, x)


def forward(image):
    """Ten class scores (logits) for one 28×28 image with values in [0, 1]."""
    x = image[..., None]  # (28, 28, 1)
    x = relu(conv2d(x, WEIGHTS["W1"], WEIGHTS["b1"]))  # (28, 28, 4)
    x = maxpool2d(x)  # (14, 14, 4)
    x = relu(conv2d(x, WEIGHTS["W2"], WEIGHTS["b2"]))  # (14, 14, 8)
    x = maxpool2d(x)  # (7, 7, 8)
    x = x.flatten()  # (392,)
    return WEIGHTS["W3"] @ x + WEIGHTS["b3"]  # (10,)


def load_weights(path):
    """Fill WEIGHTS from the .npz file; return the test images (0-1 floats) and labels.

    Every array is checked before it is used: present, numbers, the expected
    shape, finite. Raises ValueError naming the array (or the file) that is wrong.
    """
    shapes = {"W1": (4, 3, 3, 1), "b1": (4,), "W2": (8, 3, 3, 4), "b2": (8,), "W3": (10, 392), "b3": (10,)}
    with open(path, "rb") as file:
        start = file.read(6)
    if start.startswith(b"\x93NUMPY"):
        raise ValueError("it is a single-array .npy file, the weights come as one .npz archive")
    if not start.startswith(b"PK"):
        raise ValueError("it is not a .npz archive; download tiny_cnn_weights.npz from the page")
    arrays = {}
    try:
        with np.load(path, allow_pickle=False) as stored:
            for name in (*shapes, "test_images", "test_labels"):
                if name not in stored.files:
                    raise ValueError(f"the archive has no array named {name}")
                try:
                    arrays[name] = stored[name]
                except ValueError:
                    raise ValueError(f"array {name} holds Python objects, not numbers") from None
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error):
        raise ValueError("the archive is damaged or incomplete; download it again") from None
    count = len(arrays["test_labels"])
    shapes.update(test_images=(count, 28, 28), test_labels=(count,))
    for name, shape in shapes.items():
        if arrays[name].dtype.kind not in "iuf":
            raise ValueError(f"array {name} must hold numbers, it holds {arrays[name].dtype}")
        if arrays[name].shape != shape:
            raise ValueError(f"array {name} has shape {arrays[name].shape}, expected {shape}")
        if not np.isfinite(arrays[name]).all():
            raise ValueError(f"array {name} contains NaN or infinity")
    images, labels = arrays["test_images"], arrays["test_labels"]
    if count == 0:
        raise ValueError("the archive holds no test digits")
    if labels.dtype.kind == "f" or labels.min() < 0 or labels.max() > 9:
        raise ValueError("array test_labels must hold whole numbers from 0 to 9")
    if images.min() < 0 or images.max() > 255:
        raise ValueError("array test_images must hold pixel values from 0 to 255")
    WEIGHTS.update({name: arrays[name].astype(np.float64) for name in ("W1", "b1", "W2", "b2", "W3", "b3")})
    return images / 255.0, labels


def main(argv=None):
    here = Path(sys.argv[0]).resolve().parent
    parser = argparse.ArgumentParser(description="Classify digits with the tiny CNN.")
    parser.add_argument("--weights", default=str(here / "tiny_cnn_weights.npz"), help="the .npz file")
    args = parser.parse_args(argv)
    name = Path(sys.argv[0]).name
    try:
        images, labels = load_weights(args.weights)
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or error
        print(f"{name}: cannot load weights from {args.weights!r}: {reason}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    predictions = []
    for number, image in enumerate(images, start=1):
        predictions.append(np.argmax(forward(image)))
        if number % 100 == 0 and number < len(images):
            print(f"classified {number} of {len(images)} test digits so far", flush=True)
    predictions = np.array(predictions)
    seconds = time.perf_counter() - started
    correct = int((predictions == labels).sum())
    print(f"classified {len(labels)} test digits in {seconds:.1f} s")
    print(f"test accuracy: {100 * correct / len(labels):.1f} % ({correct} of {len(labels)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
