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
import json
import os
import sys
from pathlib import Path

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


def save_png(fig, name, dpi=100, script=None):
    """Save a matplotlib figure as an opaque PNG with no varying metadata."""

    def write(path):
        fig.savefig(
            path,
            format="png",
            dpi=dpi,
            metadata={"Software": None},
            facecolor="white",
            bbox_inches="tight",
            pad_inches=0.1,
        )

    path = _save(name, write, script)
    print(f"saved {name}")
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
