"""Shared fixtures: paths of the repository and of the built site."""

import subprocess
import sys

import pytest
from browser_support import browser, page, server  # noqa: F401  (fixtures for the browser tests)

# Paths are defined once, in convviz.paths and coursesite.paths; the tests import these short names from here.
from convviz.paths import DOWNLOADS_DIR as DOWNLOADS  # noqa: F401
from coursesite.paths import GENERATED_DIR as FIGURES  # noqa: F401
from coursesite.paths import HTML_DIR as HTML
from coursesite.paths import ROOT

MODULE_RST = ROOT / "docs" / "module_9_2_2" / "index.rst"


@pytest.fixture(scope="session")
def site():
    """The built site (_build/html); `make test` builds it before running pytest."""
    if not (HTML / "index.html").exists():
        pytest.fail("the site is not built: run `make html` (or `make test`, which builds it first)")
    return HTML


def run_script(path, *args, cwd):
    """Run a Python file with this interpreter as a learner would; return the CompletedProcess."""
    return subprocess.run(
        [sys.executable, str(path), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )
