"""Exercise III solution: the forward pass of a tiny CNN, written with loops in NumPy.

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
    """Fill WEIGHTS from the .npz file; return the test images (0-1 floats) and labels."""
    with np.load(path) as stored:
        WEIGHTS.update({name: stored[name] for name in ("W1", "b1", "W2", "b2", "W3", "b3")})
        return stored["test_images"] / 255.0, stored["test_labels"]


def main(argv=None):
    here = Path(sys.argv[0]).resolve().parent
    parser = argparse.ArgumentParser(description="Classify digits with the tiny CNN.")
    parser.add_argument("--weights", default=str(here / "tiny_cnn_weights.npz"), help="the .npz file")
    args = parser.parse_args(argv)
    name = Path(sys.argv[0]).name
    try:
        images, labels = load_weights(args.weights)
    except (OSError, ValueError, KeyError) as error:
        reason = getattr(error, "strerror", None) or error
        print(f"{name}: cannot load weights from {args.weights!r}: {reason}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    predictions = np.array([np.argmax(forward(image)) for image in images])
    seconds = time.perf_counter() - started
    correct = int((predictions == labels).sum())
    print(f"classified {len(labels)} test digits in {seconds:.1f} s")
    print(f"test accuracy: {100 * correct / len(labels):.1f} % ({correct} of {len(labels)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
