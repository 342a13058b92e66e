"""Matplotlib helpers for the part 3 figures: digits, signed maps, tiled feature maps, kernels.

Figures are drawn 8 inches wide at 200 dpi (:data:`DPI`), twice the width the
page shows them at, so 10-point text reads at about 14 CSS pixels, and saved
with a palette of gray levels and a few colours (:func:`save_palette_png`)
to keep the page light. Signed
values use the colour-blind-safe diverging map purple-white-orange
(:data:`SIGNED_CMAP`): purple negative, orange positive.
"""

import io

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from convviz.figure_output import save_file

DPI = 200
WIDTH = 8.0
SIGNED_CMAP = "PuOr_r"
BOX_COLOUR = "#e66100"
FONT = 10


def symmetric_limit(*arrays):
    """The largest absolute value over the arrays (at least a tiny positive number)."""
    return max(max(float(np.abs(a).max()) for a in arrays), 1e-12)


def dim_outside(image, field, factor=0.3):
    """A copy of image multiplied by factor outside field = (top, bottom, left, right)."""
    top, bottom, left, right = field
    shown = np.asarray(image, dtype=np.float64)
    faded = shown * factor
    faded[top:bottom, left:right] = shown[top:bottom, left:right]
    return faded


def show_digit(ax, image, title=None):
    """A network input (28×28, values 0-1) in gray, with an optional title."""
    shown = np.asarray(image, dtype=np.float64)
    ax.imshow(shown, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    if title:
        ax.set_title(title, fontsize=FONT)
    ax.set_axis_off()


def show_signed(ax, values, limit, title=None, extent=None):
    """Signed values on a diverging map centred at 0, from −limit to +limit. Returns the image."""
    shown = ax.imshow(
        values, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit, interpolation="nearest", extent=extent
    )
    if title:
        ax.set_title(title, fontsize=FONT)
    ax.set_axis_off()
    return shown


def tile_maps(maps, columns, gap=1):
    """Feature maps (H, W, C) side by side in rows of `columns`, NaN in the gaps: one 2-D array."""
    return mosaic(np.moveaxis(maps, -1, 0), columns, gap)[0]


def mosaic(images, columns, gap=1):
    """(tiled, corners): images (N, H, W) in rows of `columns`, NaN gaps, each one's top-left corner."""
    n, h, w = np.shape(images)
    rows = -(-n // columns)
    tiled = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), np.nan)
    corners = []
    for k, image in enumerate(images):
        top, left = (k // columns) * (h + gap), (k % columns) * (w + gap)
        tiled[top : top + h, left : left + w] = image
        corners.append((top, left))
    return tiled, corners


def show_tiled(ax, maps, columns, vmax, title=None):
    """tile_maps drawn in gray from 0 to vmax, gaps white."""
    cmap = plt.get_cmap("gray").with_extremes(bad="white")
    ax.imshow(tile_maps(maps, columns), cmap=cmap, vmin=0, vmax=vmax, interpolation="nearest")
    if title:
        ax.set_title(title, fontsize=FONT)
    ax.set_axis_off()


def show_kernel_values(ax, kernel, title=None, limit=None, decimals=2, fontsize=FONT - 1):
    """A small kernel as diverging coloured cells with its values written in (white on dark cells)."""
    kernel = np.asarray(kernel, dtype=np.float64)
    limit = symmetric_limit(kernel) if limit is None else limit
    ax.imshow(kernel, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit)
    for (row, col), value in np.ndenumerate(kernel):
        text = f"{value:.{decimals}f}"
        if float(text) == 0:
            text = "0"
        colour = "white" if abs(value) > 0.55 * limit else "black"
        ax.text(col, row, text, ha="center", va="center", fontsize=fontsize, color=colour)
    ax.set_xticks(np.arange(-0.5, kernel.shape[1]), minor=True)
    ax.set_yticks(np.arange(-0.5, kernel.shape[0]), minor=True)
    ax.grid(which="minor", color="#555555", linewidth=0.8)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    if title:
        ax.set_title(title, fontsize=FONT)


def add_colorbar(fig, image, axes, label):
    """A colour bar for image beside axes, labelled."""
    bar = fig.colorbar(image, ax=axes, fraction=0.03, pad=0.02)
    bar.set_label(label, fontsize=FONT)
    bar.ax.tick_params(labelsize=FONT - 1)
    return bar


def palette_image(image, grays=192, colours=64):
    """An RGB Pillow image reduced to a palette: `grays` evenly spaced gray levels plus `colours`.

    The colours are an octree quantization of the pixels that are not gray, so
    gray photographs keep smooth tones and coloured maps keep their hues. Every
    pixel goes to its nearest palette entry, without dithering: deterministic.
    """
    pixels = np.asarray(image.convert("RGB"))
    levels = np.round(np.linspace(0, 255, grays)).astype(np.uint8)
    palette = [np.repeat(levels[:, None], 3, axis=1)]
    coloured = pixels[(pixels[..., 0] != pixels[..., 1]) | (pixels[..., 1] != pixels[..., 2])]
    if len(coloured):
        strip = Image.fromarray(coloured[None])
        reduced = strip.quantize(colors=colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        used = np.unique(np.asarray(reduced))
        palette.append(np.asarray(reduced.getpalette(), dtype=np.uint8).reshape(-1, 3)[used])
    entries = np.concatenate(palette).astype(np.int64)
    codes = pixels.reshape(-1, 3).astype(np.int64) @ np.array([65536, 256, 1])
    used_codes, inverse = np.unique(codes, return_inverse=True)
    colours_used = np.stack([used_codes // 65536, used_codes // 256 % 256, used_codes % 256], axis=1)
    distance = ((colours_used[:, None, :] - entries[None]) ** 2).sum(axis=2)
    indices = distance.argmin(axis=1)[inverse.ravel()].astype(np.uint8).reshape(pixels.shape[:2])
    reduced = Image.fromarray(indices, mode="P")
    reduced.putpalette(entries.astype(np.uint8).ravel().tolist())
    return reduced


def save_palette_png(fig, name, dpi=DPI):
    """Save fig like save_png (white, tight, no metadata), with the palette of :func:`palette_image`."""
    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format="png",
        dpi=dpi,
        metadata={"Software": None},
        facecolor="white",
        bbox_inches="tight",
        pad_inches=0.1,
    )
    reduced = palette_image(Image.open(buffer))
    path = save_file(lambda target: reduced.save(target, format="PNG", optimize=True), name)
    print(f"saved {name}")
    return path
