"""Load and run the learner downloads (``downloads/*.py``) from the package and the tests."""

import contextlib
import importlib.util
import io
import os
from pathlib import Path

DOWNLOADS_DIR = Path(__file__).resolve().parent.parent / "downloads"


def load_download(name):
    """Import downloads/<name>.py as a fresh module object and return it."""
    path = DOWNLOADS_DIR / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"downloads_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
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
