"""What exercise 5 prints and draws, shared by occlusion_starter.py and occlusion_solution.py.

The maps are made for exercise 4's network, whose forward pass both scripts
take from tiny_cnn_solution.py; exercise5.zip holds all four files and
self_check.py. You do not need to edit this file.
"""

import io
import sys
from pathlib import Path

import numpy as np  # the script importing this file has checked numpy and pillow are there
from PIL import Image
from self_check import Failure, OneLineParser

MAPS_PNG = "occlusion_maps.png"
#: The test digits mapped unless --digits names others, and how many one run may map.
DIGITS = (0, 1, 2)
MAX_DIGITS = 10
#: Each pixel of the digits and maps in occlusion_maps.png is SCALE × SCALE pixels of the file.
SCALE = 8
#: The colours of the maps: a drop at full strength, a rise at full strength (zero is white).
ORANGE = (230, 97, 1)
PURPLE = (94, 60, 153)
#: The gray of map pixels at the centre of no patch.
UNCOVERED = 230


# ---------------------------------------------------------------- what the run prints and draws


def chosen(args, count):
    """The test digits, patch, stride and fill of the command line, checked; Failure (status 2) if not."""
    if len(args.digits) > MAX_DIGITS:
        raise Failure(f"--digits takes at most {MAX_DIGITS} test digits, got {len(args.digits)}", 2)
    for number in args.digits:
        if not 0 <= number < count:
            raise Failure(
                f"--digits: there is no test digit {number}; the weights file holds 0 to {count - 1}", 2
            )
    if not 1 <= args.patch <= 28:
        raise Failure(f"--patch must be from 1 to 28 pixels, got {args.patch}", 2)
    if not 1 <= args.stride <= 28:
        raise Failure(f"--stride must be from 1 to 28 pixels, got {args.stride}", 2)
    if not 0 <= args.fill <= 1:
        raise Failure(f"--fill must be a gray level from 0 (black) to 1 (white), got {args.fill:g}", 2)
    return args.digits, args.patch, args.stride, args.fill


def amount(value):
    """A score difference with two decimals, never "-0.00"."""
    return f"{value:.2f}".replace("-0.00", "0.00")


def describe(number, label, scores, drops, patch, stride):
    """One line on the map of test digit number: where covering lowers the score of label most."""
    said = f"test digit {number}, a {label} (the network says {int(np.argmax(scores))}, "
    said += f"score {amount(scores[label])})"
    spread = f"the map runs from {amount(drops.min())} to {amount(drops.max())}"
    if drops.max() <= 0:
        return f"{said}: no patch lowers the score; {spread}"
    i, j = np.unravel_index(np.argmax(drops), drops.shape)
    top, left = i * stride, j * stride
    where = f"rows {top}-{top + patch - 1}, columns {left}-{left + patch - 1}"
    return f"{said}: covering {where} lowers the score most, by {amount(drops.max())}; {spread}"


def map_image(images, maps, patch, stride):
    """One row per digit, the digit in gray and its map beside it, as RGB uint8.

    Cell (i, j) of a map colours the pixels at the centre of its patch (stride ×
    stride of them, the whole patch if it is smaller): orange where covering
    lowers the score, purple where it raises it, white where nothing changes,
    full colour at the map's own largest change; pixels at the centre of no
    patch stay light gray. Each pixel becomes SCALE × SCALE.
    """
    gap = 2  # pixels of white between the panels, before scaling
    rows, cols = images[0].shape
    canvas = np.full((len(images) * (rows + gap) - gap, 2 * cols + gap, 3), 255.0)
    block = min(patch, stride)
    offset = (patch - block) // 2
    for n, (image, drops) in enumerate(zip(images, maps)):
        top = n * (rows + gap)
        canvas[top : top + rows, :cols] = 255 * image[..., None]
        limit = np.abs(drops).max()
        strength = np.full((rows, cols), np.nan)
        for (i, j), drop in np.ndenumerate(drops):
            row, col = i * stride + offset, j * stride + offset
            strength[row : row + block, col : col + block] = drop / limit if limit > 0 else 0.0
        ends = np.where(strength[..., None] >= 0, np.array(ORANGE), np.array(PURPLE))
        coloured = 255 + np.abs(strength)[..., None] * (ends - 255)
        canvas[top : top + rows, cols + gap :] = np.where(np.isnan(coloured), UNCOVERED, coloured)
    pixels = np.round(canvas).astype(np.uint8)
    return pixels.repeat(SCALE, axis=0).repeat(SCALE, axis=1)


def png_bytes(array):
    """array (uint8 gray levels, or RGB) encoded as a PNG file."""
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def options(description):
    """The command-line options of the run; the starter adds --check and --network."""
    here = Path(sys.argv[0]).resolve().parent
    parser = OneLineParser(description=description)
    parser.add_argument(
        "--digits",
        type=int,
        nargs="+",
        default=list(DIGITS),
        metavar="N",
        help="the test digits to map, counted from 0 (default: 0 1 2)",
    )
    parser.add_argument(
        "--patch", type=int, default=6, help="side of the square patch in pixels (default: 6)"
    )
    parser.add_argument("--stride", type=int, default=2, help="step between patch positions (default: 2)")
    parser.add_argument(
        "--fill",
        type=float,
        default=0.0,
        help="gray level of the patch, 0 black to 1 white (default: 0, the background)",
    )
    parser.add_argument("--weights", default=str(here / "tiny_cnn_weights.npz"), help="the .npz file")
    parser.add_argument("--out", default=".", help=f"folder for {MAPS_PNG}")
    return parser
