"""Saving figures, animations, other files and measured numbers, with the same bytes on every run.

Where a file goes: while the site is built, the build sends every save into its
generated folder (:func:`save_into`, called around each figure script);
otherwise next to the script that is running (``python plot_NN_name.py``, a
gallery download run beside the unzipped package), or into the working folder
of a notebook.
"""

import io
import os
import secrets
import sys
from pathlib import Path

import numpy as np
from PIL import Image, PngImagePlugin

#: Where saves go while something routes them (the site build): (folder, claim or None, shown or None).
_route = None


def save_into(folder, claim=None, shown=None):
    """Send every save into folder until ``save_into(None)``.

    claim(name), when given, runs before each file is written and may raise to
    refuse the name; the site build records there which script saves what.
    shown(name, fig), when given, runs after :func:`save_png` has written fig as
    name; the site build shows that file on the script's gallery page.
    """
    global _route
    _route = None if folder is None else (Path(folder), claim, shown)


def _own_folder():
    """The folder of the running script, or the working folder of a notebook."""
    script = getattr(sys.modules.get("__main__"), "__file__", None)
    if script is not None and Path(script).suffix == ".py" and Path(script).is_file():
        return Path(script).resolve().parent
    if "ipykernel" in sys.modules:
        return Path.cwd()
    raise RuntimeError(
        "convviz cannot tell where to save: run the figure script as a file "
        "(python plot_NN_name.py) or in a notebook"
    )


