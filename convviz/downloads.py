"""Load and run the learner downloads (``downloads/*.py``) from the package and the tests."""

import contextlib
import importlib.util
import io
import os
import sys
from pathlib import Path

from convviz.paths import DOWNLOADS_DIR


def load_download(name):
    """Import downloads/<name>.py as a fresh module object and return it.

    Its folder comes first on the import path while it loads, as when a learner
    runs it, so it finds the files it imports from beside it (self_check.py).
    """
    path = DOWNLOADS_DIR / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: unzip convviz.zip next to the script, so that its folder holds convviz/ "
            "and downloads/"
        )
    spec = importlib.util.spec_from_file_location(f"downloads_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(DOWNLOADS_DIR))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(DOWNLOADS_DIR))
    return module


def run_download(name, folder, *args):
    """Run a download's main() inside folder; return (exit status, printed text)."""
    module = load_download(name)
    previous = Path.cwd()
    printed = io.StringIO()
    Path(folder).mkdir(parents=True, exist_ok=True)
    try:
        os.chdir(folder)
        with contextlib.redirect_stdout(printed):
            status = module.main(list(args))
    finally:
        os.chdir(previous)
    return status, printed.getvalue()
