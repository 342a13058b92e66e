"""Where figure scripts save their files, and how the build knows a figure is stale.

sphinx-gallery re-runs a script only when the script's own text changes. Two
more reasons to re-run are tracked here: a file the script wrote has gone
missing, or the code of this package or of the learner downloads (which
some scripts run) changed since it was written. Every save
records the file, the script that made it and a hash of the package in
``figures.json`` beside the files; :func:`invalidate_stale_scripts`, called from
``conf.py`` before the gallery is generated, deletes the ``.md5`` caches of the
scripts that must run again.
"""

import hashlib
import json
import os
import sys
from pathlib import Path

#: Environment variable naming the folder figures are saved in (set by conf.py).
FIGURE_DIR_VARIABLE = "CONVVIZ_FIGURE_DIR"
MANIFEST_NAME = "figures.json"
PACKAGE_DIR = Path(__file__).resolve().parent
#: Code whose change makes every recorded figure stale: this package and the downloads.
TRACKED_SOURCES = (PACKAGE_DIR, PACKAGE_DIR.parent / "downloads")


def figure_dir():
    """The folder figures are saved in: $CONVVIZ_FIGURE_DIR, else the current folder."""
    folder = Path(os.environ.get(FIGURE_DIR_VARIABLE, "."))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def source_hash():
    """A hash of every Python file of this package and of the downloads."""
    digest = hashlib.sha256()
    for folder in TRACKED_SOURCES:
        for path in sorted(folder.glob("*.py")):
            digest.update(f"{folder.name}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _read_manifest(folder):
    try:
        return json.loads((Path(folder) / MANIFEST_NAME).read_text())
    except (OSError, ValueError):
        return {}


def _record(path):
    folder = path.parent
    manifest = _read_manifest(folder)
    manifest[path.name] = {"script": Path(sys.argv[0]).name, "sources": source_hash()}
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    (folder / MANIFEST_NAME).write_text(text)


def save_png(fig, name, dpi=100):
    """Save a matplotlib figure as name in :func:`figure_dir` with no varying metadata."""
    path = figure_dir() / name
    fig.savefig(
        path, dpi=dpi, metadata={"Software": None}, facecolor="white", bbox_inches="tight", pad_inches=0.1
    )
    _record(path)
    print(f"saved {name}")
    return path


def save_gif(frames, name, durations_ms):
    """Save Pillow images as a looping animated GIF; one duration per frame, in ms."""
    path = figure_dir() / name
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=list(durations_ms), loop=0)
    _record(path)
    print(f"saved {name} ({len(frames)} frames)")
    return path


def save_file(writer, name):
    """Save any other output: writer(path) writes the file, which is then recorded."""
    path = figure_dir() / name
    writer(path)
    _record(path)
    return path


def stale_scripts(folder):
    """Names of the scripts with a recorded output that is missing or out of date."""
    current = source_hash()
    stale = set()
    for name, entry in _read_manifest(folder).items():
        if entry.get("sources") != current or not (Path(folder) / name).exists():
            stale.add(entry.get("script", ""))
    stale.discard("")
    return sorted(stale)


def invalidate_stale_scripts(figure_folder, gallery_folder):
    """Delete the sphinx-gallery md5 cache of every stale script; return their names."""
    names = stale_scripts(figure_folder)
    for name in names:
        (Path(gallery_folder) / f"{name}.md5").unlink(missing_ok=True)
    return names


def save_numbers(numbers, name):
    """Save measured values as reStructuredText substitutions, for pages to include.

    A page that says ``.. include:: /auto_examples/figures/<name>`` can then write
    ``|key|`` wherever the value belongs, so the text states what the build measured.
    """
    lines = [f".. |{key}| replace:: {value}" for key, value in sorted(numbers.items())]
    return save_file(lambda path: path.write_text("\n".join(lines) + "\n"), name)
