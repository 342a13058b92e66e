"""Where the package and the learner downloads live: ``convviz/`` and ``downloads/`` beside it.

The same in the repository and in ``convviz.zip`` (which holds both folders). Where the
site build keeps its files is :mod:`coursesite.paths`.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: Standalone learner downloads.
DOWNLOADS_DIR = PACKAGE_DIR.parent / "downloads"
