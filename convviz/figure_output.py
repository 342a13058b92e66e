"""Where figure scripts save their files, and how the build knows a script must run again.

A figure script saves with :func:`save_png`, :func:`save_gif`, :func:`save_file`
or :func:`save_numbers`. The save functions find the script that called them
on the call stack (sphinx-gallery compiles each script under its own path):

* a script under ``scripts/`` saves into :data:`convviz.paths.GENERATED_DIR`,
  the one home of generated files, and each save is recorded in the manifest
  ``figures.json`` there: the file, the script (relative to ``scripts/``) and a
  hash of this package and of the downloads;
* any other script (a gallery download run by a reader) saves next to itself,
  and a notebook into its own folder; nothing is recorded.

sphinx-gallery re-runs a script only when the script's own text changes;
:func:`stale_scripts` names the other scripts that must run again.
"""

import hashlib
import io
import json
import os
import sys
from pathlib import Path

import numpy as np
from PIL import Image, PngImagePlugin

from convviz.paths import DOWNLOADS_DIR, GENERATED_DIR, PACKAGE_DIR, SCRIPTS_DIR

MANIFEST_NAME = "figures.json"
#: Code whose change makes every recorded figure stale: this package and the downloads.
TRACKED_SOURCES = (PACKAGE_DIR, DOWNLOADS_DIR)
#: Glob of the figure scripts, relative to ``scripts/`` (one folder per part of the module).
SCRIPT_GLOB = "*/plot_*.py"


