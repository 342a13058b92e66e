"""Matplotlib helpers shared by the figure scripts."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap, TwoSlopeNorm

#: Negative weights red, zero white, positive green.
WEIGHT_CMAP = LinearSegmentedColormap.from_list("weights", ["#c62828", "#ffffff", "#2e7d32"])


def show_image(ax, image, title, cmap="gray"):
    """Draw a grayscale or RGB image with a title and no axes."""
    ax.imshow(image, cmap=cmap, interpolation="nearest")
    ax.set_title(title, fontsize=10)
    ax.set_axis_off()


def format_weight(value):
    """Whole numbers without decimals, others with up to three."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.3g}"


def show_kernel(ax, kernel, title, scale_note=""):
    """Draw a kernel as coloured cells (red < 0, white 0, green > 0) with its values."""
    kernel = np.asarray(kernel, dtype=np.float64)
    limit = max(np.abs(kernel).max(), 1e-12)
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-limit, vmax=limit)
    ax.imshow(kernel, cmap=WEIGHT_CMAP, norm=norm)
    for (row, col), value in np.ndenumerate(kernel):
        ax.text(col, row, format_weight(value), ha="center", va="center", fontsize=12)
    rows, cols = kernel.shape
    ax.set_xticks(np.arange(-0.5, cols), minor=True)
    ax.set_yticks(np.arange(-0.5, rows), minor=True)
    ax.grid(which="minor", color="#555555", linewidth=1)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    ax.set_title(title + (f"  {scale_note}" if scale_note else ""), fontsize=11)


def image_grid(images, titles, columns, size=2.4):
    """A figure with one panel per image; extra panels are hidden. Returns the figure."""
    rows = -(-len(images) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(size * columns, size * rows + 0.3))
    axes = np.atleast_1d(axes).ravel()
    for ax, image, title in zip(axes, images, titles):
        show_image(ax, image, title)
    for ax in axes[len(images) :]:
        ax.set_axis_off()
    fig.tight_layout()
    return fig
