"""Build hooks of the course site, connected in :func:`setup` (conf.py only configures).

Before sphinx-gallery runs, the generated files are brought in line with the
tree, so that whatever was edited, renamed, deleted or damaged, the build shows
what a clean build would show:

* files and gallery pages of figure scripts that no longer exist are removed;
* every script whose outputs are missing or made by older package code loses its
  sphinx-gallery md5 cache, so it runs again, and its gallery page is re-written
  (its plots are not Sphinx dependencies of the page);
* when a script is gone, the site is written anew (Sphinx leaves the HTML, plots
  and downloads of a removed page behind), without re-running any script.

After the build the learner files get stable addresses: ``downloads/`` in the
site holds the weights file, the ``convviz`` package as a zip (with the learner
downloads beside it, which one gallery script runs), and one zip per exercise
with everything its starter needs (the starter, self_check.py and, for
exercises 4 and 5, the weights).
"""

import hashlib
import io
import shutil
import zipfile
from pathlib import Path

from sphinx.util import logging

from convviz import figure_output
from convviz.paths import DOWNLOADS_DIR, GALLERY_DIR, GENERATED_DIR, PACKAGE_DIR, SCRIPTS_DIR

logger = logging.getLogger(__name__)

#: Files of the generated folder that the site offers at a fixed address, ``downloads/<name>``.
STABLE_DOWNLOADS = ("tiny_cnn_weights.npz",)
#: Exercise bundles, ``downloads/<name>.zip``: the files a learner unpacks into one folder to start.
EXERCISE_BUNDLES = {
    "exercise3": (DOWNLOADS_DIR / "cnn_starter.py", DOWNLOADS_DIR / "self_check.py"),
    "exercise4": (
        DOWNLOADS_DIR / "tiny_cnn_starter.py",
        DOWNLOADS_DIR / "self_check.py",
        GENERATED_DIR / "tiny_cnn_weights.npz",
    ),
    "exercise5": (
        DOWNLOADS_DIR / "occlusion_starter.py",
        DOWNLOADS_DIR / "self_check.py",
        GENERATED_DIR / "tiny_cnn_weights.npz",
    ),
}
#: Timestamp of every zip member (the earliest a zip file can hold), for identical bytes.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
GALLERY_SUFFIXES = (".rst", ".py", ".ipynb", ".py.md5", ".zip", "_codeobj.pickle")


def remove_orphan_gallery_pages(scripts_dir=SCRIPTS_DIR, gallery_dir=GALLERY_DIR):
    """Delete what sphinx-gallery made from scripts or folders that no longer exist."""
    gallery_dir = Path(gallery_dir)
    if not gallery_dir.is_dir():
        return []
    removed = []
    for folder in sorted(p for p in gallery_dir.iterdir() if p.is_dir()):
        if not (Path(scripts_dir) / folder.name).is_dir():
            shutil.rmtree(folder)
            removed.append(folder.name + "/")
            continue
        for page in sorted(folder.glob("plot_*.rst")):
            if (Path(scripts_dir) / folder.name / f"{page.stem}.py").is_file():
                continue
            for suffix in GALLERY_SUFFIXES:
                (folder / f"{page.stem}{suffix}").unlink(missing_ok=True)
            for image in folder.glob(f"images/**/sphx_glr_{page.stem}_*"):
                image.unlink()
            removed.append(f"{folder.name}/{page.stem}.py")
    return removed


def prepare_generated_files(app):
    """Remove orphans and invalidate stale scripts, before sphinx-gallery generates the gallery."""
    GENERATED_DIR.mkdir(parents=True, exist_ok=True)
    if figure_output.read_manifest() is None:
        (GENERATED_DIR / figure_output.MANIFEST_NAME).unlink(missing_ok=True)
    for name in figure_output.orphan_files():
        (GENERATED_DIR / name).unlink()
        logger.info(f"removed {name}: no figure script makes it any more")
    orphans = remove_orphan_gallery_pages()
    for name in orphans:
        logger.info(f"removed the gallery page of {name}: the script is gone")
    # Sphinx never deletes the output of a removed page (its HTML, plots, downloads):
    # start the site over, re-writing every page, without re-running any script.
    app.course_rewrite_all = bool(orphans)
    if orphans:
        clear_output(Path(app.outdir), Path(app.doctreedir))
    stale = figure_output.stale_scripts()
    for script in stale:
        (GALLERY_DIR / f"{script}.md5").unlink(missing_ok=True)
    running = scripts_to_run()
    figure_output.forget_outputs(running)
    app.course_rerun_pages = ["auto_examples/" + script[: -len(".py")] for script in running]
    if running:
        logger.info(f"figure scripts to run: {', '.join(running)}")


def clear_output(outdir, doctreedir):
    """Delete everything in the output folder but the saved doctrees."""
    if not outdir.is_dir():
        return
    for path in outdir.iterdir():
        if path.resolve() == doctreedir.resolve():
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def scripts_to_run(scripts_dir=SCRIPTS_DIR, gallery_dir=GALLERY_DIR):
    """The scripts sphinx-gallery will execute: those without an md5 cache matching their text."""
    running = []
    for script in figure_output.figure_scripts(scripts_dir):
        cache = Path(gallery_dir) / f"{script}.md5"
        # sphinx-gallery's own hash: md5 of the text with universal newlines.
        text = (Path(scripts_dir) / script).read_text(encoding="utf-8", errors="surrogateescape")
        digest = hashlib.md5(text.encode("utf-8", errors="surrogateescape")).hexdigest()
        if not cache.is_file() or cache.read_text() != digest:
            running.append(script)
    return running


def outdated_pages(app, env, added, changed, removed):
    """Gallery pages whose script runs again (their plots changed though their text may not
    have), or every page when the output folder was cleared."""
    if getattr(app, "course_rewrite_all", False):
        return sorted(env.found_docs)
    return [name for name in getattr(app, "course_rerun_pages", []) if name in env.found_docs]


def in_folder(folder, paths):
    """(name in the zip, file) pairs that put the files at paths inside folder/."""
    return [(f"{folder}/{path.name}", path) for path in paths]


def zip_bytes(members):
    """The files of (name in the zip, file) pairs as zip bytes, identical for identical sources."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, path in members:
            member = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            member.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(member, path.read_bytes())
    return buffer.getvalue()


def write_if_changed(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)


def write_stable_downloads(app, exception):
    """Copy the learner files to ``downloads/`` in the site, where links and docs can name them."""
    if exception is not None or app.builder.format != "html":
        return
    folder = Path(app.outdir) / "downloads"
    for name in STABLE_DOWNLOADS:
        write_if_changed(folder / name, (GENERATED_DIR / name).read_bytes())
    # convviz.zip, which the gallery links, also holds the learner downloads in downloads/ beside the
    # package: part1_filters/plot_05_download_outputs.py runs them, where a reader unzips it too.
    package = in_folder("convviz", sorted(PACKAGE_DIR.glob("*.py")))
    learner = in_folder("downloads", sorted(DOWNLOADS_DIR.glob("*.py")))
    write_if_changed(folder / "convviz.zip", zip_bytes(package + learner))
    for name, paths in EXERCISE_BUNDLES.items():
        write_if_changed(folder / f"{name}.zip", zip_bytes(in_folder(name, paths)))


def setup(app):
    # Before sphinx-gallery's own builder-inited handler (priority 500).
    app.connect("builder-inited", prepare_generated_files, priority=100)
    app.connect("env-get-outdated", outdated_pages)
    app.connect("build-finished", write_stable_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
