"""Exercise 3 solution and challenge: an emboss filter and an animated transition.

Usage:
    python cnn_solution.py [--out FOLDER]

Writes my_filter_output.png (the checkerboard embossed) and
filter_transition.gif (20 frames going from no effect to the full emboss)
into FOLDER (default: the current folder), replacing files of the same names.
If anything fails, the folder is left as it was and one line says why. Needs
numpy, pillow and imageio.
"""

import io
import sys
from pathlib import Path

try:
    from self_check import (
        Failure,
        OneLineParser,
        one_line_errors,
        prepare_folder,
        write_files,
    )
except ImportError as error:  # the solution uses the exercise's helper file, of the same version, beside it
    if isinstance(error, ModuleNotFoundError) and error.name == "self_check":
        sys.exit(
            f"{Path(sys.argv[0]).name}: self_check.py is missing: put this file in the folder of "
            "exercise3.zip (it holds self_check.py)"
        )
    sys.exit(f"{Path(sys.argv[0]).name}: self_check.py is from another version ({error}): unzip it again")
try:
    import imageio.v2 as imageio
    import numpy as np
    from PIL import Image
except ModuleNotFoundError as missing:  # name the package to install, in one line
    package = str(missing.name).partition(".")[0].replace("PIL", "pillow")
    sys.exit(f"{Path(sys.argv[0]).name}: needs the Python package {package}: pip install {package}")

OUTPUTS = ("my_filter_output.png", "filter_transition.gif")
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
            output[row, col] = (image[row : row + kernel_rows, col : col + kernel_cols] * kernel).sum()

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


def png_bytes(array):
    """array (uint8 gray levels, or RGB) encoded as a PNG file."""
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def gif_bytes(frames):
    """An animated GIF of the frames, 100 ms each, looping for ever.

    imageio takes duration in milliseconds from version 2.28 on, in seconds before
    (100 would show each frame for 100 s): the file's own duration is checked.
    """
    data = imageio.mimwrite("<bytes>", frames, format="GIF", duration=100, loop=0)
    with Image.open(io.BytesIO(data)) as gif:
        shown = gif.info.get("duration")
    if shown != 100:
        raise Failure(
            f"imageio wrote frames of {shown} ms instead of 100 ms: versions before 2.28 read the duration "
            "in seconds; pip install --upgrade imageio"
        )
    return data


def transition_frames(image, start, end, steps=20):
    """Frames filtered by kernels blended from start (t=0) to end (t=1).

    Convolution is linear in the kernel, so the two end results are computed
    once and blended: conv(image, (1-t)*start + t*end) equals
    (1-t)*conv(image, start) + t*conv(image, end).
    """
    first, last = convolve2d(image, start), convolve2d(image, end)
    return [normalize((1 - t) * first + t * last) for t in np.linspace(0.0, 1.0, steps)]


@one_line_errors
def main(argv=None):
    parser = OneLineParser(description="Exercise 3 solution and the GIF challenge.")
    parser.add_argument("--out", default=".", help="folder for the two output files")
    args = parser.parse_args(argv)
    folder = prepare_folder(args.out, OUTPUTS)
    pattern = make_checkerboard()
    result = normalize(convolve2d(pattern, make_kernel()))
    frames = transition_frames(pattern, IDENTITY, EMBOSS)
    outputs = [png_bytes(result), gif_bytes(frames)]
    described = [f"{result.shape[1]}x{result.shape[0]} pixels", f"{len(frames)} frames"]
    write_files(folder, list(zip(OUTPUTS, outputs, described)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
