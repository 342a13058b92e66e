"""Where the site build's files live: one definition for the build, the tests and the Makefile.

This file imports nothing but :mod:`pathlib`, so ``python3 coursesite/paths.py`` works
without the virtual environment; the Makefile's ``clean`` uses it that way. Where the
package and the learner downloads live is :mod:`convviz.paths`.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS_DIR = ROOT / "docs"
#: Figure scripts, one sub-gallery folder per part of the module.
SCRIPTS_DIR = ROOT / "scripts"
#: What sphinx-gallery writes: one page per figure script.
GALLERY_DIR = DOCS_DIR / "auto_examples"
#: Every file the figure scripts save while the site is built (figures, measured numbers,
#: the weights file); pages refer to them as ``/_generated/<name>``.
GENERATED_DIR = DOCS_DIR / "_generated"
BUILD_DIR = ROOT / "_build"
HTML_DIR = BUILD_DIR / "html"
#: Everything the build and the tests generate; ``make clean`` removes these.
GENERATED_PATHS = (
    BUILD_DIR,
    GALLERY_DIR,
    GENERATED_DIR,
    DOCS_DIR / "sg_execution_times.rst",
    ROOT / ".pytest_cache",
    ROOT / ".ruff_cache",
    ROOT / ".hypothesis",  # Hypothesis keeps the constants it found in the code here, even with no database
)

if __name__ == "__main__":
    print("\n".join(str(path) for path in GENERATED_PATHS))
