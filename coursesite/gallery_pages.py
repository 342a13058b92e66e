"""sphinx-gallery's pages of the figure scripts: which it will run, which are orphans, what they print.

sphinx-gallery runs a script when the md5 of its text differs from the one it
stored beside the script's page (``<page>.py.md5``); deleting that file makes
it run the script again.
"""

import glob
import hashlib
import shutil
from pathlib import Path

from coursesite.outputs import figure_scripts

#: Folders sphinx-gallery makes inside a gallery for itself, not for a part of the module.
OWN_FOLDERS = {"images"}
#: Printed output a gallery page may show, in bytes (today's largest page prints under 4 KB).
MAX_PRINTED_BYTES = 100_000
OUTPUT_BLOCK = ".. rst-class:: sphx-glr-script-out"


def gallery_md5(script_path):
    """sphinx-gallery's hash of a script: the md5 of its text read with universal newlines."""
    text = Path(script_path).read_text(encoding="utf-8", errors="surrogateescape")
    return hashlib.md5(text.encode("utf-8", errors="surrogateescape")).hexdigest()


def pages_to_rerun(scripts_dir, gallery_dir):
    """The scripts whose page has no stored md5 matching their text: sphinx-gallery runs them."""
    stale = []
    for script in figure_scripts(scripts_dir):
        cache = Path(gallery_dir) / f"{script}.md5"
        if not cache.is_file() or cache.read_text() != gallery_md5(Path(scripts_dir) / script):
            stale.append(script)
    return stale


def rerun(scripts, gallery_dir):
    """Make sphinx-gallery run the scripts again (it skips a script whose text is unchanged), and
    make their thumbnails again: it keeps the thumbnail it made for a script that shows no figure
    (a copy of ``default_thumb_file``), which an edit of that file would otherwise not reach."""
    for script in scripts:
        page = Path(gallery_dir) / script
        page.with_name(page.name + ".md5").unlink(missing_ok=True)
        thumbnails = page.parent / "images" / "thumb"
        for thumbnail in thumbnails.glob(f"sphx_glr_{glob.escape(page.stem)}_thumb.*"):
            thumbnail.unlink()


def remove_orphan_pages(scripts_dir, gallery_dir):
    """Delete what sphinx-gallery made from scripts or parts that no longer exist; return what went."""
    gallery_dir, scripts_dir = Path(gallery_dir), Path(scripts_dir)
    if not gallery_dir.is_dir():
        return []
    removed = []
    for folder in sorted(p for p in gallery_dir.iterdir() if p.is_dir() and p.name not in OWN_FOLDERS):
        if not (scripts_dir / folder.name).is_dir():
            shutil.rmtree(folder)
            removed.append(f"{folder.name}/")
            continue
        for page in sorted(folder.glob("plot_*.rst")):
            if (scripts_dir / folder.name / f"{page.stem}.py").is_file():
                continue
            for made in [*folder.glob(f"{page.stem}.*"), *folder.glob(f"images/**/sphx_glr_{page.stem}_*")]:
                made.unlink()
            removed.append(f"{folder.name}/{page.stem}.py")
    return removed


def printed_output(page):
    """(lines, bytes) of the output a script printed, as its gallery page shows it."""
    lines = size = 0
    inside = False
    with open(page, encoding="utf-8") as text:
        for line in text:
            if line.rstrip() == OUTPUT_BLOCK:
                inside = True
            elif inside and line.strip() and not line[0].isspace():
                inside = False
            elif inside and line.startswith("    "):
                lines += 1
                size += len(line.encode()) - 4
    return lines, size


def oversized_output(scripts_dir, gallery_dir, limit=MAX_PRINTED_BYTES):
    """[(script, lines, bytes)] of the scripts whose page shows more printed output than limit."""
    found = []
    for script in figure_scripts(scripts_dir):
        page = (Path(gallery_dir) / script).with_suffix(".rst")
        if page.is_file() and page.stat().st_size > limit:
            lines, size = printed_output(page)
            if size > limit:
                found.append((script, lines, size))
    return found
