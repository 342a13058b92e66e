"""Exercise 3 solution and challenge: an emboss filter and an animated transition.

Usage:
    python cnn_solution.py [--out FOLDER]

Writes my_filter_output.png (the checkerboard embossed) and
filter_transition.gif (20 frames going from no effect to the full emboss)
into FOLDER (default: the current folder), replacing files of the same names.
If anything fails, the folder is left as it was. Needs numpy, pillow and imageio.
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
    """Slide kernel over image (no padding, stride 1); return the weighted sums.

    The kernel is not flipped: a cross-correlation, as in a CNN's layers.
    """
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


def save_gif(path, frames):
    """An animated GIF of the frames, 100 ms each, looping for ever."""
    imageio.mimsave(path, frames, duration=100, loop=0)


def transition_frames(image, start, end, steps=20):
    """Frames filtered by kernels blended from start (t=0) to end (t=1).

    Convolution is linear in the kernel, so the two end results are computed
    once and blended: conv(image, (1-t)*start + t*end) equals
    (1-t)*conv(image, start) + t*conv(image, end).
    """
    first, last = convolve2d(image, start), convolve2d(image, end)
    return [normalize((1 - t) * first + t * last) for t in np.linspace(0.0, 1.0, steps)]


def prepare_folder(folder):
    """The output folder as a Path, created if needed; ValueError saying why it cannot be used."""
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{folder!r} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"cannot create folder {folder!r}: {error.strerror}") from None
    return path


def write_partial(pending, path, description, writer):
    """Call writer on a hidden partial name next to path and note it in pending for publish()."""
    partial = path.with_name(f".{path.stem}.partial{path.suffix}")
    pending.append((partial, path, description))
    writer(partial)


def publish(pending):
    """Give every partial file its real name and say which files were written and which replaced."""
    for partial, path, description in pending:
        verb = "replaced" if path.exists() else "wrote"
        partial.replace(path)
        print(f"{verb} {path} ({description})")
    pending.clear()


def discard(pending):
    """Remove the partial files of a run that failed; files already in the folder stay as they were."""
    for partial, _, _ in pending:
        partial.unlink(missing_ok=True)
    pending.clear()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Exercise 3 solution and the GIF challenge.")
    parser.add_argument("--out", default=".", help="folder for the two output files")
    args = parser.parse_args(argv)
    name = Path(sys.argv[0]).name
    try:
        folder = prepare_folder(args.out)
    except ValueError as error:
        print(f"{name}: {error}", file=sys.stderr)
        return 2
    pending = []
    try:
        pattern = make_checkerboard()
        result = normalize(convolve2d(pattern, make_kernel()))
        size = f"{result.shape[1]}x{result.shape[0]} pixels"
        write_partial(pending, folder / "my_filter_output.png", size, Image.fromarray(result).save)
        frames = transition_frames(pattern, IDENTITY, EMBOSS)
        gif = folder / "filter_transition.gif"
        write_partial(pending, gif, f"{len(frames)} frames", lambda path: save_gif(path, frames))
        publish(pending)
    except OSError as error:
        reason = error.strerror or error
        print(f"{name}: cannot write into {args.out!r}: {reason}; nothing written", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{name}: interrupted; nothing written", file=sys.stderr)
        return 130
    finally:
        discard(pending)
    return 0


if __name__ == "__main__":
    sys.exit(main())
