"""Exercise 3 starter: write the convolution loop yourself and design a kernel.

Usage:
    python cnn_starter.py [--out FOLDER]

Fill in the four TODOs in order. Until they are done the script names the
first one still open and stops; once they are, it filters a checkerboard with
your kernel and writes my_filter_output.png into FOLDER (default: the current
folder). Needs numpy and pillow.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image


class TodoNotDone(Exception):
    """Raised by a TODO of this file that is still waiting for your code."""


def todo(number, task):
    raise TodoNotDone(f"TODO {number} is still open: {task}")


def make_kernel():
    """Return your own 3x3 kernel as a float64 array."""
    # TODO 1: pick the nine numbers (hint 3 on the page lists some ideas).
    return todo(1, "return your own 3x3 kernel from make_kernel")


def convolve2d(image, kernel):
    """Slide kernel over image (no padding, stride 1); return the weighted sums."""
    image = np.asarray(image, dtype=np.float64)
    image_rows, image_cols = image.shape
    kernel_rows, kernel_cols = kernel.shape

    # TODO 2: how many positions does the kernel fit in, down and across?
    out_rows, out_cols = todo(2, "compute out_rows and out_cols in convolve2d")

    # TODO 3: an array of zeros of that shape, to fill in below.
    output = todo(3, "create the output array in convolve2d")

    for row in range(out_rows):
        for col in range(out_cols):
            # TODO 4: take the window under the kernel, multiply, sum, store.
            todo(4, "fill output[row, col] inside the loops of convolve2d")

    return output


def normalize(values):
    """Stretch values linearly onto 0-255 and return uint8 (all zeros if flat)."""
    low, high = values.min(), values.max()
    if high == low:
        return np.zeros(values.shape, dtype=np.uint8)
    return ((values - low) / (high - low) * 255).round().astype(np.uint8)


def make_checkerboard(size=256, square=32):
    """White and black squares of square pixels, white in the top-left corner."""
    index = np.arange(size) // square
    return np.where((index[:, None] + index[None, :]) % 2 == 0, 255.0, 0.0)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Exercise 3: your own convolution.")
    parser.add_argument("--out", default=".", help="folder for my_filter_output.png")
    args = parser.parse_args(argv)
    try:
        result = normalize(convolve2d(make_checkerboard(), make_kernel()))
    except TodoNotDone as error:
        print(f"{Path(sys.argv[0]).name}: {error}.", file=sys.stderr)
        return 1
    Path(args.out).mkdir(parents=True, exist_ok=True)
    path = Path(args.out) / "my_filter_output.png"
    Image.fromarray(result).save(path)
    print(f"wrote {path} ({result.shape[1]}x{result.shape[0]} pixels)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
