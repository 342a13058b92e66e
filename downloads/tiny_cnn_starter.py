"""Exercise III starter: write the forward pass of a tiny CNN in NumPy.

Usage:
    python tiny_cnn_starter.py --check     test your functions on small cases
    python tiny_cnn_starter.py [--weights tiny_cnn_weights.npz]

Fill in the TODOs of conv2d and maxpool2d. --check runs them on small inputs
with known answers and says in plain words what is still wrong. Once every
check passes, the plain run classifies the held-out digits with the weights
the course trained (download tiny_cnn_weights.npz from the module page into
this folder) and prints the accuracy. Needs numpy only.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

WEIGHTS = {}


class TodoNotDone(Exception):
    """Raised by a TODO of this file that is still waiting for your code."""


def todo(number, task):
    raise TodoNotDone(f"TODO {number} is still open: {task}")


def conv2d(x, W, b, stride=1):
    """Multi-filter 2-D cross-correlation with bias and 'same' zero padding.

    x: (H, W, C_in), W: (K, k, k, C_in), b: (K,). Returns (H_out, W_out, K).
    """
    rows, cols, channels = x.shape
    n_filters, size = W.shape[0], W.shape[1]
    # TODO 1: pad x with zeros so that stride 1 keeps rows x cols ('same'), work
    # out the output size, then fill out[i, j, f]: the sum over the window and
    # all channels of window * W[f], plus b[f]. Two loops over i and j are enough.
    return todo(1, "write conv2d")


def maxpool2d(x, size=2, stride=2):
    """Largest value of every size×size window, per channel. (H, W, C) -> (H_out, W_out, C)."""
    # TODO 2: the output has (rows - size) // stride + 1 rows (likewise for the
    # columns); the window of output (i, j) starts at row i * stride and column
    # j * stride.
    return todo(2, "write maxpool2d")


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


# ---------------------------------------------------------------- self-check
# Small cases with answers worked out in advance. They test what your functions
# return, not how they compute it.

CHECK_X = np.array(
    [
        [[1, 0], [2, -1], [0, 1], [-2, 2]],
        [[0, 1], [1, 1], [-1, 0], [2, 0]],
        [[2, -2], [0, 1], [1, -1], [0, 0]],
        [[-1, 0], [1, 2], [0, -1], [1, 1]],
    ],
    dtype=float,
)
CHECK_W = np.array(
    [
        [[[1, 0], [0, -1], [1, 1]], [[0, 1], [2, 0], [-1, 0]], [[0, 0], [1, -1], [0, 2]]],
        [[[-1, 1], [0, 0], [1, 0]], [[1, -1], [0, 1], [0, 0]], [[2, 0], [-1, 0], [0, 1]]],
    ],
    dtype=float,
)
CHECK_B = np.array([1.0, -1.0])
CHECK_OUT = np.array(
    [
        [[2, 0], [5, -2], [1, 6], [0, -4]],
        [[7, 1], [5, 1], [1, -7], [3, 1]],
        [[9, 1], [-7, 0], [10, 2], [-1, 1]],
        [[1, -1], [4, -3], [3, -2], [3, -1]],
    ],
    dtype=float,
)
POOL_IN = np.array([[1, 3, 2, 1], [4, 2, 6, 4], [1, 8, 3, 7], [5, 3, 2, 1]], dtype=float)[..., None]
POOL_OUT = np.array([[4, 6], [8, 7]], dtype=float)[..., None]


def _same(a, b):
    return np.shape(a) == np.shape(b) and np.allclose(a, b)


def check_conv2d(conv2d):
    """Plain-language problems with conv2d; an empty list when it is right."""
    out = conv2d(CHECK_X, CHECK_W, CHECK_B)
    shape = np.shape(out)
    if shape == (2, 2, 2):
        return ["conv2d returns 2x2x2 for a 4x4 input: pad the input with one ring of zeros ('same')"]
    if shape != (4, 4, 2):
        return [f"conv2d returns shape {shape} for a 4x4x2 input and 2 filters; expected (4, 4, 2)"]
    problems = []
    if _same(out, CHECK_OUT):
        pass
    elif _same(out + CHECK_B, CHECK_OUT):
        problems.append("conv2d leaves out the bias: add b[f] to every value of feature map f")
    elif _same(conv2d(CHECK_X, CHECK_W[:, ::-1, ::-1, :], CHECK_B), CHECK_OUT):
        problems.append(
            "conv2d flips the kernel (a true convolution); a CNN layer multiplies the window by the "
            "kernel as it is"
        )
    elif np.allclose(out[1:-1, 1:-1], CHECK_OUT[1:-1, 1:-1]):
        problems.append("conv2d is right inside but wrong on the border: pad with zeros, one pixel per side")
    else:
        problems.append(
            "conv2d returns the right shape but wrong values: sum window * W[f] over all channels"
        )
    strided = conv2d(CHECK_X, CHECK_W, CHECK_B, stride=2)
    if not problems and not _same(strided, CHECK_OUT[::2, ::2]):
        problems.append(
            f"with stride=2 conv2d returns shape {np.shape(strided)}, expected (2, 2, 2): the window "
            "of output (i, j) starts at row i * stride and column j * stride"
        )
    return problems


def check_maxpool2d(maxpool2d):
    out = maxpool2d(POOL_IN)
    if np.shape(out) == (3, 3, 1):
        return [
            "maxpool2d returns 3x3 for a 4x4 input: move the window by stride=2, so windows do not overlap"
        ]
    if np.shape(out) != (2, 2, 1):
        return [f"maxpool2d returns shape {np.shape(out)} for a 4x4x1 input; expected (2, 2, 1)"]
    if not _same(out, POOL_OUT):
        return ["maxpool2d returns the right shape but wrong values: keep the largest value of each window"]
    odd = maxpool2d(np.arange(25, dtype=float).reshape(5, 5, 1))
    if np.shape(odd) != (2, 2, 1):
        return [
            f"maxpool2d turns a 5x5 map into {np.shape(odd)[:2]}, expected (2, 2): off by one in the output "
            "size, (H - size) // stride + 1; the last row and column fill no whole window"
        ]
    return []


def check_relu(relu):
    if not _same(relu(np.array([-2.0, 0.0, 3.0])), np.array([0.0, 0.0, 3.0])):
        return ["relu must turn negative values into 0 and keep the others"]
    return []


def run_checks(functions):
    """Run every check on the functions of a module (or any namespace); return the problems."""
    problems = []
    for name, check in (("conv2d", check_conv2d), ("maxpool2d", check_maxpool2d), ("relu", check_relu)):
        try:
            problems += check(getattr(functions, name))
        except TodoNotDone as error:
            problems.append(f"{name}: {error}")
        except Exception as error:  # the learner's code may fail in any way
            problems.append(f"{name} raised {type(error).__name__}: {error}")
    return problems


def main(argv=None):
    here = Path(sys.argv[0]).resolve().parent
    parser = argparse.ArgumentParser(description="Exercise III: the tiny CNN forward pass.")
    parser.add_argument("--check", action="store_true", help="test your functions on small cases")
    parser.add_argument("--weights", default=str(here / "tiny_cnn_weights.npz"), help="the .npz file")
    args = parser.parse_args(argv)
    name = Path(sys.argv[0]).name
    problems = run_checks(sys.modules[__name__])
    if args.check:
        for problem in problems:
            print(f"- {problem}")
        print("Every check passed." if not problems else f"{len(problems)} check(s) failed.")
        return 1 if problems else 0
    if problems:
        print(f"{name}: {problems[0]} (run with --check for every problem)", file=sys.stderr)
        return 1
    try:
        with np.load(args.weights) as stored:
            WEIGHTS.update({key: stored[key] for key in ("W1", "b1", "W2", "b2", "W3", "b3")})
            images, labels = stored["test_images"] / 255.0, stored["test_labels"]
    except (OSError, ValueError, KeyError) as error:
        reason = getattr(error, "strerror", None) or error
        print(f"{name}: cannot load weights from {args.weights!r}: {reason}", file=sys.stderr)
        return 2
    correct = sum(int(np.argmax(forward(image)) == label) for image, label in zip(images, labels))
    print(f"test accuracy: {100 * correct / len(labels):.1f} % ({correct} of {len(labels)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
