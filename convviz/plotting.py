"""Matplotlib helpers shared by the figure scripts.

Sizes: at a 1280-px window the page column shows figures about 740 CSS px
wide. Figures are laid out in inches at :data:`CSS_PX_PER_INCH`, so one
:data:`COLUMN_INCHES` wide is shown at about 0.92 of its layout size, and
saved at :data:`RASTER_DPI`, twice that scale, so they stay sharp on
high-density screens. A font of :data:`MIN_FONT_PT` then shows at 12 CSS px
or more.

Colours: one colour-blind-safe convention for signed values everywhere,
positive orange, negative purple, zero white (ColorBrewer's PuOr ends).
"""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap, TwoSlopeNorm

from convviz.figure_output import figure_description, save_file

#: Layout scale: one inch of a figure is this many CSS pixels on the page.
CSS_PX_PER_INCH = 100
#: The width of the page column, in figure inches.
COLUMN_INCHES = 8.0
#: Raster figures are saved at twice the layout scale.
RASTER_DPI = 2 * CSS_PX_PER_INCH
#: The smallest font size used in a figure: 10 pt at 100 CSS px per inch, shown at 0.92, is 12.8 CSS px.
MIN_FONT_PT = 10

#: Positive values (orange), negative values (purple), zero (white).
POSITIVE = "#e66101"
NEGATIVE = "#5e3c99"
ZERO = "#ffffff"
#: Light tints of the two, for cell backgrounds behind dark text.
POSITIVE_LIGHT = "#fdb863"
NEGATIVE_LIGHT = "#b2abd2"
#: The colours of the signed map from its most negative end to its most positive, evenly spaced
#: (the network explorer's occlusion map gets them as data, so it shows the figures' colours).
SIGNED_STOPS = (NEGATIVE, NEGATIVE_LIGHT, ZERO, POSITIVE_LIGHT, POSITIVE)
#: Diverging colour map for signed values: purple below zero, white at zero, orange above.
SIGNED_CMAP = LinearSegmentedColormap.from_list("signed", list(SIGNED_STOPS))

#: SVG output with the same bytes on every build (ids come from this salt, not from chance).
SVG_HASH_SALT = "convviz"


def show_image(ax, image, title, cmap="gray", fontsize=10):
    """Draw a grayscale or RGB image with a title and no axes."""
    ax.imshow(image, cmap=cmap, interpolation="nearest")
    ax.set_title(title, fontsize=fontsize)
    ax.set_axis_off()


def show_signed(ax, values, title, limit=None, fontsize=10):
    """Draw signed values with the signed colour map, zero white, symmetric around zero."""
    values = np.asarray(values, dtype=np.float64)
    limit = float(np.abs(values).max()) if limit is None else float(limit)
    ax.imshow(
        values, cmap=SIGNED_CMAP, vmin=-max(limit, 1e-12), vmax=max(limit, 1e-12), interpolation="nearest"
    )
    ax.set_title(title, fontsize=fontsize)
    ax.set_axis_off()


def format_weight(value):
    """Whole numbers without decimals, others with up to three."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.3g}"


def show_kernel(ax, kernel, title, scale_note="", limit=None, fontsize=12):
    """Draw a kernel as coloured cells (purple < 0, white 0, orange > 0) with its values.

    limit sets the value drawn at full colour (default: the largest magnitude in
    this kernel); pass the same limit to kernels that share one colour scale.
    """
    kernel = np.asarray(kernel, dtype=np.float64)
    limit = max(np.abs(kernel).max() if limit is None else float(limit), 1e-12)
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-limit, vmax=limit)
    ax.imshow(kernel, cmap=SIGNED_CMAP, norm=norm)
    for (row, col), value in np.ndenumerate(kernel):
        # Black text keeps 4.5:1 on every orange; deep purples take white.
        color = "white" if value < 0 and abs(value) / limit > 0.55 else "black"
        ax.text(col, row, format_weight(value), ha="center", va="center", fontsize=fontsize, color=color)
    rows, cols = kernel.shape
    ax.set_xticks(np.arange(-0.5, cols), minor=True)
    ax.set_yticks(np.arange(-0.5, rows), minor=True)
    ax.grid(which="minor", color="#555555", linewidth=1)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    ax.set_title(title + (f"  {scale_note}" if scale_note else ""), fontsize=fontsize)


def image_grid(images, titles, columns, width=COLUMN_INCHES, fontsize=10):
    """A figure with one panel per image, width inches wide; extra panels are hidden. Returns it."""
    rows = -(-len(images) // columns)
    size = width / columns
    fig, axes = plt.subplots(rows, columns, figsize=(width, size * rows + 0.35 * rows))
    axes = np.atleast_1d(axes).ravel()
    for ax, image, title in zip(axes, images, titles):
        show_image(ax, image, title, fontsize=fontsize)
    for ax in axes[len(images) :]:
        ax.set_axis_off()
    fig.tight_layout()
    return fig


def save_svg(fig, name, *, panels=None, panel_width=None):
    """Save a matplotlib figure as SVG with no date, so the bytes repeat from build to build.

    The SVG's description holds :func:`figure_description` (panels and
    panel_width as there), panel widths in points.
    """
    fig.draw_without_rendering()  # axes with a fixed aspect take their drawn places
    description = figure_description(fig, dpi=72, panels=panels, panel_width=panel_width)

    def write(path):
        # A fixed salt makes the SVG's element ids repeat; it is set here because
        # sphinx-gallery resets matplotlib's settings between scripts.
        with mpl.rc_context({"svg.hashsalt": SVG_HASH_SALT}):
            fig.savefig(
                path,
                format="svg",
                metadata={"Date": None, "Description": description},
                facecolor="white",
                bbox_inches="tight",
                pad_inches=0.1,
            )

    path = save_file(write, name)
    print(f"saved {name}")
    return path
