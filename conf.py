"""Sphinx configuration of the course site (module 9.2.2, Convolutional Networks Visualization).

Built with ``sphinx-build -c . docs _build/html``: this file stays at the top of
the repository while the pages live in ``docs/``.
"""

# -- Paths -------------------------------------------------------------------

import os
import sys
from pathlib import Path

import sphinxcontrib.katex as sphinxcontrib_katex

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # convviz (the figure scripts import it) and coursesite (the build)
sys.path.insert(0, str(ROOT / "docs" / "_ext"))  # the build hooks: course_build, explorers

os.environ.setdefault("MPLBACKEND", "Agg")

# -- Project -----------------------------------------------------------------

project = "Convolutional Networks Visualization"
author = "The course authors"
copyright = "2026, the course authors"
release = "9.2.2"

# -- General -----------------------------------------------------------------

exclude_patterns = [
    "_build",
    "_ext",
    "auto_examples/**/*.ipynb",
    "auto_examples/**/*.py",
    "auto_examples/**/*.zip",
]
templates_path = ["docs/_templates"]
html_static_path = ["docs/_static"]
html_css_files = ["course.css"]  # the explorers add their own on the pages that hold one
# Marks the "On this page" entry of the section being read (docs/_templates/page-toc.html).
html_js_files = ["page_toc.js"]
pygments_style = "sphinx"
highlight_language = "python"
numfig = False

# -- Extensions ----------------------------------------------------------------

extensions = [
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_gallery.gen_gallery",
    "sphinxcontrib.katex",
    "katex_tcp",
    "course_build",
    "html_translator",
    "explorers",
    "quiz",
    "page_speed",
    "stylesheets",
    "code_lines",
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
    # Scripts that only compute numbers for a page show this in the gallery (opaque for the dark theme).
    "default_thumb_file": str(ROOT / "docs" / "_static" / "numbers_thumb.png"),
    # The timing page loads jQuery from a CDN; the site must work offline.
    "write_computation_times": False,
    # Around each script (sphinx-gallery's hooks, named as text so the configuration pickles):
    # coursesite.recording sends its saves into docs/_generated and records what it used and made.
    "reset_argv": "coursesite.recording.start_script",
    "reset_modules": ("matplotlib", "coursesite.recording.end_script"),
    "reset_modules_order": "both",
    # A figure the script saved is shown on its gallery page as the file it saved, not drawn again.
    "image_scrapers": ("coursesite.gallery_images.saved_figures",),
    # convviz's save functions return the saved file's path; as a block's last line, its repr would
    # show the build machine's folder on the gallery page.
    "ignore_repr_types": r"pathlib\.\w*Path",
}

# `make linkcheck` runs offline: external links are skipped, internal ones are
# checked by tests/test_links.py against the built pages.
# The learner files at downloads/ are written into the site after the build
# (docs/_ext/course_build.py); tests/test_links.py checks those links in the built site.
linkcheck_ignore = [r"https?://", r"^(\.\./)*downloads/"]

# Formulas: KaTeX (bundled with sphinxcontrib-katex) renders them to MathML while the
# site is built, with Node.js; the browser shows MathML itself, so pages load no
# script, font or style sheet for math from anywhere. The extension insists on a
# style sheet setting: its own small katex-math.css, which it links anyway (course.css
# holds the few rules MathML needs). docs/_ext/katex_tcp.py makes it talk to its
# renderer over TCP.
katex_prerender = True
katex_css_path = "katex-math.css"
sphinxcontrib_katex.KATEX_DEFAULT_OPTIONS["output"] = "mathml"

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
