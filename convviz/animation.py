"""Frames of the convolution animation: a 3×3 window sliding over an 8×8 input.

Each frame shows the input with the current window outlined, the kernel, the
nine products with their sum, and the output map filled up to the current cell.
Frames are drawn with Pillow on a fixed palette so the GIF is small and the
same bytes on every build, at :data:`SCALE` times the size the page shows them
so they stay sharp on high-density screens. Kernel cells use the module's
colours for signed values: orange positive, purple negative.
"""

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from convviz.convolution import correlate2d

#: Pixels per CSS pixel: the page shows the animation at 1 / SCALE of its pixel size.
SCALE = 2
CELL = 34 * SCALE
MARGIN = 20 * SCALE
TITLE_GAP = 30 * SCALE
COLORS = {
    "background": (255, 255, 255),
    "text": (20, 20, 20),
    "grid": (150, 150, 150),
    "window": (33, 102, 172),
    "window_fill": (222, 235, 247),
    "done": (240, 240, 240),
    "current": (158, 202, 225),
    "positive": (253, 184, 99),  # plotting.POSITIVE_LIGHT
    "negative": (178, 171, 210),  # plotting.NEGATIVE_LIGHT
}


def step_details(image, kernel, row, col, padding=0, stride=1):
    """The element-wise products of kernel with the window of output (row, col), and their sum.

    The window's top-left corner is at (row * stride, col * stride) of the image with
    ``padding`` rows and columns of zeros added on every side (the defaults: the window at
    (row, col) of the image itself).
    """
    kh, kw = kernel.shape
    padded = np.pad(np.asarray(image, dtype=float), padding)
    top, left = row * stride, col * stride
    window = padded[top : top + kh, left : left + kw]
    products = window * kernel
    return products, float(products.sum())


def _palette_image():
    colors = list(COLORS.values()) + [(g, g, g) for g in range(0, 256, 17)]
    flat = [channel for color in colors for channel in color]
    palette = Image.new("P", (1, 1))
    palette.putpalette(flat + [255] * (768 - len(flat)))
    return palette


def _grid(draw, font, origin, values, fills, number_format="{:g}"):
    x0, y0 = origin
    for (r, c), value in np.ndenumerate(values):
        box = (x0 + c * CELL, y0 + r * CELL, x0 + (c + 1) * CELL, y0 + (r + 1) * CELL)
        draw.rectangle(box, fill=fills.get((r, c), COLORS["background"]), outline=COLORS["grid"], width=SCALE)
        if value is not None and not (isinstance(value, float) and np.isnan(value)):
            centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
            draw.text(centre, number_format.format(value), fill=COLORS["text"], font=font, anchor="mm")


def render_frames(image, kernel):
    """Return one RGB-palette Pillow image per output position, in reading order."""
    output = correlate2d(image, kernel)
    out_rows, out_cols = output.shape
    kh, kw = kernel.shape
    font = ImageFont.load_default(size=15 * SCALE)
    small = ImageFont.load_default(size=13 * SCALE)
    input_x = MARGIN
    kernel_x = input_x + image.shape[1] * CELL + 40 * SCALE
    output_x = kernel_x + kw * CELL + 40 * SCALE
    width = output_x + out_cols * CELL + MARGIN
    height = MARGIN + TITLE_GAP + image.shape[0] * CELL + MARGIN
    top = MARGIN + TITLE_GAP
    palette = _palette_image()
    kernel_fills = {
        (r, c): COLORS["positive"] if v > 0 else COLORS["negative"] if v < 0 else COLORS["background"]
        for (r, c), v in np.ndenumerate(kernel)
    }
    frames = []
    for index in range(out_rows * out_cols):
        row, col = divmod(index, out_cols)
        products, total = step_details(image, kernel, row, col)
        frame = Image.new("RGB", (width, height), COLORS["background"])
        draw = ImageDraw.Draw(frame)
        draw.text(
            (input_x, MARGIN), f"input {image.shape[0]} x {image.shape[1]}", fill=COLORS["text"], font=font
        )
        draw.text((kernel_x, MARGIN), f"kernel {kh} x {kw}", fill=COLORS["text"], font=font)
        draw.text((output_x, MARGIN), f"output {out_rows} x {out_cols}", fill=COLORS["text"], font=font)
        window_fills = {(row + r, col + c): COLORS["window_fill"] for r in range(kh) for c in range(kw)}
        _grid(draw, font, (input_x, top), image, window_fills)
        x0, y0 = input_x + col * CELL, top + row * CELL
        draw.rectangle((x0, y0, x0 + kw * CELL, y0 + kh * CELL), outline=COLORS["window"], width=3 * SCALE)
        _grid(draw, font, (kernel_x, top), kernel, kernel_fills)
        products_y = top + kh * CELL + 30 * SCALE
        draw.text((kernel_x, products_y - 22 * SCALE), "window x kernel", fill=COLORS["text"], font=small)
        _grid(draw, small, (kernel_x, products_y), products + 0.0, {})
        sum_y = products_y + kh * CELL + 8 * SCALE
        draw.text((kernel_x, sum_y), f"sum = {total + 0.0:g}", fill=COLORS["window"], font=font)
        shown = np.full(output.shape, np.nan)
        shown.flat[: index + 1] = output.flat[: index + 1]
        done = {
            (r, c): COLORS["done"]
            for r in range(out_rows)
            for c in range(out_cols)
            if r * out_cols + c < index
        }
        done[(row, col)] = COLORS["current"]
        _grid(draw, font, (output_x, top), shown, done)
        frames.append(frame.quantize(palette=palette, dither=Image.Dither.NONE))
    return frames
