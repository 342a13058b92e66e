"""Exercise 4 solution: the forward pass of a tiny CNN, written with loops in NumPy.

Usage:
    python tiny_cnn_solution.py [--weights tiny_cnn_weights.npz]

Loads the weights the course trained on handwritten digits (download
tiny_cnn_weights.npz from the module page into this folder), classifies the
held-out test digits stored in the same file and prints the accuracy. Every
array of the file is checked first; a file that is damaged, or holds what
training cannot produce, gets one line saying what is wrong instead of an
accuracy. Needs numpy only.
"""

import sys
import time
from pathlib import Path

try:
    from self_check import (
        OneLineParser,
        load_weights,
        one_line_errors,
    )
except ImportError as error:  # the solution uses the exercise's helper file, of the same version, beside it
    if isinstance(error, ModuleNotFoundError) and error.name == "self_check":
        sys.exit(
            f"{Path(sys.argv[0]).name}: self_check.py is missing: put this file in the folder of "
            "exercise4.zip (it holds self_check.py)"
        )
    sys.exit(f"{Path(sys.argv[0]).name}: self_check.py is from another version ({error}): unzip it again")
try:
    import numpy as np
except ModuleNotFoundError as missing:  # name the package to install, in one line
    package = str(missing.name).partition(".")[0].replace("PIL", "pillow")
    sys.exit(f"{Path(sys.argv[0]).name}: needs the Python package {package}: pip install {package}")

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


@one_line_errors
def main(argv=None):
    here = Path(sys.argv[0]).resolve().parent
    parser = OneLineParser(description="Classify digits with the tiny CNN.")
    parser.add_argument("--weights", default=str(here / "tiny_cnn_weights.npz"), help="the .npz file")
    args = parser.parse_args(argv)
    weights, images, labels = load_weights(args.weights)
    WEIGHTS.update(weights)
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