def source_hash():
    """A hash of every Python file of this package and of the downloads."""
    digest = hashlib.sha256()
    for folder in TRACKED_SOURCES:
        for path in sorted(folder.glob("*.py")):
            digest.update(f"{folder.name}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def figure_scripts(scripts_dir=None):
    """Every figure script, as a path relative to scripts_dir (e.g. ``part1_filters/plot_01_x.py``)."""
    scripts_dir = SCRIPTS_DIR if scripts_dir is None else scripts_dir
    return sorted(path.relative_to(scripts_dir).as_posix() for path in Path(scripts_dir).glob(SCRIPT_GLOB))


# -- Which script is saving, and where its files go ---------------------------------------


def calling_script():
    """The file of the first caller outside this package, or None (a notebook, a prompt)."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(str(PACKAGE_DIR)):
            path = Path(filename)
            return path.resolve() if path.suffix == ".py" and path.is_file() else None
        frame = frame.f_back
    return None


def output_target(script):
    """(folder, script name for the manifest or None) for a script path or None."""
    if script is not None:
        try:
            relative = script.relative_to(Path(SCRIPTS_DIR).resolve())
        except ValueError:
            return script.parent, None
        return Path(GENERATED_DIR), relative.as_posix()
    if "ipykernel" in sys.modules:  # a downloaded notebook: save into the notebook's folder
        return Path.cwd(), None
    raise RuntimeError(
        "convviz cannot tell which script is saving: run the figure script as a file "
        "(python plot_NN_name.py) or as a notebook"
    )


# -- The manifest ------------------------------------------------------------------------


def read_manifest(folder=None):
    """{file name: {"script": ..., "sources": ...}}, or None when missing or damaged."""
    folder = GENERATED_DIR if folder is None else folder
    try:
        manifest = json.loads((Path(folder) / MANIFEST_NAME).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict):
        return None
    for entry in manifest.values():
        if not (isinstance(entry, dict) and isinstance(entry.get("script"), str)):
            return None
        if not isinstance(entry.get("sources"), str):
            return None
    return manifest


def write_manifest(manifest, folder):
    """Write the manifest atomically (a temporary file renamed over the old one)."""
    path = Path(folder) / MANIFEST_NAME
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    os.replace(temporary, path)


def _record(path, script):
    manifest = read_manifest(path.parent) or {}
    manifest[path.name] = {"script": script, "sources": source_hash()}
    write_manifest(manifest, path.parent)


def stale_scripts(scripts_dir=None, generated_dir=None):
    """Scripts that must run: never recorded, a recorded file missing, or older package code.

    With no readable manifest every script is stale.
    """
    generated_dir = GENERATED_DIR if generated_dir is None else generated_dir
    scripts = figure_scripts(scripts_dir)
    manifest = read_manifest(generated_dir)
    if manifest is None:
        return scripts
    current = source_hash()
    recorded = {entry["script"] for entry in manifest.values()}
    stale = {script for script in scripts if script not in recorded}
    for name, entry in manifest.items():
        if entry["sources"] != current or not (Path(generated_dir) / name).is_file():
            stale.add(entry["script"])
    return sorted(stale & set(scripts))


def forget_outputs(scripts, generated_dir=None):
    """Delete the files recorded for scripts, and their entries: they are about to run again.

    What a script makes after it ran again is then exactly what it makes now (an
    output it no longer writes, or writes under another name, does not linger).
    """
    generated_dir = Path(GENERATED_DIR if generated_dir is None else generated_dir)
    manifest = read_manifest(generated_dir)
    if not manifest:
        return []
    forgotten = sorted(name for name, entry in manifest.items() if entry["script"] in set(scripts))
    for name in forgotten:
        (generated_dir / name).unlink(missing_ok=True)
        del manifest[name]
    write_manifest(manifest, generated_dir)
    return forgotten


def orphan_files(scripts_dir=None, generated_dir=None):
    """Generated files that no existing script claims (its script was renamed or deleted)."""
    generated_dir = GENERATED_DIR if generated_dir is None else generated_dir
    manifest = read_manifest(generated_dir) or {}
    scripts = set(figure_scripts(scripts_dir))
    claimed = {name for name, entry in manifest.items() if entry["script"] in scripts}
    folder = Path(generated_dir)
    if not folder.is_dir():
        return []
    return sorted(
        path.name for path in folder.iterdir() if path.name != MANIFEST_NAME and path.name not in claimed
    )


# -- Saving --------------------------------------------------------------------------------


def _save(name, write, script=None):
    """Write one output through write(path) into the caller's folder; record it in the build."""
    script = calling_script() if script is None else Path(script).resolve()
    folder, recorded_as = output_target(script)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    temporary = path.with_name(f".{name}.tmp")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    if recorded_as is not None:
        _record(path, recorded_as)
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


def panel_widths(fig):
    """The width of every panel as drawn, in display pixels at the figure's dpi.

    A panel that shows images is as wide as the part of its images inside the
    axes; one that plots lines is as wide as its axes. A figure drawn as one
    mosaic states how wide its narrowest panel is in the data units of the axes
    holding it: ``fig.panel_width = (ax, units)``. Positions are those of the
    last drawing (an axes with a fixed aspect takes its place when drawn).
    """
    if hasattr(fig, "panel_width"):
        ax, units = fig.panel_width
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


def figure_description(fig, dpi=None, width=None):
    """What a figure holds, for tests of its alt text, its text size and its panels' widths.

    "panels=N; sizes=RxC,RxC,...": a panel is an axes that shows an image or a
    plotted line; sizes are the rows × columns of every image shown, in the
    order of the axes. A figure drawn as one mosaic states its own panels:
    ``fig.panels = (count, sizes)``. Given the dpi it is drawn at and the width
    of the file in pixels, "; font_px=F; width_px=W" follow: the smallest text's
    size in pixels of the file, and the file's width. Given the dpi,
    "; panel_px=P" ends it: the narrowest panel's width (:func:`panel_widths`)
    in units of the file (pixels; points for an SVG, drawn at 72 dpi).
    """
    if hasattr(fig, "panels"):
        count, sizes = fig.panels
    else:
        panels = [ax for ax in fig.axes if ax.images or ax.lines]
        count = len(panels)
        sizes = [f"{im.get_array().shape[0]}x{im.get_array().shape[1]}" for ax in panels for im in ax.images]
    description = f"panels={count}; sizes={','.join(sizes)}"
    points = smallest_font_points(fig)
    if dpi is not None and width is not None and points is not None:
        description += f"; font_px={points * dpi / 72:.1f}; width_px={width}"
    widths = panel_widths(fig) if dpi is not None else []
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
    coloured = pixels[(pixels[..., 0] != pixels[..., 1]) | (pixels[..., 1] != pixels[..., 2])]
    if len(coloured):
        strip = Image.fromarray(coloured[None])
        reduced = strip.quantize(colors=colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        used = np.unique(np.asarray(reduced))
        palette.append(np.asarray(reduced.getpalette(), dtype=np.uint8).reshape(-1, 3)[used])
    entries = np.concatenate(palette).astype(np.int64)
    # Nearest entry of every pixel: gray pixels through a table of the 256 gray
    # values, the coloured ones (few) by comparing each distinct colour with every entry.
    grays_table = np.arange(256)[:, None, None].repeat(3, axis=2)
    gray_nearest = ((grays_table - entries[None]) ** 2).sum(axis=2).argmin(axis=1).astype(np.uint8)
    is_gray = (pixels[..., 0] == pixels[..., 1]) & (pixels[..., 1] == pixels[..., 2])
    indices = gray_nearest[pixels[..., 0]]
    if not is_gray.all():
        codes = pixels[~is_gray].astype(np.int64) @ np.array([65536, 256, 1])
        used_codes, inverse = np.unique(codes, return_inverse=True)
        colours_used = np.stack([used_codes // 65536, used_codes // 256 % 256, used_codes % 256], axis=1)
        distance = ((colours_used[:, None, :] - entries[None]) ** 2).sum(axis=2)
        indices[~is_gray] = distance.argmin(axis=1)[inverse.ravel()].astype(np.uint8)
    reduced = Image.fromarray(indices, mode="P")
    reduced.putpalette(entries.astype(np.uint8).ravel().tolist())
    return reduced


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
    fig, name, dpi=200, *, width=None, tight=True, palette="median-cut", gray_levels=256, script=None
):
    """Save a matplotlib figure as a small, opaque PNG whose bytes repeat from build to build.

    width, in pixels, sets the dpi to width / the figure's width in inches (the
    file is then exactly that wide with tight=False, which also draws the
    figure once instead of twice). A figure whose pixels are all gray is stored
    as 8-bit gray (rounded to gray_levels evenly spaced levels, 256 keeps every
    one; fewer make a photograph's file smaller); any other with the palette named: "median-cut" (256 colours
    chosen for it), "gray-ramp" (:func:`gray_ramp_palette`) or "exact" (RGB).
    A text chunk "Description" holds :func:`figure_description`; nothing else varies.
    """
    if palette not in PALETTES:
        raise ValueError(f"palette must be one of {', '.join(PALETTES)}, got {palette!r}")
    if not (isinstance(gray_levels, int) and 2 <= gray_levels <= 256):
        raise ValueError(f"gray_levels must be a whole number from 2 to 256, got {gray_levels!r}")
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
    info.add_text("Description", figure_description(fig, dpi, small.size[0]))
    path = _save(name, lambda target: small.save(target, format="PNG", optimize=True, pnginfo=info), script)
    print(f"saved {name} ({small.size[0]}×{small.size[1]} pixels)")
    return path


def save_gif(frames, name, durations_ms, script=None):
    """Save Pillow images as a looping animated GIF; one duration per frame, in ms."""

    def write(path):
        frames[0].save(
            path, format="GIF", save_all=True, append_images=frames[1:], duration=list(durations_ms), loop=0
        )

    path = _save(name, write, script)
    print(f"saved {name} ({len(frames)} frames)")
    return path


def save_file(writer, name, script=None):
    """Save any other output: writer(path) writes the file."""
    return _save(name, writer, script)


def save_numbers(numbers, name, script=None):
    """Save measured values as reStructuredText substitutions, for pages to include.

    A page that says ``.. include:: /_generated/<name>`` can then write
    ``|key|`` wherever the value belongs, so the text states what the build measured.
    """
    lines = [f".. |{key}| replace:: {value}" for key, value in sorted(numbers.items())]
    return _save(name, lambda path: path.write_text("\n".join(lines) + "\n"), script)
