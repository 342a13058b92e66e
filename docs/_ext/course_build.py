"""Build hooks of the course site, connected in :func:`setup` (conf.py only configures).

The figure scripts' outputs are kept in line with the tree by
:mod:`coursesite.figure_build`, set up from here. After the build the learner
files get stable addresses: ``downloads/`` in the site holds the weights file, the photo
the random-filters command of part 1 runs on,
the ``convviz`` package as a zip (with the learner downloads beside it, which one
gallery script runs), and one zip per exercise with everything its starter needs
(the starter, self_check.py and, for exercises 4 and 5, the weights).

Sphinx rebuilds a page when it, a template or the configuration changes, not when the
code of an extension does: the configuration value ``course_build_code``, a digest of
the site's own build code, makes an edit to that code re-read and re-write every page.
"""

import hashlib
import io
import zipfile
from pathlib import Path

from convviz.paths import DOWNLOADS_DIR, PACKAGE_DIR
from coursesite.paths import DOCS_DIR, GENERATED_DIR, ROOT

#: The site's own build code: the extensions and the site machinery they call.
BUILD_CODE = (DOCS_DIR / "_ext", ROOT / "coursesite")

#: Files of the generated folder that the site offers at a fixed address, ``downloads/<name>``.
STABLE_DOWNLOADS = ("tiny_cnn_weights.npz", "cameraman.png")
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
        DOWNLOADS_DIR / "occlusion_maps.py",
        DOWNLOADS_DIR / "tiny_cnn_solution.py",
        DOWNLOADS_DIR / "self_check.py",
        GENERATED_DIR / "tiny_cnn_weights.npz",
    ),
}
#: Timestamp of every zip member (the earliest a zip file can hold), for identical bytes.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


def build_code_digest(folders=BUILD_CODE):
    """A digest of every .py file under folders (names and bytes): it changes when any of them does."""
    hashed = hashlib.sha256()
    for folder in map(Path, folders):
        for path in sorted(folder.rglob("*.py")):
            hashed.update(f"{path.relative_to(folder).as_posix()}\0{len(path.read_bytes())}\0".encode())
            hashed.update(path.read_bytes())
    return hashed.hexdigest()[:16]


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
    app.setup_extension("coursesite.figure_build")
    app.add_config_value("course_build_code", build_code_digest(), "env", types=frozenset({str}))
    app.connect("build-finished", write_stable_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
