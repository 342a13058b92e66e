"""A two-script site built like the course site, for tests/test_build_cache.py (a tiny tinybuild).

Its scripts import ``tinypkg`` (one module both use, one neither uses), one runs
``downloads/tool.py`` and reads what the other saved.
"""

import os
import sys
from pathlib import Path

import coursesite

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # tinypkg, imported by the scripts
sys.path.insert(0, str(Path(coursesite.__file__).parents[1] / "docs" / "_ext"))  # the course's stylesheets
os.environ.setdefault("MPLBACKEND", "Agg")

project = "Fixture site"
extensions = ["sphinx_gallery.gen_gallery", "coursesite.figure_build", "stylesheets"]
exclude_patterns = ["auto_examples/**/*.ipynb", "auto_examples/**/*.py", "auto_examples/**/*.zip"]
# Its own list: sphinx-gallery adds to it (Sphinx's default list would grow build after build).
templates_path = []
html_theme = "basic"
html_static_path = ["docs/_static"]
html_css_files = [("fixture.css", {"priority": 800})]
sphinx_gallery_conf = {
    "examples_dirs": ["../scripts"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "show_memory": False,
    "show_signature": False,
    "write_computation_times": False,
    "reset_argv": "coursesite.recording.start_script",
    "reset_modules": ("matplotlib", "coursesite.recording.end_script"),
    "reset_modules_order": "both",
    "image_scrapers": ("coursesite.gallery_images.saved_figures",),
    # The thumbnail of a script that shows no figure (none of the two; tests add one).
    "default_thumb_file": str(ROOT / "docs" / "_static" / "thumb.png"),
}
