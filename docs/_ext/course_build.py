"""Build hooks of the course site, connected in :func:`setup` (conf.py only configures).

The figure scripts' outputs are kept in line with the tree by
:mod:`coursesite.figure_build`, set up from here. After the build the learner
files get stable addresses: ``downloads/`` in the site holds the weights file,
the ``convviz`` package as a zip, and one zip per exercise with everything its
starter needs (the starter, self_check.py and, for exercise 4, the weights).
"""

import io
import zipfile
from pathlib import Path

from convviz.paths import DOWNLOADS_DIR, GENERATED_DIR, PACKAGE_DIR

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
}
#: Timestamp of every zip member (the earliest a zip file can hold), for identical bytes.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


def zip_bytes(folder, paths):
    """The files at paths as zip bytes, inside folder/, identical for identical sources."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            member = zipfile.ZipInfo(f"{folder}/{path.name}", date_time=ZIP_TIMESTAMP)
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
    write_if_changed(folder / "convviz.zip", zip_bytes("convviz", sorted(PACKAGE_DIR.glob("*.py"))))
    for name, paths in EXERCISE_BUNDLES.items():
        write_if_changed(folder / f"{name}.zip", zip_bytes(name, paths))


def html_translator():
    """The HTML5 translator, with citations marked up as list items.

    docutils puts citations in a <div role="list"> whose children have the
    role doc-biblioentry, which ARIA no longer accepts inside a list; the
    accessibility checker reports it as a critical error. role="listitem" is
    the valid equivalent.
    """
    from sphinx.writers.html5 import HTML5Translator

    class CourseTranslator(HTML5Translator):
        def visit_citation(self, node):
            super().visit_citation(node)
            self.body[-1] = self.body[-1].replace('role="doc-biblioentry"', 'role="listitem"')

    return CourseTranslator


def setup(app):
    app.setup_extension("coursesite.figure_build")
    app.set_translator("html", html_translator())
    app.connect("build-finished", write_stable_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
