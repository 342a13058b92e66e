"""Sphinx configuration of the course site (module 9.2.2, Convolutional Networks Visualization).

Built with ``sphinx-build -c . docs _build/html``: this file stays at the top of
the repository while the pages live in ``docs/``.
"""

# -- Paths -------------------------------------------------------------------

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT))  # the convviz package, imported by the figure scripts

from convviz.figure_output import FIGURE_DIR_VARIABLE, invalidate_stale_scripts  # noqa: E402

GALLERY_DIR = DOCS / "auto_examples"
FIGURE_DIR = GALLERY_DIR / "figures"
# Figure scripts save their files here; pages refer to /auto_examples/figures/<name>.
os.environ[FIGURE_DIR_VARIABLE] = str(FIGURE_DIR)
# Re-run the scripts whose figures are missing or made by older package code.
invalidate_stale_scripts(FIGURE_DIR, GALLERY_DIR)
os.environ.setdefault("MPLBACKEND", "Agg")

# -- Project -----------------------------------------------------------------

project = "Convolutional Networks Visualization"
author = "The course authors"
copyright = "2026, the course authors"
release = "9.2.2"

# -- General -----------------------------------------------------------------

exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "auto_examples/*.zip"]
templates_path = []
html_static_path = ["docs/_static"]
html_css_files = ["course.css", "explorer/explorer.css"]
pygments_style = "sphinx"
highlight_language = "python"
numfig = False

# -- Extensions ----------------------------------------------------------------

extensions = [
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_gallery.gen_gallery",
]

sphinx_gallery_conf = {
    "examples_dirs": ["../scripts"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "remove_config_comments": True,
    "download_all_examples": True,
    "show_memory": False,
    "show_signature": False,
    "min_reported_time": 1,
    # The timing page loads jQuery from a CDN; the site must work offline.
    "write_computation_times": False,
}

# `make linkcheck` runs offline: external links are skipped, internal ones are
# checked by tests/test_links.py against the built pages.
linkcheck_ignore = [r"https?://"]

copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True

# -- HTML output -------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = "CNN Visualization"
html_last_updated_fmt = None
html_theme_options = {
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
    "show_toc_level": 2,
    "navigation_with_keys": True,
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_favicon = "docs/_static/favicon.svg"
html_context = {"default_mode": "auto"}
html_sidebars = {"index": [], "auto_examples/index": []}
html_show_sourcelink = False


# -- Build hooks ---------------------------------------------------------------


def write_explorer_data(app, exception):
    """Write the explorer's pixel data next to its script, unless it is current."""
    if exception is not None or app.builder.format != "html":
        return
    from convviz.explorer_data import write_explorer_script
    from convviz.figure_output import source_hash

    target = Path(app.outdir) / "_static" / "explorer" / "data.js"
    stamp = target.with_suffix(".hash")
    current = source_hash()
    if not target.exists() or not stamp.exists() or stamp.read_text() != current:
        write_explorer_script(target)
        stamp.write_text(current)


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
    app.set_translator("html", html_translator())
    app.connect("build-finished", write_explorer_data)
