"""Shared fixtures: paths of the repository and of the built site, the network the build trained."""

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import (  # noqa: F401  (fixtures and the report hook of the browser tests)
    browser,
    page,
    pytest_runtest_makereport,
    reused_page,
    server,
)

# Paths are defined once, in convviz.paths and coursesite.paths; the tests import these short names from here.
from convviz.paths import DOWNLOADS_DIR as DOWNLOADS  # noqa: F401
from coursesite.paths import GENERATED_DIR as FIGURES  # noqa: F401
from coursesite.paths import HTML_DIR as HTML
from coursesite.paths import ROOT

MODULE_RST = ROOT / "docs" / "module_9_2_2" / "index.rst"

# A shell starts a background job (`make test &` in a script) with Ctrl-C ignored, and every process
# inherits that: the programs these tests interrupt would not see SIGINT at all. Each test process
# takes Python's own Ctrl-C handling back, so its children start with SIGINT's default.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def site():
    """The built site (_build/html); `make test` builds it before running pytest."""
    if not (HTML / "index.html").exists():
        pytest.fail("the site is not built: run `make html` (or `make test`, which builds it first)")
    return HTML


@pytest.fixture(scope="session")
def stored_network():
    """(params, test images as uint8 (N, 28, 28), test labels) from the weights file the build writes."""
    from convviz.tiny_cnn import load_weights
    from coursesite.network_data import weights_path

    path = weights_path()
    if not path.exists():
        pytest.fail("no weights file: run `make html` first")
    stored = load_weights(path)
    params = {name: stored[name] for name in ("W1", "b1", "W2", "b2", "W3", "b3")}
    return params, stored["test_images"], stored["test_labels"]


def run_script(path, *args, cwd):
    """Run a Python file with this interpreter as a learner would; return the CompletedProcess."""
    return subprocess.run(
        [sys.executable, str(path), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


#: A line that calls trained_network() in code (not in a string or a comment).
CALLS_TRAINED_NETWORK = re.compile(r"^[^#\"'\n]*\btrained_network\(\)", re.MULTILINE)


def shared_group(module):
    """The xdist group of a test module that shares one costly computation, or None.

    trained_network() trains once per process (about 6 s of one core): a module that calls it,
    imported at module level or inside a function, joins "trained_network". A module that
    builds the site in scratch copies (support.site_build) builds it once per process for all
    its tests: "site_builds". One group each means one training and one set of builds for the
    whole run instead of one per worker.
    """
    from support.site_build import make_html

    from convviz.tiny_cnn import trained_network

    names = vars(module).values()
    if any(value is make_html for value in names):
        return "site_builds"
    if any(value is trained_network for value in names):
        return "trained_network"
    source = Path(module.__file__).read_text(encoding="utf-8")
    return "trained_network" if CALLS_TRAINED_NETWORK.search(source) else None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Under pytest-xdist, the modules that share one costly computation run in one worker
    (:func:`shared_group`). A test's own xdist_group mark wins."""
    groups = {}
    for item in items:
        module = getattr(item, "module", None)
        if module is None:
            continue
        if module not in groups:
            groups[module] = shared_group(module)
        if groups[module] and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(groups[module]))
