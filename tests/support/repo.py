"""Scratch copies of the repository, without anything generated."""

import shutil

from coursesite.paths import GENERATED_PATHS, ROOT

#: What a scratch copy leaves out: version control, the virtual environment, caches, generated files.
IGNORED_NAMES = (
    ".git",
    ".venv",
    "node_modules",
    "__pycache__",
    "*.pyc",
    *(path.name for path in GENERATED_PATHS),
)


def copy_repository(destination, with_generated=False):
    """Copy the repository to destination as a fresh clone would have it (or with what a build made)."""
    names = IGNORED_NAMES if not with_generated else (".git", ".venv", "node_modules", "__pycache__", "*.pyc")
    shutil.copytree(ROOT, destination, ignore=shutil.ignore_patterns(*names), symlinks=True)
    return destination
