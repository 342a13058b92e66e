"""Exercise 3 solution and challenge: an emboss filter and an animated transition.

Usage:
    python cnn_solution.py [--out FOLDER]

Writes my_filter_output.png (the checkerboard embossed) and
filter_transition.gif (20 frames going from no effect to the full emboss)
into FOLDER (default: the current folder). Needs numpy, pillow and imageio.
"""

import argparse
import sys
from pathlib import Path

import imageio.v2 as imageio
import numpy as np
from PIL import Image

IDENTITY = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=np.float64)
EMBOSS = np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=np.float64)


def make_kernel():
    """TODO 1 done: emboss, a light-from-the-top-left relief effect."""
    return EMBOSS.copy()


def convolve2d(image, kernel):
    """Slide kernel over image (no padding, stride 1); return the weighted sums."""
    image = np.asarray(image, dtype=np.float64)
    image_rows, image_cols = image.shape
    kernel_rows, kernel_cols = kernel.shape

    # TODO 2 done: one position per place where the whole kernel fits.
    out_rows, out_cols = image_rows - kernel_rows + 1, image_cols - kernel_cols + 1

    # TODO 3 done.
    output = np.zeros((out_rows, out_cols))

    for row in range(out_rows):
        for col in range(out_cols):
            # TODO 4 done: the window's top-left corner is at (row, col).
            output[row, col] = np.sum(image[row : row + kernel_rows, col : col + kernel_cols] * kernel)

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


def transition_frames(image, start, end, steps=20):
    """Frames filtered by kernels blended from start (t=0) to end (t=1).

    Convolution is linear in the kernel, so the two end results are computed
    once and blended: conv(image, (1-t)*start + t*end) equals
    (1-t)*conv(image, start) + t*conv(image, end).
    """
    first, last = convolve2d(image, start), convolve2d(image, end)
    return [normalize((1 - t) * first + t * last) for t in np.linspace(0.0, 1.0, steps)]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Exercise 3 solution and the GIF challenge.")
    parser.add_argument("--out", default=".", help="folder for the two output files")
    args = parser.parse_args(argv)
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)

    pattern = make_checkerboard()
    result = normalize(convolve2d(pattern, make_kernel()))
    path = folder / "my_filter_output.png"
    Image.fromarray(result).save(path)
    print(f"wrote {path} ({result.shape[1]}x{result.shape[0]} pixels)")

    frames = transition_frames(pattern, IDENTITY, EMBOSS)
    gif_path = folder / "filter_transition.gif"
    imageio.mimsave(gif_path, frames, duration=100, loop=0)
    print(f"wrote {gif_path} ({len(frames)} frames)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
