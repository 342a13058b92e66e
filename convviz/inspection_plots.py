"""Matplotlib helpers for the part 3 figures: digits, signed maps, tiled feature maps, kernels.

Figures are laid out :data:`WIDTH` inches wide at 100 CSS px per inch, the
page column at a 1280-px window, with no text under :data:`FONT` points
(16.7 CSS px of layout), and saved by :func:`save` :data:`PIXEL_WIDTH` pixels
wide, twice the column, with a palette of gray levels and a few colours. On a
phone the page keeps such a figure at least 36rem wide and lets it scroll
sideways, so its smallest text stays at 12 CSS px or more. Layouts are fixed
(no tight layout): the figure is drawn once. Signed values use the site's one
signed colour map (:data:`convviz.plotting.SIGNED_CMAP`, from the stops the
explorers get): purple negative, white zero, orange positive.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from convviz.figure_output import save_png
from convviz.plotting import POSITIVE
from convviz.plotting import SIGNED_CMAP as SIGNED_CMAP

WIDTH = 8.0
#: Saved width in pixels: twice the page column of about 740 CSS px.
PIXEL_WIDTH = 1480
#: Receptive-field boxes: the positive colour of the signed map.
BOX_COLOUR = POSITIVE
FONT = 12


def save(fig, name, width=PIXEL_WIDTH, *, panels=None, panel_width=None):
    """Save a part 3 figure width pixels wide (twice the CSS width shown), drawn once, grays kept smooth.

    panels and panel_width state the panels of a figure drawn as one mosaic (see save_png).
    """
    return save_png(
        fig, name, width=width, tight=False, palette="gray-ramp", panels=panels, panel_width=panel_width
    )


def coloured(values, cmap, vmin, vmax):
    """RGB (H, W, 3) floats of values through a colour map from vmin to vmax; NaN is white."""
    shown = plt.get_cmap(cmap).with_extremes(bad="white")((np.asarray(values) - vmin) / (vmax - vmin))
    return shown[..., :3]


def caption(ax, text, fontsize=FONT, y=1.03):
    """A title centred above ax (placed directly: cheaper to draw than ax.set_title)."""
    ax.text(0.5, y, text, transform=ax.transAxes, ha="center", va="bottom", fontsize=fontsize)


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
        caption(ax, title)
    ax.set_axis_off()


def show_signed(ax, values, limit, title=None, extent=None):
    """Signed values on a diverging map centred at 0, from −limit to +limit. Returns the image."""
    shown = ax.imshow(
        values, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit, interpolation="nearest", extent=extent
    )
    if title:
        caption(ax, title)
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
        caption(ax, title)
    ax.set_axis_off()


def show_kernel_values(ax, kernel, title=None, limit=None, decimals=2, fontsize=FONT):
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
    # Cell borders and frame as lines and a rectangle: axes with ticks cost far more to draw.
    rows, cols = kernel.shape
    ax.hlines(np.arange(0.5, rows - 1), -0.5, cols - 0.5, color="#555555", linewidth=0.8)
    ax.vlines(np.arange(0.5, cols - 1), -0.5, rows - 0.5, color="#555555", linewidth=0.8)
    ax.add_patch(Rectangle((-0.5, -0.5), cols, rows, fill=False, edgecolor="#555555", linewidth=0.8))
    ax.set_axis_off()
    if title:
        caption(ax, title)


def add_colorbar(fig, image, axes, label):
    """A colour bar for image beside axes, labelled."""
    bar = fig.colorbar(image, ax=axes, fraction=0.03, pad=0.02)
    bar.set_label(label, fontsize=FONT)
    bar.ax.tick_params(labelsize=FONT)
    return bar


def add_colorbar_below(fig, image, ax, label, height=0.012, gap=0.035):
    """A horizontal colour bar for image under ax, 80 % of its width, labelled.

    height and gap (from ax to the bar) are fractions of the figure's height;
    the other axes keep their places.
    """
    box = ax.get_position()
    bar_ax = fig.add_axes((box.x0 + 0.1 * box.width, box.y0 - gap - height, 0.8 * box.width, height))
    bar = fig.colorbar(image, cax=bar_ax, orientation="horizontal")
    bar.set_label(label, fontsize=FONT)
    bar.ax.tick_params(labelsize=FONT)
    return bar


def enlarge(image, factor):
    """Each pixel of a 2-D array repeated factor × factor times (nearest-neighbour enlargement)."""
    return np.repeat(np.repeat(np.asarray(image, dtype=np.float64), factor, axis=0), factor, axis=1)


def stack(blocks, gap, width=None):
    """2-D arrays one under another, each centred, NaN around them and gap NaN rows after each one.

    Returns (stacked, tops): the array and the first row of every block.
    """
    width = max(block.shape[1] for block in blocks) if width is None else width
    height = sum(block.shape[0] + gap for block in blocks)
    stacked = np.full((height, width), np.nan)
    tops, top = [], 0
    for block in blocks:
        left = (width - block.shape[1]) // 2
        stacked[top : top + block.shape[0], left : left + block.shape[1]] = block
        tops.append(top)
        top += block.shape[0] + gap
    return stacked, tops


def side_by_side(blocks, gap):
    """2-D arrays of one height next to each other, gap NaN columns apart: (joined, lefts)."""
    joined = np.full((blocks[0].shape[0], sum(b.shape[1] for b in blocks) + gap * (len(blocks) - 1)), np.nan)
    lefts, left = [], 0
    for block in blocks:
        joined[:, left : left + block.shape[1]] = block
        lefts.append(left)
        left += block.shape[1] + gap
    return joined, lefts