def _save(name, write):
    """Write one output through write(path), atomically, where saves go; return its path."""
    if not isinstance(name, str) or not name or Path(name).name != name or name.startswith("."):
        raise ValueError(f"name must be a file name without a folder, got {name!r}")
    if _route is None:
        folder = _own_folder()
    else:
        folder, claim, _ = _route
        if claim is not None:
            claim(name)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    # A temporary name of this save's own: two processes saving one name at once (two scripts,
    # which the site build then reports) must not write into, or move away, each other's file.
    temporary = path.with_name(f".{name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def smallest_font_points(fig):
    """The smallest font size, in points, of any text the figure shows (None if it shows none)."""
    texts = list(fig.texts)
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        texts += ax.texts + [ax.title, ax._left_title, ax._right_title]
        if ax.axison:
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_visible():
                    texts += [axis.label, *axis.get_ticklabels()]
        legend = ax.get_legend()
        if legend is not None:
            texts += legend.get_texts()
    sizes = [text.get_fontsize() for text in texts if text.get_visible() and text.get_text().strip()]
    return min(sizes) if sizes else None


def _horizontal_scale(ax):
    """Display pixels (at the figure's dpi) per unit of ax's x data."""
    (x0, _), (x1, _) = ax.transData.transform([(0, 0), (1, 0)])
    return abs(x1 - x0)


def panel_widths(fig, panel_width=None):
    """The width of every panel as drawn, in display pixels at the figure's dpi.

    A panel that shows images is as wide as the part of its images inside the
    axes; one that plots lines is as wide as its axes. A figure drawn as one
    mosaic says how wide its narrowest panel is in the data units of the axes
    holding it: panel_width = (ax, units). Positions are those of the last
    drawing (an axes with a fixed aspect takes its place when drawn).
    """
    if panel_width is not None:
        ax, units = panel_width
        return [units * _horizontal_scale(ax)]
    widths = []
    for ax in fig.axes:
        if ax.images:
            box = ax.bbox
            shown = 0.0
            for image in ax.images:
                left, right = sorted(ax.transData.transform([(x, 0) for x in image.get_extent()[:2]])[:, 0])
                shown = max(shown, min(right, box.x1) - max(left, box.x0))
            widths.append(shown)
        elif ax.lines:
            widths.append(ax.bbox.width)
    return widths


def _check_record(fig, panels, panel_width):
    if panels is not None:
        count, sizes = panels if isinstance(panels, tuple) and len(panels) == 2 else (None, None)
        if not (isinstance(count, int) and count >= 1 and isinstance(sizes, list | tuple)):
            raise ValueError(f'panels must be (count, ["RxC", ...]), got {panels!r}')
        if not all(isinstance(size, str) and len(size.split("x")) == 2 for size in sizes):
            raise ValueError(f'panels must list image sizes as "RxC" text, got {sizes!r}')
    if panel_width is not None:
        ax, units = panel_width if isinstance(panel_width, tuple) and len(panel_width) == 2 else (None, 0)
        if ax not in fig.axes or not (isinstance(units, int | float) and units > 0):
            raise ValueError(f"panel_width must be (an axes of the figure, units > 0), got {panel_width!r}")


def figure_description(fig, dpi=None, width=None, *, panels=None, panel_width=None):
    """What a figure holds, for tests of its alt text, its text size and its panels' widths.

    "panels=N; sizes=RxC,RxC,...": a panel is an axes that shows an image or a
    plotted line; sizes are the rows × columns of every image shown, in the
    order of the axes. A figure drawn as one mosaic states its panels:
    panels = (count, sizes), and panel_width as for :func:`panel_widths`.
    Given the dpi it is drawn at and the width of the file in pixels,
    "; font_px=F; width_px=W" follow: the smallest text's size in pixels of
    the file, and the file's width. Given the dpi, "; panel_px=P" ends it: the
    narrowest panel's width in units of the file (pixels; points for an SVG,
    drawn at 72 dpi). The site reads it back with coursesite.figure_records.
    """
    _check_record(fig, panels, panel_width)
    if panels is not None:
        count, sizes = panels
    else:
        shown = [ax for ax in fig.axes if ax.images or ax.lines]
        count = len(shown)
        sizes = [f"{im.get_array().shape[0]}x{im.get_array().shape[1]}" for ax in shown for im in ax.images]
    description = f"panels={count}; sizes={','.join(sizes)}"
    points = smallest_font_points(fig)
    if dpi is not None and width is not None and points is not None:
        description += f"; font_px={points * dpi / 72:.1f}; width_px={width}"
    widths = panel_widths(fig, panel_width) if dpi is not None else []
    if widths:
        description += f"; panel_px={min(widths) * dpi / fig.dpi:.1f}"
    return description


def gray_ramp_palette(image, grays=192, colours=64):
    """An RGB Pillow image reduced to a palette: `grays` evenly spaced gray levels plus `colours`.

    The colours are an octree quantization of the pixels that are not gray, so
    gray photographs keep smooth tones and coloured maps keep their hues. Every
    pixel goes to its nearest palette entry, without dithering: deterministic.
    """
    pixels = np.asarray(image.convert("RGB"))
    levels = np.round(np.linspace(0, 255, grays)).astype(np.uint8)
    palette = [np.repeat(levels[:, None], 3, axis=1)]
    is_gray = (pixels[..., 0] == pixels[..., 1]) & (pixels[..., 1] == pixels[..., 2])
    coloured = pixels[~is_gray]
    if len(coloured):
        strip = Image.fromarray(coloured[None])
        reduced = strip.quantize(colors=colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        used = np.unique(np.asarray(reduced))
        palette.append(np.asarray(reduced.getpalette(), dtype=np.uint8).reshape(-1, 3)[used])
    entries = np.concatenate(palette).astype(np.int64)
    # Nearest entry of every pixel: gray pixels through a table of the 256 gray
    # values, the coloured ones (few) by comparing each distinct colour with every entry.
    indices = squared_distances(np.arange(256)[:, None].repeat(3, axis=1), entries).argmin(axis=1)
    indices = indices.astype(np.uint8)[pixels[..., 0]]
    if len(coloured):
        # Each colour as one 24-bit code (its bytes read as a big-endian number behind a zero
        # byte); a table over all codes finds the distinct ones (in increasing order) and
        # gives every pixel its colour's entry without sorting the pixels.
        padded = np.zeros((len(coloured), 4), dtype=np.uint8)
        padded[:, 1:] = coloured
        codes = padded.view(">u4").ravel()
        present = np.zeros(1 << 24, dtype=bool)
        present[codes] = True
        used_codes = np.flatnonzero(present)
        colours_used = np.stack([used_codes // 65536, used_codes // 256 % 256, used_codes % 256], axis=1)
        nearest = np.zeros(1 << 24, dtype=np.uint8)
        nearest[used_codes] = squared_distances(colours_used, entries).argmin(axis=1)
        indices[~is_gray] = nearest[codes]
    reduced = Image.fromarray(indices, mode="P")
    reduced.putpalette(entries.astype(np.uint8).ravel().tolist())
    return reduced


def squared_distances(points, entries):
    """(len(points), len(entries)) squared Euclidean distances of integer rows, exactly, as
    |p|² − 2 p·e + |e|² in int64 (no (points × entries × 3) array in between)."""
    points = points.astype(np.int64)
    return (points**2).sum(axis=1)[:, None] - 2 * points @ entries.T + (entries**2).sum(axis=1)[None]


#: How save_png stores the colours of a figure that is not all gray.
PALETTES = ("median-cut", "gray-ramp", "exact")


def _rendered_rgb(fig, dpi, tight):
    """The figure drawn on white at dpi, as an RGB Pillow image (cropped to its content when tight)."""
    buffer = io.BytesIO()
    if tight:
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", bbox_inches="tight", pad_inches=0.1)
        return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    # Raw pixels: one drawing, no PNG written and read back in between.
    fig.savefig(buffer, format="rgba", dpi=dpi, facecolor="white")
    size = (int(fig.get_figwidth() * dpi), int(fig.get_figheight() * dpi))
    return Image.frombuffer("RGBA", size, buffer.getvalue(), "raw", "RGBA", 0, 1).convert("RGB")


def save_png(
    fig,
    name,
    dpi=200,
    *,
    width=None,
    tight=True,
    palette="median-cut",
    gray_levels=256,
    panels=None,
    panel_width=None,
):
    """Save a matplotlib figure as a small, opaque PNG whose bytes repeat from build to build.

    width, in pixels, sets the dpi to width / the figure's width in inches (the
    file is then exactly that wide with tight=False, which also draws the
    figure once instead of twice). A figure whose pixels are all gray is stored
    as 8-bit gray (rounded to gray_levels evenly spaced levels, 256 keeps every
    one; fewer make a photograph's file smaller); any other with the palette named: "median-cut" (256 colours
    chosen for it), "gray-ramp" (:func:`gray_ramp_palette`) or "exact" (RGB).
    A text chunk "Description" holds :func:`figure_description` (panels and
    panel_width as there, for a figure drawn as one mosaic); nothing else varies.
    """
    if palette not in PALETTES:
        raise ValueError(f"palette must be one of {', '.join(PALETTES)}, got {palette!r}")
    if not (isinstance(gray_levels, int) and 2 <= gray_levels <= 256):
        raise ValueError(f"gray_levels must be a whole number from 2 to 256, got {gray_levels!r}")
    _check_record(fig, panels, panel_width)
    if width is not None:
        dpi = width / fig.get_figwidth()
    rgb = _rendered_rgb(fig, dpi, tight)
    pixels = np.asarray(rgb)
    if (pixels[..., 0] == pixels[..., 1]).all() and (pixels[..., 1] == pixels[..., 2]).all():
        small = rgb.convert("L")
        if gray_levels < 256:
            step = 255 / (gray_levels - 1)
            small = Image.fromarray((np.round(np.round(np.asarray(small) / step) * step)).astype(np.uint8))
    elif palette == "median-cut":
        small = rgb.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    elif palette == "gray-ramp":
        small = gray_ramp_palette(rgb)
    else:
        small = rgb
    info = PngImagePlugin.PngInfo()
    record = figure_description(fig, dpi, small.size[0], panels=panels, panel_width=panel_width)
    info.add_text("Description", record)
    path = _save(name, lambda target: small.save(target, format="PNG", optimize=True, pnginfo=info))
    print(f"saved {name} ({small.size[0]}×{small.size[1]} pixels)")
    if _route is not None and _route[2] is not None:
        _route[2](name, fig)
    return path


def save_gif(frames, name, durations_ms):
    """Save Pillow images as a looping animated GIF; one duration per frame, in ms."""

    def write(path):
        frames[0].save(
            path, format="GIF", save_all=True, append_images=frames[1:], duration=list(durations_ms), loop=0
        )

    path = _save(name, write)
    print(f"saved {name} ({len(frames)} frames)")
    return path


def save_file(writer, name):
    """Save any other output: writer(path) writes the file."""
    return _save(name, writer)


def save_numbers(numbers, name):
    """Save measured values as reStructuredText substitutions, for pages to include.

    A page that says ``.. include:: /_generated/<name>`` can then write
    ``|key|`` wherever the value belongs, so the text states what the build measured.
    """
    lines = [f".. |{key}| replace:: {value}" for key, value in sorted(numbers.items())]
    return _save(name, lambda path: path.write_text("\n".join(lines) + "\n"))
